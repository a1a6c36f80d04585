/** `npm run cli -- reconcile`: runs the workflow on demand through a worker over the simulators, waits, prints. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import {
  createReconciliationActivities,
  createReconciliationNetSuiteActivities,
} from '../../reconciliation/activities/reconcile-activities';
import { createReconciliationReportActivities } from '../../reconciliation/activities/report-slack';
import { createReconciliationRunActivities } from '../../reconciliation/activities/reconcile-run';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import { PipedriveClient } from '../../integrations/pipedrive';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { ReconciliationSummary } from '../../reconciliation/workflows/reconcile';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { clientFor } from '../integrations/netsuite/fixtures';
import { createSyntheticDeal } from '../integrations/pipedrive/sim-admin';
import { runOpsCli } from '../helpers/ops-cli-process';

// Two CLI processes (npm + tsx start-up each) on a shared, loaded machine.
jest.setTimeout(240_000);

describe('ops CLI: reconcile', () => {
  let t: TestTemporal;
  let pd: RunningPipedriveSimulator;
  let ns: RunningNetSuiteSimulator;
  let dataDir: string;
  beforeAll(async () => {
    [t, pd, ns] = await Promise.all([connectTestTemporal(), startPipedriveSimulator(), startNetSuiteSimulator()]);
    dataDir = mkdtempSync(join(tmpdir(), 'reconcile-cli-'));
  });
  afterAll(async () => {
    await Promise.all([pd?.close(), ns?.close()]);
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runOpsCli(t, ...args);

  it('runs reconcile-<timestamp>, waits, and prints the summary (JSON and text) with the stored report', async () => {
    await createSyntheticDeal(pd.url, { country: 'GB', stage_name: 'Contract Signed' });
    const taskQueue = uniqueTaskQueue('reconcile-cli');
    const onboardingQueue = uniqueTaskQueue('reconcile-cli-started');
    const pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken });
    const workers = await Promise.all([
      Worker.create({
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue,
        workflowBundle: t.workflowBundle,
        activities: {
          ...createReconciliationActivities(
            { pipedrive, starter: new OnboardingStarter(t.connection, t.namespace) },
            { dataDir, onboardingTaskQueue: onboardingQueue },
          ),
          ...createReconciliationReportActivities({}),
        },
      }),
      Worker.create({
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue: netsuiteTaskQueueFor(taskQueue),
        activities: {
          ...createReconciliationNetSuiteActivities(clientFor(ns)),
          ...createReconciliationRunActivities(
            { pipedrive, netsuite: clientFor(ns), starter: new OnboardingStarter(t.connection, t.namespace) },
            { dataDir, onboardingTaskQueue: onboardingQueue },
          ),
        },
      }),
    ]);
    const [json, text] = await workers[1].runUntil(
      workers[0].runUntil(async () => [
        await cli('reconcile', '--task-queue', taskQueue, '--start-missing', '--json'),
        await cli('reconcile', '--task-queue', taskQueue),
      ]),
    );

    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as ReconciliationSummary & { workflowId: string };
    expect(summary.workflowId).toMatch(/^reconcile-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
    expect(summary.counts).toMatchObject({ signedDeals: 1, missingCustomers: 1, compared: 1 });
    expect(summary.mismatchRate).toBe(1);
    expect(summary.alert).toBe(true);
    // The result counts the onboardings started; the report lists them.
    expect(summary.onboardings).toEqual({ started: 1, alreadyKnown: 0 });
    const listed = (
      JSON.parse(readFileSync(summary.report.jsonPath, 'utf8')) as {
        startedOnboardings: Array<{ externalId: string; outcome: string }>;
      }
    ).startedOnboardings;
    expect(listed).toEqual([expect.objectContaining({ outcome: 'started' })]);
    expect((await t.client.workflow.getHandle(summary.workflowId).describe()).type).toBe('reconcile');
    await t.client.workflow.getHandle(listed[0]!.externalId).terminate('test cleanup');

    expect(text.code).toBe(0);
    expect(text.stdout).toContain('mismatch rate 100.00% (1 of 1 records; threshold 2.00%)  ALERT');
    expect(text.stdout).toMatch(/report .*reconciliation-.*\.txt/);
    expect(text.stdout).not.toContain('onboardings started');
    expect(text.stdout).toContain('not posted to Slack: Slack is not configured');
  });

  it('fails at once, saying why, when no worker polls the queue', async () => {
    const result = await cli('reconcile', '--task-queue', uniqueTaskQueue('nobody'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no worker is polling task queue');
  });
});
