/**
 * The first invoice of a new customer: dated, priced from the onboarding package, and keyed by an externalId
 * derived from the transaction's external_id so the invoice activity can look it up before creating it
 * (docs/architecture.md#idempotency). Pure: the workflow computes the plan, sleeps a durable timer until `tranDate`, then asks the
 * NetSuite activity to create exactly this body.
 */
import type { ResolvedDeal } from './canonical-deal';
import { addDays, calendarDateOf, compareCalendarDates, parseCalendarDate, type CalendarDate } from './calendar-date';
import { deriveChildExternalId, isValidExternalId } from './external-id';
import type { NetSuiteInvoiceBody, NetSuiteInvoiceLine } from './netsuite-records';
import type { ReferenceData } from './reference-data';
import { activeMapping } from './mapping/active-mapping';
import { resolveCurrency, resolvePackage, resolveSubsidiary, resolveTerms } from './reference-resolution';
import { normalizeCountryCode } from './countries';
import { reviewReason, type ReviewReason } from './review-reason';

/**
 * `inv-<externalId>-1` (the first invoice of the transaction). An external_id long enough to push this past 64
 * characters is replaced by its UUIDv5, so the result is always a valid, stable `eid:`.
 */
export function invoiceExternalId(externalId: string, sequence = 1): string {
  return deriveChildExternalId('inv-', externalId, `-${sequence}`);
}

export interface PlanFirstInvoiceInput {
  externalId: string;
  /** NetSuite internal id of the customer (after the upsert). */
  customerId: string;
  deal: ResolvedDeal;
  ref: ReferenceData;
  /** Days after signature when the deal has no "First invoice date". */
  defaultInvoiceDelayDays: number;
  /** When the contract was signed (RFC 3339 or YYYY-MM-DD); from the workflow input, never from a clock. */
  signedAt: string;
  /**
   * Subsidiary and terms of the customer as NetSuite holds them, when the caller has read them back. NetSuite owns
   * these after creation (docs/architecture.md#ownership) and rejects an invoice whose subsidiary differs from its customer's, so
   * they win over what Pipedrive says now.
   */
  netsuiteCustomer?: { subsidiaryId?: string; termsId?: string };
}

export type InvoicePlanResult =
  | { ok: true; invoice: NetSuiteInvoiceBody; invoiceDate: CalendarDate; total: number; warnings: ReviewReason[] }
  | { ok: false; reasons: ReviewReason[]; warnings: ReviewReason[] };

/** Money in cents-safe arithmetic: rate × quantity rounded to 2 decimals. */
function lineAmount(rate: number, quantity: number): number {
  return Math.round(rate * quantity * 100) / 100;
}

export function planFirstInvoice(input: PlanFirstInvoiceInput): InvoicePlanResult {
  const { externalId, customerId, deal, ref, defaultInvoiceDelayDays, signedAt } = input;
  // The template the deal was fetched with (the customer was mapped with the same one).
  const mapping = deal.mapping ?? activeMapping();
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];

  if (!isValidExternalId(externalId)) {
    reasons.push(
      reviewReason('deal.externalId', 'external_id.invalid', 'External ID must be 1–64 letters, digits, "-" or "_".', {
        value: externalId,
      }),
    );
  }
  if (customerId.trim() === '') {
    reasons.push(
      reviewReason('netsuite.customerId', 'invoice.customer_missing', 'No NetSuite customer id to invoice.'),
    );
  }

  // Date: the deal's explicit first invoice date wins; else signature + the configured delay.
  const signedDate = calendarDateOf(signedAt);
  let tranDate: CalendarDate | undefined;
  const explicit = deal.deal.firstInvoiceDate?.trim();
  if (explicit) {
    tranDate = parseCalendarDate(explicit);
    if (tranDate === undefined) {
      reasons.push(
        reviewReason('deal.firstInvoiceDate', 'invoice.date_invalid', 'First invoice date is not a valid date.', {
          suggestion: 'Use YYYY-MM-DD, or clear it to use the default delay.',
          value: explicit,
        }),
      );
    } else if (signedDate !== undefined && compareCalendarDates(tranDate, signedDate) < 0) {
      warnings.push(
        reviewReason(
          'deal.firstInvoiceDate',
          'invoice.date_before_signature',
          `First invoice date ${tranDate} is before the signature (${signedDate}); the invoice is created right away.`,
          { value: explicit },
        ),
      );
    }
  } else if (signedDate === undefined) {
    reasons.push(
      reviewReason(
        'deal.signedAt',
        'invoice.signed_at_invalid',
        'Cannot date the invoice: the signature time is not a valid date.',
        { value: signedAt },
      ),
    );
  } else if (!Number.isInteger(defaultInvoiceDelayDays) || defaultInvoiceDelayDays < 0) {
    reasons.push(
      reviewReason(
        'config.defaultInvoiceDelayDays',
        'invoice.delay_invalid',
        'The default invoice delay must be a whole number of days ≥ 0.',
        { value: String(defaultInvoiceDelayDays) },
      ),
    );
  } else {
    tranDate = addDays(signedDate, defaultInvoiceDelayDays);
  }

  const org = deal.organization;
  const owned = input.netsuiteCustomer;
  let subsidiaryId = owned?.subsidiaryId;
  if (!subsidiaryId) {
    const resolved = resolveSubsidiary(
      org?.subsidiary,
      normalizeCountryCode(org?.address?.country),
      ref.subsidiaries,
      mapping,
    );
    if (resolved.ok) subsidiaryId = resolved.subsidiary.id;
    else reasons.push(resolved.reason);
  }
  let termsId = owned?.termsId;
  if (!termsId) {
    const resolved = resolveTerms(org?.paymentTerms, ref.terms, mapping);
    if (resolved.ok) termsId = resolved.terms.id;
    else reasons.push(resolved.reason);
  }
  const pkg = resolvePackage(deal.deal.onboardingPackage, ref.items, mapping);
  if (!pkg.ok) reasons.push(...pkg.reasons);
  // The invoice is in the deal's currency, as the customer is (customer-mapping.ts); unknown ⇒ review.
  const currency = resolveCurrency(deal.deal.currency, ref.currencies, mapping);
  if (!currency.ok) reasons.push(currency.reason);

  if (reasons.length > 0 || tranDate === undefined || !subsidiaryId || !termsId || !pkg.ok || !currency.ok) {
    return { ok: false, reasons, warnings };
  }

  const lines: NetSuiteInvoiceLine[] = pkg.lines.map((l) => ({
    item: { id: l.item.id },
    quantity: l.quantity,
    rate: l.rate,
    amount: lineAmount(l.rate, l.quantity),
    description: l.item.displayName,
  }));
  const total = Math.round(lines.reduce((sum, l) => sum + l.amount * 100, 0)) / 100;
  const invoice: NetSuiteInvoiceBody = {
    externalId: invoiceExternalId(externalId),
    entity: { id: customerId.trim() },
    subsidiary: { id: subsidiaryId },
    terms: { id: termsId },
    ...(currency.currency && mapping.fields.currency.target ? { currency: { id: currency.currency.id } } : {}),
    tranDate,
    memo: `${pkg.pkg.name} — Pipedrive deal ${deal.deal.id} (${externalId})`,
    item: { items: lines },
  };
  return { ok: true, invoice, invoiceDate: tranDate, total, warnings };
}
