/**
 * ops-watch's side of an edit waiting out an outage, on the real dev server: the visibility query that counts and
 * wakes the waiting runs (ops/activities/vendor-outages.ts) finds a `syncDealEdit` in WAITING_FOR_VENDOR as it finds
 * an onboarding, and `wakeVendorWaiters` resumes it at once instead of after its backoff timer.
 */
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import type { ReviewActivities } from '../../activities/slack-review-activities';
import type { NetSuiteCustomerSnapshot } from '../../domain/deal-edit';
import { VendorDownError } from '../../integrations/vendor-health';
import { createVendorOutageActivities, readVendorWaits } from '../../ops/activities/vendor-outages';
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { DealEditState } from '../../workflows/deal-edit';
import { stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait-until';
import { makeDeal } from '../unit/domain/fixtures';

/** NetSuite whose customer read meets an open breaker while `down`, and has no customer once up. */
class DownForEdits extends FakeNetSuite {
  down = true;
  reads = 0;
  async getCustomerSnapshot(): Promise<NetSuiteCustomerSnapshot | undefined> {
    this.reads += 1;
    if (this.down) throw new VendorDownError('netsuite', new Date().toISOString());
    return undefined;
  }
}

describe('an edit waiting for a vendor is counted and woken by ops-watch', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t?.close());

  it('visibility lists the waiting edit under its vendor; vendorRecovered resumes it before its 30 s timer', async () => {
    const cards: ReviewActivities = {
      postReviewCard: async () => ({ channel: 'C0REVIEW', ts: '1.0001' }),
      recordReviewDecision: async () => undefined,
      escalateReview: async () => undefined,
    };
    const netsuite = new DownForEdits();
    const activities = createOnboardingActivities({
      pipedrive: new FakePipedrive(makeDeal()),
      netsuite,
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: cards,
    });
    const taskQueue = uniqueTaskQueue('edit-vendor-wake');
    const externalId = `edit-wake-${Date.now().toString(36)}`;
    await runOnboardingWorkers(t, taskQueue, activities, async () => {
      const started = await new OnboardingStarter(t.connection, t.namespace).startDealEdit(
        { externalId, pipedriveDealId: '746', eventId: 'evt-wake', receivedAt: new Date().toISOString() },
        { taskQueue },
      );
      const handle = t.client.workflow.getHandle(started.workflowId);
      await waitUntil('the edit parked', async () =>
        (await handle.query(stateQuery)).state === 'WAITING_FOR_VENDOR' ? true : undefined,
      );
      const waits = await waitUntil('visibility to list it', async () => {
        const w = await readVendorWaits(t.client);
        return (w.byVendor.netsuite ?? 0) >= 1 ? w : undefined;
      });
      expect(waits.byVendor.netsuite).toBeGreaterThanOrEqual(1);

      netsuite.down = false;
      const parkedAt = Date.now();
      const woken = await createVendorOutageActivities(t.client).wakeVendorWaiters('netsuite');
      expect(woken).toBeGreaterThanOrEqual(1);
      const done = (await handle.result()) as DealEditState;
      // Woken by the signal, not by the 30 s timer.
      expect(Date.now() - parkedAt).toBeLessThan(20_000);
      expect(done.state).toBe('COMPLETED');
      expect(done.edit.outcome).toBe('no_customer');
      expect(done.auditTrail.some((e) => e.step === 'vendor-recovered')).toBe(true);
      expect(netsuite.reads).toBe(2);
    });
  }, 120_000);
});
