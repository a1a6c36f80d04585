/**
 * Reconciliation on the stack as `npm start` runs it: the worker puts the `reconciliation-daily` schedule in place;
 * `npm run cli -- reconcile --start-missing` finds a signed deal no webhook ever onboarded (it was created straight
 * into "Onboarded"), starts its onboarding, which creates the customer; the next reconciliation is clean.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { createSyntheticDeal } from '../integrations/pipedrive/sim-admin';
import { RECONCILIATION_SCHEDULE_ID } from '../../starters/schedules';
import type { ReconciliationSummary } from '../../workflows/reconciliation';
import { stateQuery } from '../../workflows/messages';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

describe('reconciliation on the running stack', () => {
  let stack: StackProcess;
  let json: StackJson;
  let env: NodeJS.ProcessEnv;
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    env = await stackEnv(mkdtempSync(join(tmpdir(), 'reconcile-e2e-')));
    stack = startStack(env);
    json = await stack.ready();
    connection = await Connection.connect({ address: json.temporal.address });
    client = new Client({ connection, namespace: json.temporal.namespace });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.interrupt();
  });

  const reconcile = async (...args: string[]): Promise<ReconciliationSummary & { workflowId: string }> => {
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'reconcile', '--json', ...args], {
      cwd: ROOT,
      env: { ...env, TEMPORAL_ADDRESS: json.temporal.address, TEMPORAL_NAMESPACE: json.temporal.namespace },
    });
    return JSON.parse(stdout) as ReconciliationSummary & { workflowId: string };
  };

  it('has the daily schedule, starts the missing onboarding, and is clean once the customer exists', async () => {
    const described = await client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe();
    expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] })]);
    expect(described.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 86_400_000 });
    expect(described.action).toMatchObject({ workflowType: 'reconcile', taskQueue: 'onboarding' });

    await createSyntheticDeal(json.pipedrive!.url, { country: 'NL', stage_name: 'Onboarded' });
    const first = await reconcile('--start-missing');
    expect(first.counts).toMatchObject({ signedDeals: 1, missingCustomers: 1 });
    expect(first.startedOnboardings).toEqual([expect.objectContaining({ outcome: 'started' })]);
    expect(first.report.jsonPath.startsWith(join(resolve(ROOT, env.DATA_DIR!), 'reports'))).toBe(true);
    expect(existsSync(first.report.textPath)).toBe(true);

    // The synthetic deal's first invoice is dated weeks ahead (a durable timer): the customer is what counts here.
    const started = first.startedOnboardings![0]!;
    const handle = client.workflow.getHandle(started.externalId);
    let customerId: string | undefined;
    for (let i = 0; i < 120 && !customerId; i++) {
      customerId = (await handle.query(stateQuery)).netsuiteCustomerId;
      if (!customerId) await new Promise((r) => setTimeout(r, 500));
    }
    expect(customerId).toMatch(/^\d+$/);

    const second = await reconcile();
    expect(second.counts).toMatchObject({ signedDeals: 1, customers: 1, compared: 1, withProblems: 0 });
    expect(second.alert).toBe(false);
    await handle.terminate('test done');
  });
});
