/**
 * `npm run cli -- backfill` on the real dev server, its workflow and activities over the Pipedrive and NetSuite
 * simulators, seeded as a team leaving a polling connector finds them: a deal already linked by externalId, a
 * customer the connector made without an externalId (same e-mail), one it made under its own key (same company),
 * a deal nothing exists for, and a deal the connector created two customers for. The dry run changes nothing (the
 * simulators' counters show no write); the real run writes the ids, starts the one onboarding, leaves the
 * duplicates alone; a second real run finds everything linked and starts nothing new.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import {
  createBackfillActivities,
  createBackfillNetSuiteActivities,
} from '../../backfill/activities/backfill-activities';
import { deriveExternalId } from '../../domain/external-id';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import type { NetSuiteClient } from '../../integrations/netsuite';
import { NetSuiteHttp } from '../../integrations/netsuite/netsuite-http';
import { PipedriveClient } from '../../integrations/pipedrive';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import type { BackfillCommandResult } from '../../starters/cli/backfill-command';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { backfill, BACKFILL_DRY_RUN_WORKFLOW_ID, BACKFILL_WORKFLOW_ID } from '../../backfill/workflows/backfill';
import { runOpsCli } from '../helpers/ops-cli-process';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { clientFor, customerBody, simAdmin } from '../integrations/netsuite/fixtures';
import { simCall } from '../integrations/pipedrive/sim-admin';

jest.setTimeout(300_000);

interface Seeded {
  dealId: string;
  externalId: string;
  orgName: string;
  email: string;
}

describe('ops CLI: backfill (cutover from a polling connector)', () => {
  let t: TestTemporal;
  let pd: RunningPipedriveSimulator;
  let ns: RunningNetSuiteSimulator;
  let pipedrive: PipedriveClient;
  let netsuite: NetSuiteClient;
  let http: NetSuiteHttp;
  let companyId: string;
  let dataDir: string;
  const onboardingQueue = uniqueTaskQueue('backfill-started');
  const taskQueue = uniqueTaskQueue('backfill');

  beforeAll(async () => {
    [t, pd, ns] = await Promise.all([connectTestTemporal(), startPipedriveSimulator(), startNetSuiteSimulator()]);
    pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken });
    netsuite = clientFor(ns);
    const { url, ...credentials } = ns.stackEntry;
    http = new NetSuiteHttp({ baseUrl: url, ...credentials, concurrencyLimit: 2 });
    companyId = String(
      (await simCall<{ company_id: number }>(pd.url, 'GET', `/v1/users/me?api_token=${pd.stackEntry.apiToken}`))
        .company_id,
    );
    dataDir = mkdtempSync(join(tmpdir(), 'backfill-test-'));
  });
  afterAll(async () => {
    await Promise.all([pd?.close(), ns?.close()]);
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function seedDeal(country: string): Promise<Seeded> {
    const created = await simCall<{
      deal: { id: number };
      person: { emails: Array<{ value: string }> };
      organization: { name: string };
    }>(pd.url, 'POST', '/__sim/deals', {
      country,
      stage_name: 'Contract Signed',
    });
    return {
      dealId: String(created.deal.id),
      externalId: deriveExternalId({ companyId, dealId: created.deal.id }),
      orgName: created.organization.name,
      email: created.person.emails[0]!.value,
    };
  }

  /** A customer as an older connector made it: POST without an externalId, or PUT under its own key. */
  async function legacyCustomer(fields: { companyName: string; email: string }, externalId?: string): Promise<string> {
    if (externalId)
      return (
        await netsuite.upsertCustomer(externalId, customerBody(externalId, { ...fields, entityId: fields.companyName }))
      ).customerId;
    const { externalId: _drop, ...body } = customerBody('unused', { ...fields, entityId: fields.companyName });
    const res = await http.request('POST', 'record/v1/customer', { body });
    return res.headers.location!.split('/').pop()!;
  }

  const externalIdFields = async (): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(
      (await pipedrive.listDealsFromStage('Contract Signed')).deals.map((d) => [d.dealId, d.externalIdField]),
    );
  const customerExternalId = async (id: string): Promise<string | undefined> =>
    (await netsuite.suiteqlAll<{ externalid?: string }>(`SELECT externalid FROM customer WHERE id = ${id}`))[0]
      ?.externalid;
  const netsuiteWrites = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      Object.entries((await simAdmin.stats(ns)).requests).filter(([key]) =>
        /^(PUT|PATCH|DELETE|POST record)/.test(key),
      ),
    );

  const backfillActivities = () =>
    createBackfillActivities(
      { pipedrive, starter: new OnboardingStarter(t.connection, t.namespace) },
      { onboardingTaskQueue: onboardingQueue, listingTtlMs: 0 },
    );

  async function withWorkers<T>(
    activities: ReturnType<typeof createBackfillActivities>,
    fn: () => Promise<T>,
  ): Promise<T> {
    const workers = await Promise.all([
      Worker.create({
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue,
        workflowBundle: t.workflowBundle,
        activities,
      }),
      Worker.create({
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue: netsuiteTaskQueueFor(taskQueue),
        activities: createBackfillNetSuiteActivities(netsuite),
      }),
    ]);
    return workers[1].runUntil(workers[0].runUntil(fn()));
  }

  const backfillCli = (...args: string[]) =>
    withWorkers(backfillActivities(), () =>
      runOpsCli(t, 'backfill', '--task-queue', taskQueue, '--page-size', '2', ...args),
    );

  it('dry run changes nothing; the real run links, starts and lists; a second run is a no-op', async () => {
    const linked = await seedDeal('GB');
    const byEmail = await seedDeal('DE');
    const byCompany = await seedDeal('US');
    const nothing = await seedDeal('NL');
    const twice = await seedDeal('AU');
    const linkedCustomer = await legacyCustomer(
      { companyName: linked.orgName, email: linked.email },
      linked.externalId,
    );
    const emailCustomer = await legacyCustomer({ companyName: 'Renamed Since Ltd', email: byEmail.email });
    await legacyCustomer({ companyName: byCompany.orgName, email: 'old-address@legacy.example' }, 'ZAP-0001');
    const dupA = await legacyCustomer({ companyName: 'Zap Copy One', email: twice.email });
    const dupB = await legacyCustomer({ companyName: twice.orgName, email: 'other@legacy.example' }, 'ZAP-0002');
    const fieldsBefore = await externalIdFields();
    await simAdmin.reset(ns); // counters only: from here every NetSuite write shows in the stats

    // --- dry run: plain progress lines (stderr is not a TTY), the plan, and no write anywhere.
    const dry = await backfillCli('--dry-run', '--json');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as BackfillCommandResult;
    expect(plan.workflowId).toBe(BACKFILL_DRY_RUN_WORKFLOW_ID);
    expect(plan.attached).toBe(false);
    expect(plan.totals).toEqual({
      dealsSeen: 5,
      matchedByExternalId: 1,
      matchedByEmail: 1,
      matchedByCompanyName: 1,
      netsuiteExternalIdsWritten: 1,
      pipedriveExternalIdsWritten: 3,
      onboardingsStarted: 1,
      onboardingsAlreadyKnown: 0,
      suspectedDuplicates: 1,
      conflicts: 0,
      writeFailures: 0,
    });
    expect(plan.actions).toEqual(
      expect.arrayContaining([
        {
          action: 'write-netsuite-external-id',
          dealId: byEmail.dealId,
          customerId: emailCustomer,
          externalId: byEmail.externalId,
        },
        { action: 'write-pipedrive-external-id', dealId: linked.dealId, externalId: linked.externalId },
        { action: 'write-pipedrive-external-id', dealId: byEmail.dealId, externalId: byEmail.externalId },
        { action: 'write-pipedrive-external-id', dealId: byCompany.dealId, externalId: 'ZAP-0001' },
        { action: 'start-onboarding', dealId: nothing.dealId, externalId: nothing.externalId },
      ]),
    );
    expect(plan.suspectedDuplicates).toEqual([
      {
        kind: 'suspected-duplicates',
        dealId: twice.dealId,
        externalId: twice.externalId,
        customers: [
          { id: dupA, matchedOn: ['email'] },
          { id: dupB, externalId: 'ZAP-0002', matchedOn: ['companyName'] },
        ].sort((a, b) => Number(a.id) - Number(b.id)),
      },
    ]);
    expect(dry.stderr).toMatch(/backfill \(dry run\): 5\/5 deals .* done/);
    expect(await netsuiteWrites()).toEqual({});
    expect(await externalIdFields()).toEqual(fieldsBefore);
    await expect(t.client.workflow.getHandle(nothing.externalId).describe()).rejects.toThrow();

    // --- real run (text output).
    const real = await backfillCli();
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`backfill ${BACKFILL_WORKFLOW_ID}, started`);
    expect(real.stdout).toContain('matched by externalId 1 · by email 1 · by company 1');
    expect(real.stdout).toContain('external ids written: NetSuite 1 · Pipedrive 3');
    expect(real.stdout).toContain('onboardings started 1 (already known to Temporal 0)');
    expect(real.stdout).toContain('suspected duplicates listed 1');
    expect(real.stdout).toContain(`deal ${twice.dealId} (${twice.externalId}): customers`);
    expect(await customerExternalId(emailCustomer)).toBe(byEmail.externalId);
    expect(await customerExternalId(linkedCustomer)).toBe(linked.externalId);
    expect(await customerExternalId(dupA)).toBeUndefined();
    const fields = await externalIdFields();
    expect(fields[linked.dealId]).toBe(linked.externalId);
    expect(fields[byEmail.dealId]).toBe(byEmail.externalId);
    expect(fields[byCompany.dealId]).toBe('ZAP-0001');
    expect(fields[twice.dealId]).toBe(fieldsBefore[twice.dealId]);
    expect((await t.client.workflow.getHandle(nothing.externalId).describe()).type).toBe('onboardDeal');
    // Only the one PATCH reached NetSuite: duplicates are never touched.
    expect(await netsuiteWrites()).toEqual({ 'PATCH record/v1/customer/{id} 204': 1 });

    // --- again: everything is linked by externalId now, the onboarding is known, nothing is written.
    const again = JSON.parse((await backfillCli('--json')).stdout) as BackfillCommandResult;
    // A run this CLI started itself, though the same workflow id ran (and finished) before.
    expect(again.attached).toBe(false);
    expect(again.totals).toMatchObject({
      dealsSeen: 5,
      matchedByExternalId: 3,
      netsuiteExternalIdsWritten: 0,
      pipedriveExternalIdsWritten: 0,
      onboardingsStarted: 0,
      onboardingsAlreadyKnown: 1,
      suspectedDuplicates: 1,
    });
    expect(await netsuiteWrites()).toEqual({ 'PATCH record/v1/customer/{id} 204': 1 });
    await t.client.workflow.getHandle(nothing.externalId).terminate('test cleanup');
  });

  it('a second CLI attaches to the running backfill and follows it across continue-as-new runs to the end', async () => {
    // The third page waits until the CLI has shown progress: the CLI then certainly joined a run in progress.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = backfillActivities();
    let loads = 0;
    const activities = {
      ...base,
      loadBackfillPage: async (after: string | undefined, size: number) => {
        loads += 1;
        if (loads === 3) await gate;
        return base.loadBackfillPage(after, size);
      },
    };
    const { result, stderr, firstRunId } = await withWorkers(activities, async () => {
      // Started elsewhere (another operator's terminal, or a CLI since killed): one page per page, two pages per run.
      const first = await t.client.workflow.start(backfill, {
        workflowId: BACKFILL_WORKFLOW_ID,
        taskQueue,
        args: [{ pageSize: 1, pagesPerRun: 2 }],
      });
      const child = spawn('npm', ['run', '--silent', 'cli', '--', 'backfill', '--task-queue', taskQueue, '--json'], {
        cwd: resolve(__dirname, '../..'),
        env: { ...process.env, TEMPORAL_ADDRESS: t.address, TEMPORAL_NAMESPACE: t.namespace, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/backfill: 2\/5 deals/.test(err)) release();
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
      return { result: JSON.parse(out) as BackfillCommandResult, stderr: err, firstRunId: first.firstExecutionRunId };
    });
    expect(result.attached).toBe(true);
    expect(result.done).toBe(true);
    expect(result.pages).toBe(5);
    // Everything was linked by the first test: the resumed run sees all five deals, writes nothing.
    expect(result.totals).toMatchObject({
      dealsSeen: 5,
      matchedByExternalId: 3,
      onboardingsAlreadyKnown: 1,
      suspectedDuplicates: 1,
      netsuiteExternalIdsWritten: 0,
      pipedriveExternalIdsWritten: 0,
    });
    expect(stderr).toMatch(/backfill: 2\/5 deals[^\n]*\n/);
    expect(stderr).toMatch(/backfill: 5\/5 deals .* done/);
    // The first run handed its cursor on: it ended by continuing as new.
    const firstRun = await t.client.workflow.getHandle(BACKFILL_WORKFLOW_ID, firstRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(loads).toBe(5);
  });
});
