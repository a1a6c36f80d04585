/**
 * `onboardDeal` when the vendors misbehave, end to end below the HTTP app: the real Temporal dev server, the real
 * workers, activities and clients (wired as workers/activity-dependencies.ts wires them, NetSuite concurrency 3), and
 * the NetSuite and Pipedrive simulators with injected faults. Assertions are on NetSuite's own records (SuiteQL),
 * the simulator's request counters and the workflow's audit trail.
 */
import type { NetSuitePort } from '../../domain/vendor-ports';
import { FAILURE } from '../../domain/failure-types';
import type { TransactionState } from '../../domain/transaction';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  netsuiteRecordCounts,
  netsuiteStats,
  patchOrganization,
  requestsTo,
  setNetSuiteFaults,
  startRealVendors,
  uniqueExternalId,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

/** The customer upsert as the simulator counts it (`eid:` folded to `{id}`). */
const UPSERT_ROUTE = 'PUT record/v1/customer/{id}';
const HAPPY_STEPS = [
  'fetch',
  'write-back-external-id',
  'validate',
  'duplicate-probe',
  'check-external-id-owner',
  'upsert-customer',
  'upsert-contact',
  'plan-invoice',
  'create-invoice',
  'annotate-deal',
];

const okSteps = (s: TransactionState): string[] => s.auditTrail.filter((e) => e.outcome === 'ok').map((e) => e.step);

describe('onboardDeal against faulty vendors (real clients, real simulators)', () => {
  let t: TestTemporal;
  let starter: OnboardingStarter;
  let vendors: RealVendors | undefined;

  beforeAll(async () => {
    t = await connectTestTemporal();
    starter = new OnboardingStarter(t.connection, t.namespace);
  });
  afterAll(async () => t.close());
  afterEach(async () => {
    await vendors?.close();
    vendors = undefined;
  });

  /** Fresh simulators, workers on a fresh task queue, and a helper that starts onboardDeal for a deal. */
  async function scenario<T>(
    opts: { asyncJobDelayMs?: number; asyncUpserts?: boolean; netsuitePort?: (v: RealVendors) => NetSuitePort },
    fn: (ctx: { v: RealVendors; taskQueue: string; start: (dealId: string) => Promise<string> }) => Promise<T>,
  ): Promise<T> {
    const v = await startRealVendors({
      concurrencyLimit: 15,
      ...(opts.asyncJobDelayMs !== undefined ? { asyncJobDelayMs: opts.asyncJobDelayMs } : {}),
    });
    vendors = v;
    const taskQueue = uniqueTaskQueue('vendor-faults');
    const start = async (dealId: string): Promise<string> => {
      const externalId = uniqueExternalId('vf');
      const outcome = await starter.startOnboarding(
        { externalId, pipedriveDealId: dealId, eventId: `evt-${externalId}`, receivedAt: new Date().toISOString() },
        { taskQueue },
      );
      expect(outcome.outcome).toBe('started');
      return externalId;
    };
    return withRealWorkers(
      v,
      {
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue,
        workflowBundle: t.workflowBundle,
        asyncUpserts: opts.asyncUpserts ?? false,
        ...(opts.netsuitePort ? { netsuitePort: opts.netsuitePort(v) } : {}),
      },
      () => fn({ v, taskQueue, start }),
    );
  }

  /**
   * The real client, with `beforeUpsert(n)` run before its n-th customer upsert: faults armed exactly when the upsert
   * starts, so the fetch, validation and duplicate probe (which also talk to NetSuite) are not the ones that fail.
   */
  const hookedUpsert =
    (beforeUpsert: (v: RealVendors, call: number) => Promise<void>) =>
    (v: RealVendors): NetSuitePort => {
      let calls = 0;
      const port = Object.create(v.netsuite) as typeof v.netsuite;
      port.upsertCustomer = async (externalId, body) => {
        calls += 1;
        await beforeUpsert(v, calls);
        return v.netsuite.upsertCustomer(externalId, body);
      };
      return port;
    };

  it('retries NetSuite 503s on its Retry-After and completes with one customer and one invoice; the audit trail shows one successful step', async () => {
    const started = Date.now();
    const result = await scenario(
      {
        netsuitePort: hookedUpsert(async (v, call) => {
          // Attempts 1 and 2: 503 with Retry-After: 1; attempt 3 finds NetSuite healthy again.
          if (call === 1) await setNetSuiteFaults(v, { errorRate: 1, errorStatuses: [503], retryAfterSeconds: 1 });
          if (call === 3) await setNetSuiteFaults(v, { errorRate: 0 });
        }),
      },
      async ({ v, start }) => {
        const { dealId } = await createSyntheticDeal(v);
        const id = await start(dealId);
        const done = (await t.client.workflow.getHandle(id).result()) as TransactionState;
        expect(done.state).toBe('COMPLETED');
        expect(await netsuiteRecordCounts(v, id)).toMatchObject({
          customers: 1,
          invoices: 1,
          customerIds: [done.netsuiteCustomerId],
        });
        expect(requestsTo(await netsuiteStats(v), UPSERT_ROUTE)).toEqual({ '503': 2, '204': 1 });
        return done;
      },
    );
    // Activity retries are Temporal's, inside one step: the trail has each step once, succeeded, and no failure.
    expect(okSteps(result)).toEqual(HAPPY_STEPS);
    expect(result.auditTrail.filter((e) => e.step === 'upsert-customer')).toEqual([
      expect.objectContaining({ outcome: 'ok' }),
    ]);
    expect(result.auditTrail.filter((e) => e.outcome === 'failed')).toEqual([]);
    // Two waits of the 1 s Retry-After, not 1 s + 2 s of backoff plus slack.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('goes to review as transient/retries_exhausted after 6 upsert attempts against a NetSuite that keeps failing, and a retry then completes it', async () => {
    await scenario(
      {
        netsuitePort: hookedUpsert(async (v, call) =>
          call === 1 ? setNetSuiteFaults(v, { errorRate: 1, errorStatuses: [503], retryAfterSeconds: 1 }) : undefined,
        ),
      },
      async ({ v, start }) => {
        const { dealId } = await createSyntheticDeal(v);
        const id = await start(dealId);
        const review = await waitForState(t.client, id, 'NEEDS_REVIEW', 30_000);
        expect(review.reviewKind).toBe('transient');
        expect(review.reviewReasons.map((r) => r.code)).toContain('retries_exhausted');
        // 1 try + 5 retries (maximumAttempts 6), every one of them seen by NetSuite.
        expect(requestsTo(await netsuiteStats(v), UPSERT_ROUTE)).toEqual({ '503': 6 });
        expect(review.auditTrail.filter((e) => e.step === 'upsert-customer')).toEqual([
          expect.objectContaining({ outcome: 'failed', errorCode: FAILURE.transient }),
        ]);

        await setNetSuiteFaults(v, { errorRate: 0 });
        expect((await netsuiteRecordCounts(v, id)).customers).toBe(0);
        await t.client.workflow.getHandle(id).signal(reviewSignal, { action: 'retry', actor: 'ops' });
        const done = (await t.client.workflow.getHandle(id).result()) as TransactionState;
        expect(done.state).toBe('COMPLETED');
        expect(await netsuiteRecordCounts(v, id)).toMatchObject({ customers: 1, invoices: 1 });
      },
    );
  }, 45_000);

  it('completes with async upserts: the job is polled on durable timers until it is done', async () => {
    await scenario({ asyncUpserts: true, asyncJobDelayMs: 500 }, async ({ v, start }) => {
      const { dealId } = await createSyntheticDeal(v);
      const id = await start(dealId);
      const done = (await t.client.workflow.getHandle(id).result()) as TransactionState;
      expect(done.state).toBe('COMPLETED');
      expect(okSteps(done)).toEqual(expect.arrayContaining(['upsert-customer', 'poll-customer-job', 'create-invoice']));
      expect(okSteps(done).indexOf('poll-customer-job')).toBeGreaterThan(okSteps(done).indexOf('upsert-customer'));
      const stats = await netsuiteStats(v);
      expect(stats.asyncJobs).toEqual({ submitted: 1, succeeded: 1, failed: 0 });
      expect(await netsuiteRecordCounts(v, id)).toMatchObject({
        customers: 1,
        invoices: 1,
        customerIds: [done.netsuiteCustomerId],
      });
    });
  }, 30_000);

  it('sends a failed async job to review (after the poll step exhausts its retries) without creating a customer', async () => {
    await scenario({ asyncUpserts: true, asyncJobDelayMs: 200 }, async ({ v, start }) => {
      await setNetSuiteFaults(v, { asyncJobFailureRate: 1 });
      const { dealId } = await createSyntheticDeal(v);
      const id = await start(dealId);
      // A failed job's result is a 500 UNEXPECTED_ERROR without Retry-After: 1+2+4+8+16 s of backoff on the poll.
      const review = await waitForState(t.client, id, 'NEEDS_REVIEW', 60_000);
      expect(review.reviewKind).toBe('transient');
      expect(review.reviewReasons.map((r) => r.code)).toContain('retries_exhausted');
      expect(review.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'poll-customer-job', outcome: 'failed' }),
      );
      expect((await netsuiteStats(v)).asyncJobs).toMatchObject({ submitted: 1, failed: 1, succeeded: 0 });
      expect((await netsuiteRecordCounts(v, id)).customers).toBe(0);
      await t.client.workflow.getHandle(id).signal(reviewSignal, { action: 'cancel', actor: 'ops' });
      expect(((await t.client.workflow.getHandle(id).result()) as TransactionState).state).toBe('CANCELLED');
    });
  }, 90_000);

  // A failed async job is final (no re-reads of its result), and the retry after review submits a new job under a
  // new idempotency key: reusing the key would make NetSuite hand back the failed job forever.
  it('completes on a reviewer retry after a failed async job, once NetSuite is healthy again', async () => {
    await scenario({ asyncUpserts: true, asyncJobDelayMs: 200 }, async ({ v, start }) => {
      await setNetSuiteFaults(v, { asyncJobFailureRate: 1 });
      const { dealId } = await createSyntheticDeal(v);
      const id = await start(dealId);
      await waitForState(t.client, id, 'NEEDS_REVIEW', 60_000);

      await setNetSuiteFaults(v, { asyncJobFailureRate: 0 });
      await t.client.workflow.getHandle(id).signal(reviewSignal, { action: 'retry', actor: 'ops' });
      const after = await Promise.race([
        t.client.workflow.getHandle(id).result() as Promise<TransactionState>,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000)),
      ]);
      const state = after === 'timeout' ? await t.client.workflow.getHandle(id).query(stateQuery) : after;
      const stats = await netsuiteStats(v);
      // Expected: the retry submits a new job (a second 202), which succeeds.
      expect({ state: state.state, upserts: requestsTo(stats, UPSERT_ROUTE), asyncJobs: stats.asyncJobs }).toEqual({
        state: 'COMPLETED',
        upserts: { '202': 2 },
        asyncJobs: { submitted: 2, succeeded: 1, failed: 1 },
      });
      expect(await netsuiteRecordCounts(v, id)).toMatchObject({ customers: 1, invoices: 1 });
    });
  }, 100_000);

  it('parks a deal without a tax id in review; fixing it in Pipedrive and a retry complete it', async () => {
    await scenario({}, async ({ v, start }) => {
      const deal = await createSyntheticDeal(v, { omit: ['tax_id'] });
      const id = await start(deal.dealId);
      const review = await waitForState(t.client, id, 'NEEDS_REVIEW');
      expect(review.reviewKind).toBe('validation');
      expect(review.reviewReasons.map((r) => r.field)).toContain('organization.taxId');
      expect((await netsuiteRecordCounts(v, id)).customers).toBe(0);
      expect(requestsTo(await netsuiteStats(v), UPSERT_ROUTE)).toEqual({});

      // The seller fills in the organization's Tax ID in Pipedrive; the reviewer presses "retry".
      await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '94-1234567' } });
      await t.client.workflow.getHandle(id).signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1' });
      const done = (await t.client.workflow.getHandle(id).result()) as TransactionState;
      expect(done.state).toBe('COMPLETED');
      expect(await netsuiteRecordCounts(v, id)).toMatchObject({ customers: 1, invoices: 1 });
      expect(done.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'review', actor: 'U0REVIEWER1', detail: 'retry' }),
      );
    });
  });

  it('refuses a second run of a completed deal: outcome duplicate, still one customer and one invoice', async () => {
    await scenario({}, async ({ v, taskQueue, start }) => {
      const { dealId } = await createSyntheticDeal(v);
      const id = await start(dealId);
      const handle = t.client.workflow.getHandle(id);
      const first = (await handle.result()) as TransactionState;
      expect(first.state).toBe('COMPLETED');
      const completedRun = (await handle.describe()).runId;

      const again = await starter.startOnboarding(
        { externalId: id, pipedriveDealId: dealId, eventId: 'evt-redelivered', receivedAt: new Date().toISOString() },
        { taskQueue },
      );
      expect(again).toEqual({ outcome: 'duplicate', workflowId: id });
      // Still the one closed run, nothing new scheduled.
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      expect(description.runId).toBe(completedRun);
      expect(await netsuiteRecordCounts(v, id)).toMatchObject({ customers: 1, invoices: 1 });
      const runs: string[] = [];
      for await (const w of t.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(w.runId);
      expect(runs).toHaveLength(1);
    });
  });
});
