import type { RetryPolicy } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURES } from '../domain/failure-types';

/**
 * Vendor reads and writes of the batch workflows (reconciliation, backfill): transient failures back off over a few
 * minutes (≤ 5 retries), anything else fails the run at once; a rerun resumes where it stopped.
 */
export const batchVendorRetry: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  /** 1 try + 5 retries. */
  maximumAttempts: 6,
  nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
};
