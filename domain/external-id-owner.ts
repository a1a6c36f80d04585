/**
 * Who an External ID belongs to. A NetSuite customer records the Pipedrive deal it was created for
 * (PIPEDRIVE_DEAL_ID_FIELD); Pipedrive's "duplicate deal" copies the External ID field, and anyone can type one, so
 * before anything writes to `eid:<id>` the customer's recorded deal is compared with the deal doing the write. Pure:
 * the workflows and the NetSuite activities share it.
 */
import { PIPEDRIVE_DEAL_ID_FIELD } from './external-id';
import { reviewReason, type ReviewReason } from './review-reason';

export const BELONGS_TO_DEAL = 'external_id.belongs_to_deal';

/** The `patched()` id of the ownership checks in onboardDeal and syncDealEdit (runs started before them replay unchanged). */
export const EXTERNAL_ID_OWNER_PATCH = 'external-id-owner';

/**
 * The deal id a customer record names, from a REST record (custom fields at the top level) or a snapshot
 * (`customFields`); undefined when the field is empty: a customer created before the field existed, or by another
 * connector, belongs to no deal yet, and the first onboarding that writes it claims it.
 */
export function ownerDealIdOf(record: object | undefined): string | undefined {
  if (!record) return undefined;
  const fields = record as Record<string, unknown>;
  const custom = fields.customFields as Record<string, unknown> | undefined;
  const value = fields[PIPEDRIVE_DEAL_ID_FIELD] ?? custom?.[PIPEDRIVE_DEAL_ID_FIELD];
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
  return text === '' ? undefined : text;
}

export interface OwnershipCheck {
  externalId: string;
  /** The deal about to write by `eid:externalId`. */
  dealId: string;
  /** The customer that holds the External ID now, if any. */
  customer: { id: string } | undefined;
}

/** The review reason when the External ID's customer was created for another deal; undefined when the write may go ahead. */
export function externalIdOwnershipConflict({
  externalId,
  dealId,
  customer,
}: OwnershipCheck): ReviewReason | undefined {
  const owner = ownerDealIdOf(customer);
  if (owner === undefined || owner === String(dealId).trim()) return undefined;
  return reviewReason(
    'deal.externalId',
    BELONGS_TO_DEAL,
    `External ID ${externalId} belongs to Pipedrive deal ${owner} (NetSuite customer ${customer?.id ?? '?'} was created for it), not to deal ${dealId}: nothing was written to that customer.`,
    {
      suggestion: `Deal ${dealId} is probably a copy of deal ${owner}. Cancel this run, clear the External ID on deal ${dealId} so it gets its own id, then move it to Contract Signed again.`,
      value: owner,
    },
  );
}
