/**
 * Bounded state (issue 21 item 4): a flood of large `dealUpdated` signals while a run waits days for its invoice date
 * cannot wedge it. Each signal's changedFields is ~600 KB; before the bounds every one went whole into the audit
 * trail, so the `state` query and any continue-as-new input outgrew Temporal's limits. Now the run keeps answering
 * `state` with a small trail and, when Temporal suggests it, continues as new while it waits. Real dev server,
 * real workers and clients, simulators.
 */
import { AUDIT_TEXT_MAX_LENGTH, type TransactionState } from '../../domain/transaction';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { dealUpdatedSignal, pauseSignal, resumeSignal, reviewSignal, stateQuery } from '../../workflows/messages';
import { waitUntil } from '../helpers/wait-until';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  startRealVendors,
  uniqueExternalId,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

describe('a flood of large change signals cannot wedge a run', () => {
  let t: TestTemporal;
  let v: RealVendors;

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
  });
  afterAll(async () => {
    await v?.close();
    await t?.close();
  });

  it('the run keeps answering state and continues as new while it waits for the invoice date', async () => {
    const taskQueue = uniqueTaskQueue('bounded-state');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
        const deal = await createSyntheticDeal(v, { invoice_date: inAMonth });
        const externalId = uniqueExternalId('flood');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          { externalId, pipedriveDealId: deal.dealId, eventId: 'evt-flood', receivedAt: new Date().toISOString() },
          { taskQueue },
        );
        await waitForState(t.client, externalId, 'INVOICE_SCHEDULED', 60_000);
        const handle = t.client.workflow.getHandle(externalId);
        const firstRun = (await handle.describe()).runId;

        // 12 signals of 5,000 field names of 120 characters each: ~600 KB apiece, 7 MB in all.
        const changedFields = Array.from(
          { length: 5_000 },
          (_, i) => `${String(i).padStart(6, '0')}${'f'.repeat(114)}`,
        );
        for (let i = 0; i < 12; i++)
          await handle.signal(dealUpdatedSignal, {
            eventId: `evt-flood-${i}`,
            changedFields,
            at: new Date().toISOString(),
            dealId: deal.dealId,
          });

        const handedOver = await waitUntil('the run to continue as new', async () => {
          const d = await t.client.workflow.getHandle(externalId).describe();
          return d.runId !== firstRun ? d : undefined;
        });
        expect(handedOver.status.name).toBe('RUNNING');

        // The new run reads the deal again (fetch and validate are not carried), then waits for the date as before.
        const state = await waitForState(t.client, externalId, 'INVOICE_SCHEDULED', 60_000);
        expect(JSON.stringify(state).length).toBeLessThan(200_000);
        const updates = state.auditTrail.filter((e) => e.step === 'deal-updated');
        expect(updates).toHaveLength(12);
        expect(updates.every((e) => (e.detail?.length ?? 0) <= AUDIT_TEXT_MAX_LENGTH)).toBe(true);
        // The first run's history holds the flood; the run answering now is a fresh one, carrying the bounded trail.
        expect(state.auditTrail[0]).toMatchObject({ step: 'received' });

        await handle.signal(reviewSignal, { action: 'cancel', actor: 'ops', reason: 'test done' });
        expect((await handle.result()).state).toBe('CANCELLED');
      },
    );
  }, 180_000);

  it('a paused run flooded with change signals continues as new, still paused, and completes once resumed', async () => {
    const taskQueue = uniqueTaskQueue('bounded-pause');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        const externalId = uniqueExternalId('flood-paused');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          {
            externalId,
            pipedriveDealId: deal.dealId,
            eventId: 'evt-flood-paused',
            receivedAt: new Date().toISOString(),
          },
          { taskQueue },
        );
        const handle = t.client.workflow.getHandle(externalId);
        await handle.signal(pauseSignal, { actor: 'ops', reason: 'month-end close' });
        await waitForState(t.client, externalId, 'PAUSED', 60_000);
        const firstRun = (await handle.describe()).runId;

        const changedFields = Array.from(
          { length: 5_000 },
          (_, i) => `${String(i).padStart(6, '0')}${'f'.repeat(114)}`,
        );
        for (let i = 0; i < 12; i++)
          await handle.signal(dealUpdatedSignal, {
            eventId: `evt-paused-${i}`,
            changedFields,
            at: new Date().toISOString(),
            dealId: deal.dealId,
          });
        await waitUntil('the paused run to continue as new', async () =>
          (await t.client.workflow.getHandle(externalId).describe()).runId !== firstRun ? true : undefined,
        );
        const paused = await handle.query(stateQuery);
        expect(paused).toMatchObject({ state: 'PAUSED', paused: true });
        expect(JSON.stringify(paused).length).toBeLessThan(200_000);

        await handle.signal(resumeSignal, { actor: 'ops', reason: 'close done' });
        const done = (await handle.result()) as TransactionState;
        expect(done.state).toBe('COMPLETED');
        // Back to the state it was paused in, then on to the end: no step was skipped or run twice.
        expect(done.auditTrail.filter((e) => e.step === 'upsert-customer' && e.outcome === 'ok')).toHaveLength(1);
      },
    );
  }, 180_000);
});
