/**
 * `onboardDeal` on a time-skipping server with the real activities over in-memory vendor ports
 * (test/helpers/fake-vendors.ts): only the clock is fake, and every fake records the server's time of each call.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { createOnboardingActivities } from '../../../activities/onboarding-activities';
import type { NetSuiteActivityOptions } from '../../../activities/netsuite-activities';
import type { ReviewActivities } from '../../../activities/slack-review-activities';
import type { ReviewCardInput, ReviewCardRef } from '../../../domain/review-card';
import type { OnboardingState } from '../../../domain/states';
import type { OnboardingSettings, ReviewDecision, TransactionState } from '../../../domain/transaction';
import { OnboardingStarter } from '../../../starters/start-onboarding';
import type { onboardDeal } from '../../../workflows';
import { stateQuery } from '../../../workflows/messages';
import type { FakeNetSuite, FakePipedrive } from '../../helpers/fake-vendors';
import { runOnboardingWorkers } from '../../helpers/onboarding-workers';
import { uniqueTaskQueue } from '../../helpers/temporal';
import type { TimeSkippingTemporal } from '../../helpers/time-skipping';
import { DAY, eventually } from './clock';

/** A review channel that answers at once and notes the server time of every escalation. */
export class ClockedReviewChannel implements ReviewActivities {
  cards: ReviewCardInput[] = [];
  escalations: Array<{ escalation: number; waitingSince: string; at: number }> = [];
  decisions: Array<{ action: string; actor: string }> = [];
  constructor(private readonly now: () => Promise<number>) {}
  async postReviewCard(card: ReviewCardInput): Promise<ReviewCardRef> {
    this.cards.push(card);
    return { channel: 'C0REVIEW', ts: `${this.cards.length}.0001` };
  }
  async recordReviewDecision(_ref: ReviewCardRef, _card: ReviewCardInput, decision: ReviewDecision) {
    this.decisions.push({ action: decision.action, actor: decision.actor });
  }
  async escalateReview(_ref: ReviewCardRef, _card: ReviewCardInput, escalation: number, waitingSince: string) {
    this.escalations.push({ escalation, waitingSince, at: await this.now() });
  }
}

export interface Vendors {
  netsuite: FakeNetSuite;
  pipedrive: FakePipedrive;
  review: ClockedReviewChannel;
  netsuiteOptions?: Partial<NetSuiteActivityOptions>;
}

/** Runs the onboarding workers on a queue of their own around `fn`. */
export function withOnboardingWorkers<T>(
  t: TimeSkippingTemporal,
  v: Vendors,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('time-skipping');
  const activities = createOnboardingActivities({
    pipedrive: v.pipedrive,
    netsuite: v.netsuite,
    netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: DAY, ...v.netsuiteOptions },
    review: v.review,
    alerts: { alert: async () => undefined },
  });
  return runOnboardingWorkers(t, taskQueue, activities, () => fn(taskQueue));
}

/** Starts an onboarding as the intake does (tests/helpers' starter, default settings unless given). */
export async function startOnboarding(
  t: TimeSkippingTemporal,
  taskQueue: string,
  settings: OnboardingSettings = {},
): Promise<WorkflowHandle<typeof onboardDeal>> {
  const externalId = `ts-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const started = await new OnboardingStarter(t.env.connection, t.namespace, settings).startOnboarding(
    {
      externalId,
      pipedriveDealId: '746',
      eventId: 'evt',
      receivedAt: new Date(await t.env.currentTimeMs()).toISOString(),
    },
    { taskQueue },
  );
  expect(started.outcome).toBe('started');
  return t.env.client.workflow.getHandle<typeof onboardDeal>(externalId);
}

export function waitForState(handle: WorkflowHandle, state: OnboardingState): Promise<TransactionState> {
  let last: TransactionState | undefined;
  return eventually(`state ${state}`, async () => {
    last = await handle.query(stateQuery);
    return last.state === state ? last : undefined;
  }).catch((err: Error) => {
    throw new Error(
      `${err.message}; last ${last?.state} ${JSON.stringify(last?.reviewReasons)}: ${JSON.stringify(last?.auditTrail.slice(-5))}`,
    );
  });
}
