/**
 * A run that continues as new while it waits out a vendor outage keeps the wait's start (workflows/vendor-wait.ts,
 * CarriedState.vendorWait): the review allowance counts from the first VENDOR_DOWN, not from the hand-over. Real dev
 * server (the time-skipping server never suggests continue-as-new): a flood of large change signals makes Temporal
 * suggest it, the run hands over at its next try, and the review comes one allowance after the park.
 */
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import type { ReviewActivities } from '../../activities/slack-review-activities';
import type { TransactionState } from '../../domain/transaction';
import { VendorDownError } from '../../integrations/vendor-health';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { dealUpdatedSignal, reviewSignal, stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait-until';
import { makeDeal } from '../unit/domain/fixtures';

const ALLOWANCE_MS = 90_000;

class DownNetSuite extends FakeNetSuite {
  override async upsertCustomer(): Promise<{ customerId: string }> {
    this.upsertCalls += 1;
    throw new VendorDownError('netsuite', '2026-12-05T06:00:00.000Z');
  }
}

describe('continue-as-new while waiting for a vendor', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t?.close());

  it('keeps the allowance counting from the first park, not from the hand-over', async () => {
    const cards: ReviewActivities = {
      postReviewCard: async () => ({ channel: 'C0REVIEW', ts: '1.0001' }),
      recordReviewDecision: async () => undefined,
      escalateReview: async () => undefined,
    };
    const activities = createOnboardingActivities({
      pipedrive: new FakePipedrive(makeDeal()),
      netsuite: new DownNetSuite(),
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: cards,
    });
    const taskQueue = uniqueTaskQueue('vendor-handover');
    const externalId = `handover-${Date.now().toString(36)}`;
    await runOnboardingWorkers(t, taskQueue, activities, async () => {
      await new OnboardingStarter(t.connection, t.namespace, {
        vendorOutageReviewAfterMs: ALLOWANCE_MS,
      }).startOnboarding({ externalId, pipedriveDealId: '746', receivedAt: new Date().toISOString() }, { taskQueue });
      const handle = t.client.workflow.getHandle(externalId);
      const parked = await waitUntil('the run parked', async () => {
        const s = await handle.query(stateQuery);
        return s.state === 'WAITING_FOR_VENDOR' ? s : undefined;
      });
      const parkedAt = Date.parse(parked.auditTrail.find((e) => e.detail?.endsWith('→ WAITING_FOR_VENDOR'))!.at);
      const firstRun = (await handle.describe()).runId;

      // ~600 KB apiece: Temporal suggests continue-as-new; the run hands over when its 30 s timer wakes it.
      const changedFields = Array.from({ length: 5_000 }, (_, i) => `${String(i).padStart(6, '0')}${'f'.repeat(114)}`);
      for (let i = 0; i < 10; i++)
        await handle.signal(dealUpdatedSignal, {
          eventId: `evt-handover-${i}`,
          changedFields,
          at: new Date().toISOString(),
          dealId: '746',
        });
      await waitUntil(
        'the run to continue as new',
        async () => ((await handle.describe()).runId !== firstRun ? true : undefined),
        { timeoutMs: 60_000 },
      );

      const inReview = await waitUntil(
        'the review',
        async () => {
          const s = await handle.query(stateQuery);
          return s.state === 'NEEDS_REVIEW' ? s : undefined;
        },
        { timeoutMs: 3 * 60_000 },
      );
      expect(inReview.reviewReasons[0]?.code).toBe('vendor_outage');
      // Down since the first park, as the first run saw it.
      expect(inReview.reviewReasons[0]?.message).toContain(new Date(parkedAt).toISOString().slice(0, 19));
      const reviewedAt = Date.parse(inReview.auditTrail.filter((e) => e.detail?.endsWith('→ NEEDS_REVIEW')).at(-1)!.at);
      // One allowance after the park (a fresh one from the hand-over at ~30 s would put it past 120 s).
      expect(reviewedAt - parkedAt).toBeGreaterThanOrEqual(ALLOWANCE_MS - 2_000);
      expect(reviewedAt - parkedAt).toBeLessThan(ALLOWANCE_MS + 15_000);

      await handle.signal(reviewSignal, { action: 'cancel', actor: 'ops', reason: 'test done' });
      expect(((await handle.result()) as TransactionState).state).toBe('CANCELLED');
    });
  }, 300_000);
});
