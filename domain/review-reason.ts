/**
 * One field-level finding shown to the reviewer (Slack card, Pipedrive note, `ReviewReason` search attribute).
 * The same shape is used for blocking reasons and for non-blocking warnings, so both render the same way.
 */
export interface ReviewReason {
  /** Canonical field path, e.g. `person.email`, `organization.taxId`, `deal.csmUserId`. */
  field: string;
  /** Stable machine code, e.g. `email.invalid`, `tax_id.missing`; dashboards and tests key on it. */
  code: string;
  /** What is wrong, in words a billing operator understands. */
  message: string;
  /** How to fix it, when we can tell (e.g. the list of valid subsidiary names). */
  suggestion?: string;
  /** The offending value as received, so the reviewer does not have to open Pipedrive. */
  value?: string;
}

/** Builds a reason without `undefined`-valued keys, so it stays stable through JSON round trips (Temporal payloads). */
export function reviewReason(
  field: string,
  code: string,
  message: string,
  extra: { suggestion?: string | undefined; value?: string | undefined } = {},
): ReviewReason {
  const reason: ReviewReason = { field, code, message };
  if (extra.suggestion !== undefined) reason.suggestion = extra.suggestion;
  if (extra.value !== undefined) reason.value = extra.value;
  return reason;
}
