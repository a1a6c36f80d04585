/**
 * `npm run cli -- retry --reason <code>` end to end: the real CLI process against the run's Temporal dev server, real
 * workflows and activities over in-memory vendors. An outage outlasts the (shortened) allowance, so three onboardings
 * land in review as `vendor_outage`; one bulk retry, after a dry run that sends nothing, completes all three, each
 * decision audited with the CLI's actor. A review for another reason is left alone.
 */
import { userInfo } from 'node:os';
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import type { ReviewActivities } from '../../activities/slack-review-activities';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { TransactionState } from '../../domain/transaction';
import { VendorDownError } from '../../integrations/vendor-health';
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { BulkReviewResult } from '../../starters/cli/bulk-review-command';
import { stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { runOpsCli } from '../helpers/ops-cli-process';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { makeDeal } from '../unit/domain/fixtures';

class DownNetSuite extends FakeNetSuite {
  down = true;
  override async upsertCustomer(externalId: string, body: Parameters<FakeNetSuite['upsertCustomer']>[1]) {
    if (this.down) throw new VendorDownError('netsuite', new Date().toISOString());
    return super.upsertCustomer(externalId, body);
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('bulk review actions from the CLI', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  it('retries every onboarding in review for vendor_outage, after a dry run, and leaves other reviews alone', async () => {
    const netsuite = new DownNetSuite();
    const cards: ReviewActivities = {
      postReviewCard: async () => ({ channel: 'C0REVIEW', ts: '1.0001' }),
      recordReviewDecision: async () => undefined,
      escalateReview: async () => undefined,
    };
    const activities = (deal: ReturnType<typeof makeDeal>) =>
      createOnboardingActivities({ pipedrive: new FakePipedrive(deal), netsuite, netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 }, review: cards });
    const outageQueue = uniqueTaskQueue('bulk-outage');
    const otherQueue = uniqueTaskQueue('bulk-other');
    const starter = new OnboardingStarter(t.connection, t.namespace, { vendorOutageReviewAfterMs: 1_000 });
    const ids = [1, 2, 3].map((i) => `bulk-${Date.now().toString(36)}-${i}`);
    const other = `bulk-${Date.now().toString(36)}-other`;
    const review = (id: string) => until(`${id} in review`, async () => {
      const s = await t.client.workflow.getHandle(id).query(stateQuery);
      return s.state === 'NEEDS_REVIEW' ? s : undefined;
    });
    await runOnboardingWorkers(t, outageQueue, activities(makeDeal()), () =>
      runOnboardingWorkers(t, otherQueue, activities(makeDeal({ deal: { billingOwner: undefined } })), async () => {
        for (const externalId of ids) await starter.startOnboarding({ externalId, pipedriveDealId: '746', receivedAt: new Date().toISOString() }, { taskQueue: outageQueue });
        await starter.startOnboarding({ externalId: other, pipedriveDealId: '747', receivedAt: new Date().toISOString() }, { taskQueue: otherQueue });
        for (const id of ids) expect((await review(id)).reviewReasons[0]?.code).toBe('vendor_outage');
        const otherReview = await review(other);
        // Visibility catches up with the search attribute a moment after the query does.
        await until('visibility', async () => ((await t.client.workflow.count(`${SEARCH_ATTRIBUTES.ReviewReason.name} = 'vendor_outage' AND ExecutionStatus = 'Running'`)).count >= 3 ? true : undefined));

        const dry = await runOpsCli(t, 'retry', '--reason', 'vendor_outage', '--dry-run', '--json');
        expect(dry.code).toBe(0);
        const planned = JSON.parse(dry.stdout) as BulkReviewResult;
        expect(planned).toMatchObject({ dryRun: true, matched: 3, sent: 0 });
        expect(planned.externalIds).toEqual([...ids].sort());
        expect(dry.stderr).toContain('3 onboarding(s) in review for vendor_outage');
        for (const id of ids) expect((await t.client.workflow.getHandle(id).query(stateQuery)).state).toBe('NEEDS_REVIEW');

        const future = await runOpsCli(t, 'retry', '--reason', 'vendor_outage', '--since', new Date(Date.now() + 3_600_000).toISOString(), '--json');
        expect(JSON.parse(future.stdout)).toMatchObject({ matched: 0, sent: 0, skipped: 3 });
        expect((await runOpsCli(t, 'retry', '--reason', "x' OR 1=1")).code).toBe(2);

        netsuite.down = false;
        const bulk = await runOpsCli(t, 'retry', '--reason', 'vendor_outage');
        expect(bulk.code).toBe(0);
        expect(bulk.stdout).toContain('Retried 3 of 3 onboarding(s) in review for vendor_outage');
        expect(bulk.stderr).toContain('[3/3] retried 3, skipped 0, failed 0');
        for (const id of ids) {
          const done = (await t.client.workflow.getHandle(id).result()) as TransactionState;
          expect(done.state).toBe('COMPLETED');
          expect(done.auditTrail).toContainEqual(expect.objectContaining({ step: 'review', outcome: 'decision', actor: `cli:${userInfo().username}`, detail: 'retry', reason: 'bulk retry of every review for vendor_outage' }));
        }
        expect(netsuite.customers.size).toBe(3);
        const still = await t.client.workflow.getHandle(other).query(stateQuery);
        expect(still.state).toBe('NEEDS_REVIEW');
        expect(still.reviewReasons).toEqual(otherReview.reviewReasons);
        await t.client.workflow.getHandle(other).cancel();
      }),
    );
  });
});
