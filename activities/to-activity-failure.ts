/** One place where a vendor failure becomes a Temporal failure, so every activity retries by the same rule. */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { reviewReason, type ReviewReason } from '../domain/review-reason';
import { VendorError, type FailureKind, type Vendor } from '../integrations/vendor-error';
import { processVendorHealth, VENDORS, VendorDownError } from '../integrations/vendor-health';
import { FAILURE, TRANSIENT_MAX_ATTEMPTS, type FailureType } from '../domain/failure-types';

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
    reviewReason(
      `${err.vendor}${d.path ? `.${d.path}` : ''}`,
      `${err.vendor}.${(d.code ?? err.kind).toLowerCase()}`,
      d.message,
    ),
  );
}

/**
 * A transient failure about to end in review (the last attempt, or a failed async job, which no retry can change)
 * while the vendor fails many callers at once (integrations/vendor-health.ts `degraded`): VENDOR_DOWN instead, so
 * the onboarding waits and runs the step again (a failed job under a new idempotency key) rather than asking a human.
 * With the vendor answering everyone else, the failure is this deal's own and goes to review as before.
 */
function degradedVendorFailure(vendor: Vendor, message: string, jobFailed: boolean): ApplicationFailure | undefined {
  if (!processVendorHealth()?.[vendor]?.degraded()) return undefined;
  let attempt: number;
  try {
    attempt = Context.current().info.attempt;
  } catch {
    return undefined;
  }
  if (!jobFailed && attempt < TRANSIENT_MAX_ATTEMPTS) return undefined;
  return ApplicationFailure.create({
    type: FAILURE.vendorDown,
    message: `${message} (${vendor} is failing many onboardings at once: waiting instead of review)`.slice(0, 1000),
    nonRetryable: true,
    details: [{ vendor, since: new Date().toISOString(), degraded: true, ...(jobFailed ? { jobFailed: true } : {}) }],
  });
}

export function toActivityFailure(err: unknown): unknown {
  // A failed async job (activities/netsuite-activities.ts): final for that job, but a new one may well succeed.
  if (err instanceof ApplicationFailure && err.type === FAILURE.transient && err.nonRetryable) {
    // Its details are the review reasons, as one array (checkCustomerJob) or spread.
    const first: unknown = Array.isArray(err.details?.[0]) ? (err.details[0] as unknown[])[0] : err.details?.[0];
    const field = (first as { field?: unknown } | undefined)?.field;
    const vendor = VENDORS.find((v) => typeof field === 'string' && field.split('.')[0] === v);
    return (vendor && degradedVendorFailure(vendor, err.message, true)) || err;
  }
  // Not retried here: retrying an open breaker only burns attempts; the workflow waits for the vendor instead.
  if (err instanceof VendorDownError) {
    return ApplicationFailure.create({
      type: FAILURE.vendorDown,
      message: err.message,
      nonRetryable: true,
      details: [{ vendor: err.vendor, since: err.since }],
    });
  }
  if (!(err instanceof VendorError)) return err;
  const type = TYPE_BY_KIND[err.kind];
  const degraded =
    type === FAILURE.transient ? degradedVendorFailure(err.vendor, `${err.vendor}: ${err.message}`, false) : undefined;
  if (degraded) return degraded;
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
