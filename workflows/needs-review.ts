/**
 * Why a transaction stopped for a human. Activity failures are classified by their ApplicationFailure type
 * (domain/failure-types.ts): anything that reaches the workflow has either been retried by policy already
 * (transient) or could never succeed by retrying (validation, auth, not found, conflict).
 */
import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FAILURE } from '../domain/failure-types';
import { reviewReason, type ReviewReason } from '../domain/review-reason';
import type { ReviewKind } from '../domain/transaction';

export class NeedsReview extends Error {
  constructor(
    readonly kind: ReviewKind,
    readonly reasons: ReviewReason[],
  ) {
    super(`needs review (${kind}): ${reasons.map((r) => r.code).join(', ')}`);
  }
}

function reasonsFrom(failure: ApplicationFailure): ReviewReason[] {
  const details = failure.details?.[0];
  return Array.isArray(details) && details.length > 0
    ? (details as ReviewReason[])
    : [reviewReason('transaction', failure.type ?? 'error', failure.message)];
}

/** Maps a failure to a review; a failure that is not an activity's (a bug in workflow code) is rethrown. */
export function asNeedsReview(err: unknown): NeedsReview {
  if (err instanceof NeedsReview) return err;
  // A local activity's failure (the billing rules) arrives as the ApplicationFailure itself: a review, as for any activity.
  if (err instanceof ApplicationFailure)
    return asNeedsReview(
      new ActivityFailure(err.message, 'billingRules', undefined, RetryState.NON_RETRYABLE_FAILURE, undefined, err),
    );
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    switch (cause.type) {
      case FAILURE.auth:
        return new NeedsReview('auth', reasonsFrom(cause));
      case FAILURE.vendorDown:
        // Where the caller does not wait outages out (workflows/vendor-wait.ts): a review a bulk retry can find.
        return new NeedsReview('transient', [
          reviewReason(`activity.${err.activityType}`, 'vendor_outage', cause.message, {
            suggestion: 'Retry once the vendor is back.',
          }),
        ]);
      case FAILURE.validation:
      case FAILURE.notFound:
      case FAILURE.conflict:
        return new NeedsReview('validation', reasonsFrom(cause));
      default:
        return new NeedsReview('transient', [
          ...reasonsFrom(cause).map((r) => ({
            ...r,
            code: 'retries_exhausted',
            message: `Still failing after every retry: ${r.message}`,
          })),
        ]);
    }
  }
  const what = cause instanceof TimeoutFailure ? 'timed out' : (cause?.message ?? err.message);
  return new NeedsReview('transient', [
    reviewReason(`activity.${err.activityType}`, 'retries_exhausted', `${err.activityType} ${what} on every attempt.`, {
      suggestion: 'Check the service is up, then retry.',
    }),
  ]);
}
