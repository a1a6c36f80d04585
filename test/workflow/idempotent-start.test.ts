import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

describe('workflow ID = external_id makes a start idempotent', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  it('runs once when the same deal is started twice, sequentially and concurrently, and refuses it after completion', async () => {
    const taskQueue = uniqueTaskQueue('idempotent');
    const worker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      // The deal read is a local activity, run inside the workflow task: without it registered the task fails and no
      // query is answered. Refused for good, the run parks in review and waits for a decision.
      activities: {
        fetchDeal: async () => {
          throw ApplicationFailure.nonRetryable('no Pipedrive in this test', 'PIPEDRIVE_NOT_FOUND');
        },
      },
    });
    const starter = new OnboardingStarter(t.connection, t.namespace);
    const externalId = `test-${Date.now()}`;
    const input = { externalId, pipedriveDealId: '42', eventId: 'evt-1', receivedAt: new Date().toISOString() };

    await worker.runUntil(async () => {
      const first = await starter.startOnboarding(input, { taskQueue });
      const second = await starter.startOnboarding({ ...input, eventId: 'evt-2' }, { taskQueue });
      const storm = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          starter.startOnboarding({ ...input, eventId: `evt-storm-${i}` }, { taskQueue }),
        ),
      );
      expect(first.outcome).toBe('started');
      expect(second).toEqual({
        outcome: 'duplicate',
        workflowId: externalId,
        runId: first.outcome === 'started' ? first.runId : '',
      });
      expect(storm.every((s) => s.outcome === 'duplicate')).toBe(true);

      const handle = t.client.workflow.getHandle(externalId);
      const state = await handle.query(stateQuery);
      expect(state.externalId).toBe(externalId);
      expect(state.auditTrail.filter((e) => e.step === 'received')).toHaveLength(1);

      await handle.signal(reviewSignal, { action: 'cancel', actor: 'jest' });
      const result = await handle.result();
      expect(result.state).toBe('CANCELLED');
    });

    const afterClose = await starter.startOnboarding({ ...input, eventId: 'evt-late' }, { taskQueue });
    expect(afterClose).toEqual({ outcome: 'duplicate', workflowId: externalId });

    const runs = [];
    for await (const wf of t.client.workflow.list({ query: `WorkflowId = '${externalId}'` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
  });
});
