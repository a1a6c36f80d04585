/**
 * The canonical external_id (the guide's "immutable external_id"): the Temporal workflow ID, NetSuite
 * `customer.externalId` (addressed as `eid:<id>`) and the Pipedrive deal's "External ID" field.
 * Pure: `uuid`'s v5 is SHA-1 in plain JS in the workflow bundle, so this runs inside the Temporal sandbox.
 */
import { v5 as uuidv5 } from 'uuid';

/**
 * Namespace for UUIDv5 external ids of Pipedrive deals. Generated once at random for this project; it must NEVER
 * change: changing it would give every deal that has not yet had its id written back a new external_id, i.e. a
 * second workflow and a second NetSuite customer.
 */
export const EXTERNAL_ID_NAMESPACE = 'b8a40298-99c5-49b7-b4e2-47f20e4ddfb9';

/** Prefix of derived ids: says where the id came from when an operator sees it in NetSuite. */
export const DERIVED_EXTERNAL_ID_PREFIX = 'pd-';

export const EXTERNAL_ID_MAX_LENGTH = 64;

/** NetSuite `eid:` accepts letters, digits, `_` and `-` only (`|` breaks the URL form); Temporal accepts them too. */
const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Workflow ids the product gives its own workflows (ops-watch and its ledger shards, backfill, reconciliation runs
 * and their schedule) and the edit-after-onboarding form `<id>-edit-<event>`. The external id is a workflow id, so a
 * deal whose External ID field says `ops-watch` would otherwise signal, or be refused as a duplicate of, the product's
 * own workflows. Matched case-insensitively: close enough to confuse an operator reading the Web UI is close enough.
 */
const SYSTEM_WORKFLOW_IDS = /^(ops-watch(-.*)?|backfill|backfill-dry-run|reconcile-.*|reconciliation-daily)$|-edit-/i;

export function isSystemWorkflowId(s: string): boolean {
  return SYSTEM_WORKFLOW_IDS.test(s);
}

export function isValidExternalId(s: unknown): s is string {
  return typeof s === 'string' && EXTERNAL_ID_PATTERN.test(s) && !isSystemWorkflowId(s);
}

/**
 * The NetSuite custom entity field that records which Pipedrive deal a customer was created for: an External ID is
 * only ever used to write to a customer whose field is empty or names the same deal (a copied deal carries its
 * original's External ID). The one place this field id is spelled; NetSuite returns custom field ids in lowercase.
 */
export const PIPEDRIVE_DEAL_ID_FIELD = 'custentity_pd_deal_id';

export interface DeriveExternalIdInput {
  /** Pipedrive company id (`meta.company_id`): deal ids are only unique within a company. */
  companyId: string | number;
  dealId: string | number;
  /** Value already in the deal's "External ID" field, if any: an id once written is never replaced. */
  existing?: string | null | undefined;
}

/**
 * The deal's external_id: the existing one when it is valid (immutability), else `pd-` + UUIDv5 of
 * `${companyId}:${dealId}`, the same in every process and on every retry, so two webhooks for the same deal
 * always start the same workflow.
 */
export function deriveExternalId({ companyId, dealId, existing }: DeriveExternalIdInput): string {
  const kept = typeof existing === 'string' ? existing.trim() : '';
  if (isValidExternalId(kept)) return kept;
  return (
    DERIVED_EXTERNAL_ID_PREFIX + uuidv5(`${String(companyId).trim()}:${String(dealId).trim()}`, EXTERNAL_ID_NAMESPACE)
  );
}

/**
 * A child id derived from an external_id (e.g. the first invoice's): `<prefix><externalId><suffix>` when that
 * fits the eid rules, else `<prefix>` + UUIDv5 of the external_id + `<suffix>`, still deterministic and ≤ 64.
 */
export function deriveChildExternalId(prefix: string, externalId: string, suffix: string): string {
  const direct = `${prefix}${externalId}${suffix}`;
  if (isValidExternalId(direct)) return direct;
  const hashed = `${prefix}${uuidv5(externalId, EXTERNAL_ID_NAMESPACE)}${suffix}`;
  if (!isValidExternalId(hashed))
    throw new Error(`cannot derive a valid external id from prefix "${prefix}" and suffix "${suffix}"`);
  return hashed;
}
