import { userInfo } from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { TASK_QUEUES } from '../../domain/temporal-names';
import type { TransactionState } from '../../domain/transaction';
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { QueueItem } from '../../starters/cli/list-by-state';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { runOpsCli } from '../helpers/ops-cli-process';

describe('ops CLI (npm run cli)', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  const cli = (...args: string[]) => runOpsCli(t, ...args);

  it('shows status and the queue, and cancels with the operator recorded in the audit trail', async () => {
    // The CLI targets the real `onboarding` queue: this file's worker serves its workflow tasks for the test's duration.
    // The deal read is a local activity (run inside the workflow task); refused for good here, the transaction parks in
    // review and waits for a decision (no other activity is registered, so its card is never posted).
    const worker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue: TASK_QUEUES.onboarding,
      workflowBundle: t.workflowBundle,
      activities: {
        fetchDeal: async () => {
          throw ApplicationFailure.nonRetryable('no Pipedrive in this test', 'PIPEDRIVE_NOT_FOUND');
        },
      },
    });
    await worker.runUntil(async () => {
      const externalId = `cli-${Date.now()}`;
      await new OnboardingStarter(t.connection, t.namespace).startOnboarding({
        externalId,
        pipedriveDealId: '99',
        receivedAt: new Date().toISOString(),
      });

      const status = await cli('status', externalId, '--json');
      expect(status.code).toBe(0);
      expect((JSON.parse(status.stdout) as TransactionState).state).toBe('NEEDS_REVIEW');

      let queue: QueueItem[] = [];
      for (let i = 0; i < 20 && !queue.some((q) => q.externalId === externalId); i++) {
        queue = JSON.parse((await cli('queue', '--state', 'NEEDS_REVIEW', '--json')).stdout) as QueueItem[];
      }
      expect(queue.find((q) => q.externalId === externalId)).toMatchObject({
        pipedriveDealId: '99',
        state: 'NEEDS_REVIEW',
      });

      // --as is a claim beside the real actor (cli:<os user>), never the actor: `--as U0CFO` must not become a reviewer.
      const cancel = await cli('cancel', externalId, '--as', 'U0CFO', '--reason', 'duplicate deal', '--json');
      expect(cancel.code).toBe(0);
      expect(JSON.parse(cancel.stdout)).toMatchObject({ actor: `cli:${userInfo().username}`, claimedAs: 'U0CFO' });
      const result = (await t.client.workflow.getHandle(externalId).result()) as TransactionState;
      expect(result.state).toBe('CANCELLED');
      expect(result.auditTrail).toContainEqual(
        expect.objectContaining({
          step: 'review',
          actor: `cli:${userInfo().username} (as claimed: U0CFO)`,
          detail: 'cancel',
        }),
      );
      expect(result.auditTrail.some((e) => e.actor === 'U0CFO')).toBe(false);
    });
  });

  it('explains usage errors and unknown ids with a non-zero exit', async () => {
    const missing = await cli('retry');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('retry needs an external_id');
    const badField = await cli('fix', 'some-deal', '--field', 'organization.taxId');
    expect(badField.code).toBe(2);
    expect(badField.stderr).toContain('--field needs <path>=<value>');
    expect((await cli('link', 'some-deal')).stderr).toContain('link needs --customer');
    const pollution = await cli(
      'fix',
      'some-deal',
      '--field',
      'deal.__proto__.polluted=1',
      '--field',
      'person.email=not-an-email',
    );
    expect(pollution.code).toBe(2);
    expect(pollution.stderr).toContain(
      'fix refused: deal.__proto__.polluted: not a field a fix may change; person.email: value E-mail address has no "@".',
    );
    const unknown = await cli('pause', 'no-such-deal');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no onboarding with external_id no-such-deal');
  });
});
