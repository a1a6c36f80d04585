/**
 * The degraded-vendor rule on the real dev server (activities/to-activity-failure.ts, integrations/vendor-health.ts):
 * the ports behind the process's breakers as workers/activity-dependencies.ts wires them. When NetSuite fails the
 * customer upsert for several onboardings at once, their last attempt becomes VENDOR_DOWN and they wait in
 * WAITING_FOR_VENDOR; when it fails for one deal only while others succeed, that deal goes to review after its
 * 6 attempts, as the guide wants.
 */
import { Context } from '@temporalio/activity';
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import type { ReviewActivities } from '../../activities/slack-review-activities';
import { VendorError } from '../../integrations/vendor-error';
import { createVendorHealth, guarded, setProcessVendorHealth } from '../../integrations/vendor-health';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { makeDeal } from '../unit/domain/fixtures';

class FlakyNetSuite extends FakeNetSuite {
  /** External ids whose upsert fails with a 500. */
  failing = new Set<string>();
  override async upsertCustomer(externalId: string, body: Parameters<FakeNetSuite['upsertCustomer']>[1]) {
    if (this.failing.has(externalId))
      throw new VendorError(
        'netsuite',
        'transient',
        'NetSuite PUT record/v1/customer/eid:X failed: HTTP 500 (UNEXPECTED_ERROR)',
        { status: 500 },
      );
    return super.upsertCustomer(externalId, body);
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a degraded vendor: many deals failing wait, one deal failing alone goes to review', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => {
    setProcessVendorHealth(undefined);
    await t.close();
  });

  const cards: ReviewActivities = {
    postReviewCard: async () => ({ channel: 'C0REVIEW', ts: '1.0001' }),
    recordReviewDecision: async () => undefined,
    escalateReview: async () => undefined,
  };
  const caller = (): string | undefined => {
    try {
      return Context.current().info.workflowExecution?.workflowId;
    } catch {
      return undefined;
    }
  };

  async function run(failingCount: number, healthyCount: number) {
    const netsuite = new FlakyNetSuite();
    // The health call answers: NetSuite is up, only failing calls.
    const health = createVendorHealth({
      netsuite: async () => undefined,
      pipedrive: async () => undefined,
      slack: async () => undefined,
    });
    setProcessVendorHealth(health);
    const activities = createOnboardingActivities({
      pipedrive: guarded(new FakePipedrive(makeDeal()), health.pipedrive, caller),
      netsuite: guarded(netsuite, health.netsuite, caller),
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: cards,
    });
    const queue = uniqueTaskQueue('degraded');
    const starter = new OnboardingStarter(t.connection, t.namespace);
    const stamp = Date.now().toString(36);
    const failing = Array.from({ length: failingCount }, (_, i) => `degraded-${stamp}-f${i}`);
    const healthy = Array.from({ length: healthyCount }, (_, i) => `degraded-${stamp}-h${i}`);
    for (const id of failing) netsuite.failing.add(id);
    return { netsuite, health, queue, starter, failing, healthy, activities };
  }

  it('parks the deals of a vendor failing many of them instead of sending them to review', async () => {
    const { netsuite, health, queue, starter, failing, activities } = await run(4, 0);
    await runOnboardingWorkers(t, queue, activities, async () => {
      for (const externalId of failing)
        await starter.startOnboarding(
          { externalId, pipedriveDealId: '746', receivedAt: new Date().toISOString() },
          { taskQueue: queue },
        );
      // 1 + 5 retries over ~31 s of backoff, then VENDOR_DOWN instead of review.
      for (const id of failing) {
        const s = await until(`${id} waiting`, async () => {
          const st = await t.client.workflow.getHandle(id).query(stateQuery);
          return st.state === 'WAITING_FOR_VENDOR' || st.state === 'NEEDS_REVIEW' ? st : undefined;
        });
        expect(s.state).toBe('WAITING_FOR_VENDOR');
      }
      expect(health.netsuite.state).toBe('closed');
      netsuite.failing.clear();
      for (const id of failing)
        expect(((await t.client.workflow.getHandle(id).result()) as { state: string }).state).toBe('COMPLETED');
    });
    health.netsuite.dispose();
  }, 180_000);

  it('sends the one deal whose upsert fails alone to review after its 6 attempts', async () => {
    const { health, queue, starter, failing, healthy, activities } = await run(1, 6);
    await runOnboardingWorkers(t, queue, activities, async () => {
      for (const externalId of [...failing, ...healthy])
        await starter.startOnboarding(
          { externalId, pipedriveDealId: '746', receivedAt: new Date().toISOString() },
          { taskQueue: queue },
        );
      const s = await until('the failing deal settled', async () => {
        const st = await t.client.workflow.getHandle(failing[0]!).query(stateQuery);
        return st.state === 'WAITING_FOR_VENDOR' || st.state === 'NEEDS_REVIEW' ? st : undefined;
      });
      expect(s.state).toBe('NEEDS_REVIEW');
      expect(s.reviewReasons[0]?.code).toBe('retries_exhausted');
      for (const id of healthy)
        expect(((await t.client.workflow.getHandle(id).result()) as { state: string }).state).toBe('COMPLETED');
      await t.client.workflow.getHandle(failing[0]!).cancel();
    });
    health.netsuite.dispose();
  }, 180_000);
});
