/**
 * The ApplicationFailure types activities throw (DESIGN.md §2's failure classes). Shared with the workflow,
 * which branches on them, and with retry policies, which list the non-retryable ones. Pure: no imports.
 */
export const FAILURE = {
  transient: 'TransientError',
  validation: 'ValidationError',
  auth: 'AuthError',
  notFound: 'NotFound',
  conflict: 'Conflict',
  possibleDuplicate: 'PossibleDuplicate',
} as const;
export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/** Everything except transient failures goes to review at once: retrying cannot fix bad data or bad credentials. */
export const NON_RETRYABLE_FAILURES: FailureType[] = [FAILURE.validation, FAILURE.auth, FAILURE.notFound, FAILURE.conflict, FAILURE.possibleDuplicate];
