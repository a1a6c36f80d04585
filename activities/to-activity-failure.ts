/** One place where a vendor failure becomes a Temporal failure, so every activity retries by the same rule. */
import { ApplicationFailure } from '@temporalio/common';
import { reviewReason, type ReviewReason } from '../domain/review-reason';
import { VendorError, type FailureKind } from '../integrations/vendor-error';
import { VendorDownError } from '../integrations/vendor-health';
import { FAILURE, type FailureType } from '../domain/failure-types';

const TYPE_BY_KIND: Record<FailureKind, FailureType> = {
  transient: FAILURE.transient,
  validation: FAILURE.validation,
  auth: FAILURE.auth,
  not_found: FAILURE.notFound,
  conflict: FAILURE.conflict,
};

/** Field-level reasons from a vendor's error details (NetSuite `o:errorPath`), for the reviewer. */
export function reasonsFromVendorError(err: VendorError): ReviewReason[] {
  const details = err.extra.details?.length ? err.extra.details : [{ code: err.extra.code, message: err.message }];
  return details.map((d) =>
    reviewReason(`${err.vendor}${d.path ? `.${d.path}` : ''}`, `${err.vendor}.${(d.code ?? err.kind).toLowerCase()}`, d.message),
  );
}

export function toActivityFailure(err: unknown): unknown {
  // Not retried here: retrying an open breaker only burns attempts; the workflow waits for the vendor instead.
  if (err instanceof VendorDownError) {
    return ApplicationFailure.create({ type: FAILURE.vendorDown, message: err.message, nonRetryable: true, details: [{ vendor: err.vendor, since: err.since }] });
  }
  if (!(err instanceof VendorError)) return err;
  const type = TYPE_BY_KIND[err.kind];
  return ApplicationFailure.create({
    type,
    message: `${err.vendor}: ${err.message}`,
    nonRetryable: type !== FAILURE.transient,
    details: [reasonsFromVendorError(err)],
    // Honour the vendor's Retry-After instead of our own backoff for this one attempt.
    nextRetryDelay: err.extra.retryAfterMs !== undefined ? err.extra.retryAfterMs : undefined,
  });
}

/** Wraps an activity implementation so vendor failures leave it already classified. */
export function classified<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
