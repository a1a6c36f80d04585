/**
 * The ApplicationFailure types activities throw (the failure classes of docs/architecture.md#failures). Shared with the workflow,
 * which branches on them, and with retry policies, which list the non-retryable ones. Pure: no imports.
 */
export const FAILURE = {
  transient: 'TransientError',
  validation: 'ValidationError',
  auth: 'AuthError',
  notFound: 'NotFound',
  conflict: 'Conflict',
  possibleDuplicate: 'PossibleDuplicate',
  /**
   * The vendor's circuit breaker is open (integrations/vendor-health.ts): not called, not retried. The onboarding
   * parks in WAITING_FOR_VENDOR and tries the step again when the vendor is back. Details: `[{ vendor, since }]`.
   */
  vendorDown: 'VENDOR_DOWN',
} as const;
export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/** Attempts of a transient failure before review (1 try + 5 retries, the guide's bound); the activity proxies use it. */
export const TRANSIENT_MAX_ATTEMPTS = 6;

/** Everything except transient failures goes to review at once: retrying cannot fix bad data or bad credentials. */
export const NON_RETRYABLE_FAILURES: FailureType[] = [
  FAILURE.validation,
  FAILURE.auth,
  FAILURE.notFound,
  FAILURE.conflict,
  FAILURE.possibleDuplicate,
  FAILURE.vendorDown,
];
