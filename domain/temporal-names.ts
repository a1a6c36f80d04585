/**
 * Names other systems rely on (docs/architecture.md#contracts): task queues, workflow type, signals, query and search
 * attributes. Pure: imported by workflow code, activities, starters and the docker-compose test alike.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * `ops`: the product's own control-plane workflow (ops-watch) and its activities, polled by a small worker of its own
 * in the worker process, so a burst of onboardings never queues ops-watch's workflow tasks behind theirs.
 */
export const TASK_QUEUES = { onboarding: 'onboarding', netsuite: 'netsuite', ops: 'ops' } as const;

/**
 * The NetSuite queue paired with a workflow queue: `netsuite` for the product's `onboarding` queue, and a derived
 * name for any other (tests and benchmarks run isolated queues side by side on one server).
 */
export function netsuiteTaskQueueFor(workflowTaskQueue: string): string {
  return workflowTaskQueue === TASK_QUEUES.onboarding ? TASK_QUEUES.netsuite : `${workflowTaskQueue}.netsuite`;
}

/** The ops queue paired with a workflow queue: `ops` for the product's `onboarding` queue; tests' isolated queues keep their own. */
export function opsTaskQueueFor(workflowTaskQueue: string): string {
  return workflowTaskQueue === TASK_QUEUES.onboarding ? TASK_QUEUES.ops : workflowTaskQueue;
}

export const WORKFLOW_TYPE = 'onboardDeal';

/**
 * `review`, `pause`, `resume` are the contract; `dealUpdated`, `reviewRefused` and `vendorRecovered` (ops-watch wakes
 * the onboardings waiting for a vendor that is back) are the product's own.
 */
export const SIGNALS = {
  review: 'review',
  pause: 'pause',
  resume: 'resume',
  dealUpdated: 'dealUpdated',
  reviewRefused: 'reviewRefused',
  vendorRecovered: 'vendorRecovered',
} as const;
export const QUERIES = { state: 'state' } as const;

export const SEARCH_ATTRIBUTES = {
  OnboardingState: defineSearchAttributeKey('OnboardingState', SearchAttributeType.KEYWORD),
  PipedriveDealId: defineSearchAttributeKey('PipedriveDealId', SearchAttributeType.KEYWORD),
  NetSuiteCustomerId: defineSearchAttributeKey('NetSuiteCustomerId', SearchAttributeType.KEYWORD),
  ReviewReason: defineSearchAttributeKey('ReviewReason', SearchAttributeType.KEYWORD),
} as const;

/** `--search-attribute` arguments for `temporal server start-dev` and `temporal operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_DECLARATIONS: ReadonlyArray<{ name: string; type: 'Keyword' }> = Object.keys(
  SEARCH_ATTRIBUTES,
).map((name) => ({ name, type: 'Keyword' as const }));
