/**
 * The guide's ownership & handoff gate, run when a deal reaches Contract Signed: an assigned CSM, a billing owner
 * ("fail the deal if billing owner is missing") and an expected time-to-value date. Missing people block
 * (review); a missing date only warns, a nonsensical one blocks.
 */
import type { ResolvedDealCore } from './canonical-deal';
import { calendarDateOf, compareCalendarDates, parseCalendarDate } from './calendar-date';
import { DEAL_FIELDS } from './pipedrive-fields';
import { reviewReason, type ReviewReason } from './review-reason';

export interface HandoffCheckResult {
  reasons: ReviewReason[];
  warnings: ReviewReason[];
}

function blank(s: string | undefined): boolean {
  return s === undefined || s.trim() === '';
}

/** `signedAt` (RFC 3339 or `YYYY-MM-DD`) enables the "not before signature" check; without it that check is skipped. */
export function checkHandoff(deal: ResolvedDealCore, signedAt?: string): HandoffCheckResult {
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];

  if (blank(deal.csmUserId)) {
    reasons.push(
      reviewReason('deal.csmUserId', 'handoff.csm_missing', 'No CSM assigned: onboarding has no owner after signature.', {
        suggestion: `Set the deal's "${DEAL_FIELDS.csm}" field.`,
      }),
    );
  }
  if (blank(deal.billingOwner)) {
    reasons.push(
      reviewReason('deal.billingOwner', 'handoff.billing_owner_missing', 'No billing owner: finance has no one to contact about the first invoice.', {
        suggestion: `Set the deal's "${DEAL_FIELDS.billingOwner}" field.`,
      }),
    );
  }

  const ttvRaw = deal.expectedTimeToValue;
  if (blank(ttvRaw)) {
    warnings.push(
      reviewReason('deal.expectedTimeToValue', 'handoff.ttv_missing', 'No expected time-to-value date: time-to-value cannot be reported for this customer.', {
        suggestion: `Set the deal's "${DEAL_FIELDS.expectedTimeToValue}" field (YYYY-MM-DD).`,
      }),
    );
  } else {
    const ttv = parseCalendarDate(ttvRaw);
    const signed = calendarDateOf(signedAt);
    if (ttv === undefined) {
      reasons.push(
        reviewReason('deal.expectedTimeToValue', 'handoff.ttv_invalid', 'Expected time-to-value is not a valid date.', {
          suggestion: 'Use a calendar date in the form YYYY-MM-DD.',
          value: ttvRaw,
        }),
      );
    } else if (signed !== undefined && compareCalendarDates(ttv, signed) < 0) {
      reasons.push(
        reviewReason('deal.expectedTimeToValue', 'handoff.ttv_before_signature', `Expected time-to-value (${ttv}) is before the contract was signed (${signed}).`, {
          suggestion: `Pick a date on or after ${signed}.`,
          value: ttvRaw,
        }),
      );
    }
  }
  return { reasons, warnings };
}
