/**
 * Activity stubs with their retry policies written out where they are used (docs/architecture.md#failures): transient failures get
 * bounded exponential backoff, at most 5 retries, honouring Retry-After; everything else goes to review at once.
 */
import { proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/auth-alert-activities';
import type { NetSuiteActivities } from '../activities/netsuite-activities';
import type { PipedriveActivities } from '../activities/pipedrive-activities';
import type { ReviewActivities, ReviewCardUpdateActivities } from '../activities/slack-review-activities';
import { NON_RETRYABLE_FAILURES, TRANSIENT_MAX_ATTEMPTS } from '../domain/failure-types';
import { netsuiteTaskQueueFor } from '../domain/temporal-names';

const retry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  /** 1 try + 5 retries. */
  maximumAttempts: TRANSIENT_MAX_ATTEMPTS,
  nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
};

/**
 * Telling people is never allowed to hold the transaction up: a few quick retries, then the failure is recorded
 * in the audit trail and the review still waits for its signal (the CLI and Web UI can answer it).
 */
const notifyRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 4,
  nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
};

/**
 * The worker heartbeats for every running activity (workers/heartbeat-interceptor.ts): a dead worker's activities
 * are retried after this, not after their startToCloseTimeout (bench R1: a worker killed every 10 s).
 */
const heartbeatTimeout = '10 seconds';

/** Short reads that may run as local activities (`localReads`): no write, safe to repeat, a few ms to answer. */
const PIPEDRIVE_READS = ['fetchDeal', 'dealClaimFacts'] as const;
const PIPEDRIVE_ANNOTATION = ['annotateDealOnboarded'] as const;
const NETSUITE_READS = ['findPossibleDuplicates', 'checkExternalIdOwner'] as const;

/** `queued` with the activities named in `names` taken from `local` instead. */
function withLocal<T extends object, K extends keyof T>(queued: T, local: Pick<T, K>, names: readonly K[]): T {
  return new Proxy(queued, {
    get: (target, prop, receiver) =>
      (names as readonly PropertyKey[]).includes(prop) ? local[prop as K] : Reflect.get(target, prop, receiver),
  });
}

/**
 * `localReads`: the short reads above run as local activities inside the workflow task that asks for them, so each
 * saves an activity task (3 events, a matching dispatch) and usually a workflow task (docs/lean-worker.md). Their
 * retries are the same policy, run by the worker within the task; the NetSuite ones still pass the process's
 * NetSuite client and its concurrency limiter, as the billing rules do.
 * `localAnnotation` (with `localReads`): the deal's closing annotation too, an idempotent write.
 */
export function activityProxies(
  workflowTaskQueue: string,
  opts: { localReads?: boolean; localAnnotation?: boolean } = {},
) {
  const pipedrive = proxyActivities<PipedriveActivities>({
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout,
    retry,
  });
  const netsuite = proxyActivities<NetSuiteActivities>({
    taskQueue: netsuiteTaskQueueFor(workflowTaskQueue),
    // NetSuite's own timeout is far longer; a call that takes this long is treated as lost and retried.
    startToCloseTimeout: '60 seconds',
    heartbeatTimeout,
    retry,
  });
  return {
    review: proxyActivities<ReviewActivities & ReviewCardUpdateActivities>({
      startToCloseTimeout: '30 seconds',
      heartbeatTimeout,
      retry: notifyRetry,
    }),
    /** Light Pipedrive and alert calls run on the workflow's own task queue. */
    pipedrive: opts.localReads
      ? withLocal(
          pipedrive,
          proxyLocalActivities<
            Pick<PipedriveActivities, (typeof PIPEDRIVE_READS)[number] | (typeof PIPEDRIVE_ANNOTATION)[number]>
          >({
            startToCloseTimeout: '30 seconds',
            retry,
          }),
          [...PIPEDRIVE_READS, ...(opts.localAnnotation ? PIPEDRIVE_ANNOTATION : [])],
        )
      : pipedrive,
    alerts: proxyActivities<AlertActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout, retry }),
    /** Local billing rules (validation, invoice plan): on the workflow's queue, never waiting for a NetSuite slot. */
    billingRules: proxyActivities<Pick<NetSuiteActivities, 'validateDeal' | 'planFirstInvoice'>>({
      startToCloseTimeout: '60 seconds',
      heartbeatTimeout,
      retry,
    }),
    /**
     * The same rules as local activities, run inside the workflow task that asks for them: no activity task and no
     * extra workflow task per rule, which the dev server's single SQLite writer pays for (P2/P3 in bench/results).
     */
    localBillingRules: proxyLocalActivities<Pick<NetSuiteActivities, 'validateDeal' | 'planFirstInvoice'>>({
      startToCloseTimeout: '60 seconds',
      retry,
    }),
    /** NetSuite calls have their own queue, whose worker bounds concurrency to the account's budget. */
    netsuite: opts.localReads
      ? withLocal(
          netsuite,
          proxyLocalActivities<Pick<NetSuiteActivities, (typeof NETSUITE_READS)[number]>>({
            startToCloseTimeout: '60 seconds',
            retry,
          }),
          NETSUITE_READS,
        )
      : netsuite,
  };
}
