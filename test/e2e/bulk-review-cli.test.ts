/**
 * Bulk review actions. `npm run cli -- retry --reason <code>` end to end: the real CLI process against the run's Temporal dev server, real
 * workflows and activities over in-memory vendors. An outage outlasts the (shortened) allowance, so three onboardings
 * land in review as `vendor_outage`; one bulk retry, after a dry run that sends nothing, completes all three, each
 * decision audited with the CLI's actor. A review for another reason is left alone. Then the Slack digest: one
 * message per reason with enough reviews, edited rather than reposted, and its "Retry all N" refused to a
 * non-reviewer and carried out for a reviewer (in this file, so no other test's reviews share the reason).
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
import { createReviewDigestActivities } from '../../ops/activities/review-digest';
import { retryAllFromSlack, NOT_A_REVIEWER_BULK_TEXT } from '../../starters/slack/retry-all';
import { decodeRetryAllValue, RETRY_ALL_ACTION_ID } from '../../integrations/slack';
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
      createOnboardingActivities({
        pipedrive: new FakePipedrive(deal),
        netsuite,
        netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
        review: cards,
      });
    const outageQueue = uniqueTaskQueue('bulk-outage');
    const otherQueue = uniqueTaskQueue('bulk-other');
    const starter = new OnboardingStarter(t.connection, t.namespace, { vendorOutageReviewAfterMs: 1_000 });
    const ids = [1, 2, 3].map((i) => `bulk-${Date.now().toString(36)}-${i}`);
    const other = `bulk-${Date.now().toString(36)}-other`;
    const review = (id: string) =>
      until(`${id} in review`, async () => {
        const s = await t.client.workflow.getHandle(id).query(stateQuery);
        return s.state === 'NEEDS_REVIEW' ? s : undefined;
      });
    await runOnboardingWorkers(t, outageQueue, activities(makeDeal()), () =>
      runOnboardingWorkers(t, otherQueue, activities(makeDeal({ deal: { billingOwner: undefined } })), async () => {
        for (const externalId of ids)
          await starter.startOnboarding(
            { externalId, pipedriveDealId: '746', receivedAt: new Date().toISOString() },
            { taskQueue: outageQueue },
          );
        await starter.startOnboarding(
          { externalId: other, pipedriveDealId: '747', receivedAt: new Date().toISOString() },
          { taskQueue: otherQueue },
        );
        for (const id of ids) expect((await review(id)).reviewReasons[0]?.code).toBe('vendor_outage');
        const otherReview = await review(other);
        // Visibility catches up with the search attribute a moment after the query does.
        await until('visibility', async () =>
          (
            await t.client.workflow.count(
              `${SEARCH_ATTRIBUTES.ReviewReason.name} = 'vendor_outage' AND ExecutionStatus = 'Running'`,
            )
          ).count >= 3
            ? true
            : undefined,
        );

        const dry = await runOpsCli(t, 'retry', '--reason', 'vendor_outage', '--dry-run', '--json');
        expect(dry.code).toBe(0);
        const planned = JSON.parse(dry.stdout) as BulkReviewResult;
        expect(planned).toMatchObject({ dryRun: true, matched: 3, sent: 0 });
        expect(planned.externalIds).toEqual([...ids].sort());
        expect(dry.stderr).toContain('3 onboarding(s) in review for vendor_outage');
        for (const id of ids)
          expect((await t.client.workflow.getHandle(id).query(stateQuery)).state).toBe('NEEDS_REVIEW');

        const future = await runOpsCli(
          t,
          'retry',
          '--reason',
          'vendor_outage',
          '--since',
          new Date(Date.now() + 3_600_000).toISOString(),
          '--json',
        );
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
          expect(done.auditTrail).toContainEqual(
            expect.objectContaining({
              step: 'review',
              outcome: 'decision',
              actor: `cli:${userInfo().username}`,
              detail: 'retry',
              reason: 'bulk retry of every review for vendor_outage',
            }),
          );
        }
        expect(netsuite.customers.size).toBe(3);
        const still = await t.client.workflow.getHandle(other).query(stateQuery);
        expect(still.state).toBe('NEEDS_REVIEW');
        expect(still.reviewReasons).toEqual(otherReview.reviewReasons);
        await t.client.workflow.getHandle(other).cancel();
      }),
    );
  });

  it('posts one digest per busy reason with "Retry all N", edits it in place, and retries all for a reviewer only', async () => {
    const netsuite = new DownNetSuite();
    const cards: ReviewActivities = {
      postReviewCard: async () => ({ channel: 'C0REVIEW', ts: '1.0001' }),
      recordReviewDecision: async () => undefined,
      escalateReview: async () => undefined,
    };
    const queue = uniqueTaskQueue('bulk-digest');
    const activities = createOnboardingActivities({
      pipedrive: new FakePipedrive(makeDeal()),
      netsuite,
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: cards,
    });
    const starter = new OnboardingStarter(t.connection, t.namespace, { vendorOutageReviewAfterMs: 1_000 });
    const ids = [1, 2, 3, 4].map((i) => `digest-${Date.now().toString(36)}-${i}`);
    const posts: Array<{ text: string; blocks?: unknown[] }> = [];
    const updates: Array<{ ts: string; text: string }> = [];
    const slack = {
      postMessage: async (m: { channel: string; text: string; blocks?: unknown[] }) => {
        posts.push(m);
        return { channel: m.channel, ts: `${posts.length}.0001` };
      },
      updateMessage: async (ref: { channel: string; ts: string }, text: string) => {
        updates.push({ ts: ref.ts, text });
      },
    };
    const digest = createReviewDigestActivities({ client: t.client, slack: { client: slack, channel: 'C0REVIEW' } });
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    await runOnboardingWorkers(t, queue, activities, async () => {
      for (const externalId of ids)
        await starter.startOnboarding(
          { externalId, pipedriveDealId: '746', receivedAt: new Date().toISOString() },
          { taskQueue: queue },
        );
      await until('four vendor_outage reviews in visibility', async () =>
        (
          await t.client.workflow.count(
            `ReviewReason = 'vendor_outage' AND ExecutionStatus = 'Running' AND OnboardingState = 'NEEDS_REVIEW'`,
          )
        ).count === 4
          ? true
          : undefined,
      );

      let refs = await digest.publishReviewDigests({ min: 3, digests: {} });
      expect(posts).toHaveLength(1);
      expect(posts[0]!.text).toBe('4 onboardings are in review for vendor_outage');
      const button = JSON.stringify(posts[0]!.blocks);
      expect(button).toContain(RETRY_ALL_ACTION_ID);
      expect(button).toContain('Retry all 4');
      expect(Object.keys(refs)).toEqual(['vendor_outage']);
      // Nothing changed: no second message, no edit.
      refs = await digest.publishReviewDigests({ min: 3, digests: refs });
      expect(posts).toHaveLength(1);
      expect(updates).toHaveLength(0);

      const value = JSON.stringify({ reviewReason: 'vendor_outage' });
      expect(decodeRetryAllValue(value)).toBe('vendor_outage');
      const refused = await retryAllFromSlack(
        { temporal: t.client, reviewers: { isReviewer: async (u) => u === 'U0REVIEWER1' }, log },
        'U0INTRUDER',
        value,
      );
      expect(refused).toEqual({ outcome: 'refused', text: NOT_A_REVIEWER_BULK_TEXT });
      for (const id of ids)
        expect((await t.client.workflow.getHandle(id).query(stateQuery)).state).toBe('NEEDS_REVIEW');
      expect(
        (
          await retryAllFromSlack(
            { temporal: t.client, reviewers: { isReviewer: async () => true }, log },
            'U0REVIEWER1',
            '{"reviewReason":"x\' OR 1=1"}',
          )
        ).outcome,
      ).toBe('invalid');

      netsuite.down = false;
      const done = await retryAllFromSlack(
        { temporal: t.client, reviewers: { isReviewer: async (u) => u === 'U0REVIEWER1' }, log },
        'U0REVIEWER1',
        value,
      );
      expect(done).toEqual({ outcome: 'signalled', text: 'Retried 4 onboarding(s) in review for vendor_outage.' });
      for (const id of ids) {
        const result = (await t.client.workflow.getHandle(id).result()) as TransactionState;
        expect(result.state).toBe('COMPLETED');
        expect(result.auditTrail).toContainEqual(
          expect.objectContaining({ step: 'review', outcome: 'decision', actor: 'U0REVIEWER1', detail: 'retry' }),
        );
      }
      await until('the reviews gone from visibility', async () =>
        (await t.client.workflow.count(`ReviewReason = 'vendor_outage' AND ExecutionStatus = 'Running'`)).count === 0
          ? true
          : undefined,
      );
      refs = await digest.publishReviewDigests({ min: 3, digests: refs });
      expect(refs).toEqual({});
      expect(updates).toEqual([{ ts: '1.0001', text: 'Reviews for vendor_outage: all handled' }]);
    });
  });
});
