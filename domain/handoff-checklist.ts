/**
 * The guide's ownership & handoff gate, run when a deal reaches Contract Signed: an assigned CSM, a billing owner
 * ("fail the deal if billing owner is missing") and an expected time-to-value date. Missing people block
 * (review); a missing date only warns, a nonsensical one blocks. Which of them the template marks `required` decides
 * block or warn, and the suggestions name the company's own Pipedrive fields.
 */
import type { ResolvedDealCore } from './canonical-deal';
import { calendarDateOf, compareCalendarDates, parseCalendarDate } from './calendar-date';
import { activeMapping } from './mapping/active-mapping';
import type { Mapping } from './mapping/schema';
import { pipedriveFieldLabel } from './pipedrive-fields';
import { reviewReason, type ReviewReason } from './review-reason';

export interface HandoffCheckResult {
  reasons: ReviewReason[];
  warnings: ReviewReason[];
}

function blank(s: string | undefined): boolean {
  return s === undefined || s.trim() === '';
}

/** `signedAt` (RFC 3339 or `YYYY-MM-DD`) enables the "not before signature" check; without it that check is skipped. */
export function checkHandoff(
  deal: ResolvedDealCore,
  signedAt?: string,
  mapping: Mapping = activeMapping(),
): HandoffCheckResult {
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];
  const f = mapping.fields;
  const setIt = (entry: Mapping['fields']['csm'], suffix = '') =>
    `Set the ${entry.source.from}'s "${pipedriveFieldLabel(entry.source)}" field${suffix}.`;

  if (blank(deal.csmUserId)) {
    (f.csm.required ? reasons : warnings).push(
      reviewReason(
        'deal.csmUserId',
        'handoff.csm_missing',
        'No CSM assigned: onboarding has no owner after signature.',
        { suggestion: setIt(f.csm) },
      ),
    );
  }
  if (blank(deal.billingOwner)) {
    (f.billingOwner.required ? reasons : warnings).push(
      reviewReason(
        'deal.billingOwner',
        'handoff.billing_owner_missing',
        'No billing owner: finance has no one to contact about the first invoice.',
        {
          suggestion: setIt(f.billingOwner),
        },
      ),
    );
  }

  const ttvRaw = deal.expectedTimeToValue;
  if (blank(ttvRaw)) {
    (f.timeToValue.required ? reasons : warnings).push(
      reviewReason(
        'deal.expectedTimeToValue',
        'handoff.ttv_missing',
        'No expected time-to-value date: time-to-value cannot be reported for this customer.',
        {
          suggestion: setIt(f.timeToValue, ' (YYYY-MM-DD)'),
        },
      ),
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
        reviewReason(
          'deal.expectedTimeToValue',
          'handoff.ttv_before_signature',
          `Expected time-to-value (${ttv}) is before the contract was signed (${signed}).`,
          {
            suggestion: `Pick a date on or after ${signed}.`,
            value: ttvRaw,
          },
        ),
      );
    }
  }
  return { reasons, warnings };
}
