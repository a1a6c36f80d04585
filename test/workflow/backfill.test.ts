/**
 * `npm run cli -- backfill` on the real dev server, its workflow and activities over the Pipedrive and NetSuite
 * simulators, seeded as a team leaving a polling connector finds them: a deal already linked by externalId, a
 * customer the connector made without an externalId (same e-mail), one it made under its own key (same company),
 * a deal nothing exists for, a deal the connector created two customers for, a copy of the linked deal (its External
 * ID, whose customer belongs to the original) and a second deal of a company whose customer belongs to its first
 * deal. The dry run changes nothing (the simulators' counters show no write) and writes its plan to the report file;
 * the real run writes the ids (and the owner field), starts the one onboarding, leaves the duplicates and the other
 * deals' customers alone; a second real run finds everything linked and starts nothing new. The workflow's result
 * holds counts and the report's path, never the deals.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import {
  createBackfillActivities,
  createBackfillNetSuiteActivities,
} from '../../backfill/activities/backfill-activities';
import { createBackfillPageActivities, type BackfillReportLine } from '../../backfill/activities/backfill-page';
import { deriveExternalId, PIPEDRIVE_DEAL_ID_FIELD } from '../../domain/external-id';
import { DEAL_FIELDS } from '../../domain/pipedrive-fields';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import type { NetSuiteClient } from '../../integrations/netsuite';
import { NetSuiteHttp } from '../../integrations/netsuite/netsuite-http';
import { PipedriveClient } from '../../integrations/pipedrive';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import type { BackfillCommandResult } from '../../starters/cli/backfill-command';
import { OnboardingStarter } from '../../starters/start-onboarding';
import {
  backfill,
  BACKFILL_DRY_RUN_WORKFLOW_ID,
  BACKFILL_WORKFLOW_ID,
  type BackfillState,
} from '../../backfill/workflows/backfill';
import { EMPTY_TOTALS } from '../../backfill/model/matching';
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

  /**
   * A customer as an older connector made it (POST without an externalId, or PUT under its own key, no owner field),
   * or as the orchestrator made it for `owner` (its owner field names the deal).
   */
  async function legacyCustomer(
    fields: { companyName: string; email: string },
    externalId?: string,
    owner = '',
  ): Promise<string> {
    const over = { ...fields, entityId: fields.companyName, [PIPEDRIVE_DEAL_ID_FIELD]: owner };
    if (externalId) return (await netsuite.upsertCustomer(externalId, customerBody(externalId, over))).customerId;
    const { externalId: _drop, ...body } = customerBody('unused', over);
    const res = await http.request('POST', 'record/v1/customer', { body });
    return res.headers.location!.split('/').pop()!;
  }

  const externalIdFields = async (): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(
      (await pipedrive.listDealsFromStage('Contract Signed')).deals.map((d) => [d.dealId, d.externalIdField]),
    );
  const customerRow = async (id: string): Promise<{ externalid?: string; custentity_pd_deal_id?: string }> =>
    (
      await netsuite.suiteqlAll<{ externalid?: string; custentity_pd_deal_id?: string }>(
        `SELECT externalid, custentity_pd_deal_id FROM customer WHERE id = ${id}`,
      )
    )[0] ?? {};
  const customerExternalId = async (id: string): Promise<string | undefined> => (await customerRow(id)).externalid;
  const netsuiteWrites = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      Object.entries((await simAdmin.stats(ns)).requests).filter(([key]) =>
        /^(PUT|PATCH|DELETE|POST record)/.test(key),
      ),
    );
  const reportLines = (path: string): BackfillReportLine[] =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as BackfillReportLine);

  const starter = () => new OnboardingStarter(t.connection, t.namespace);
  const pageActivities = () =>
    createBackfillPageActivities(
      { pipedrive, netsuite, starter: starter() },
      { dataDir, onboardingTaskQueue: onboardingQueue },
    );

  async function withWorkers<T>(
    activities: ReturnType<typeof createBackfillPageActivities>,
    fn: () => Promise<T>,
  ): Promise<T> {
    const workers = await Promise.all([
      Worker.create({
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue,
        workflowBundle: t.workflowBundle,
        // Runs started before the backfill-paged patch page through these.
        activities: createBackfillActivities(
          { pipedrive, starter: starter() },
          { onboardingTaskQueue: onboardingQueue, listingTtlMs: 0 },
        ),
      }),
      Worker.create({
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue: netsuiteTaskQueueFor(taskQueue),
        activities: { ...createBackfillNetSuiteActivities(netsuite), ...activities },
      }),
    ]);
    return workers[1].runUntil(workers[0].runUntil(fn()));
  }

  const backfillCli = (...args: string[]) =>
    withWorkers(pageActivities(), () =>
      runOpsCli(t, 'backfill', '--task-queue', taskQueue, '--page-size', '2', ...args),
    );

  let seeded: Record<'linked' | 'byEmail' | 'byCompany' | 'nothing' | 'twice' | 'copy' | 'sibling', Seeded>;

  it('dry run changes nothing; the real run links, starts and lists; a second run is a no-op', async () => {
    const linked = await seedDeal('GB');
    const byEmail = await seedDeal('DE');
    const byCompany = await seedDeal('US');
    const nothing = await seedDeal('NL');
    const twice = await seedDeal('AU');
    const copy = await seedDeal('GB');
    const sibling = await seedDeal('DE');
    seeded = { linked, byEmail, byCompany, nothing, twice, copy, sibling };
    // Created by the orchestrator for the linked deal: its owner field names it.
    const linkedCustomer = await legacyCustomer(
      { companyName: linked.orgName, email: linked.email },
      linked.externalId,
      linked.dealId,
    );
    const emailCustomer = await legacyCustomer({ companyName: 'Renamed Since Ltd', email: byEmail.email });
    await legacyCustomer({ companyName: byCompany.orgName, email: 'old-address@legacy.example' }, 'ZAP-0001');
    const dupA = await legacyCustomer({ companyName: 'Zap Copy One', email: twice.email });
    const dupB = await legacyCustomer({ companyName: twice.orgName, email: 'other@legacy.example' }, 'ZAP-0002');
    // "Duplicate deal" in Pipedrive copies the External ID field: the copy claims the linked deal's customer.
    await pipedrive.setDealFields(copy.dealId, { [DEAL_FIELDS.externalId]: linked.externalId });
    // The same company's first deal (not signed here) got this customer; the second deal shares its e-mail.
    const firstDealId = '990001';
    const firstDealCustomer = await legacyCustomer(
      { companyName: 'Sibling Holdings', email: sibling.email },
      deriveExternalId({ companyId, dealId: firstDealId }),
      firstDealId,
    );
    const fieldsBefore = await externalIdFields();
    await simAdmin.reset(ns); // counters only: from here every NetSuite write shows in the stats

    // --- dry run: plain progress lines (stderr is not a TTY), counts and the report's path, and no write anywhere.
    const dry = await backfillCli('--dry-run', '--json');
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as BackfillCommandResult;
    expect(plan.workflowId).toBe(BACKFILL_DRY_RUN_WORKFLOW_ID);
    expect(plan.totals).toEqual({
      dealsSeen: 7,
      matchedByExternalId: 1,
      matchedByEmail: 1,
      matchedByCompanyName: 1,
      netsuiteExternalIdsWritten: 1,
      pipedriveExternalIdsWritten: 3,
      onboardingsStarted: 1,
      onboardingsAlreadyKnown: 0,
      suspectedDuplicates: 1,
      conflicts: 2,
      writeFailures: 0,
    });
    // No deal travels through the workflow: its result is counts, the cursor and the report's path.
    expect(plan.actions).toEqual([]);
    expect(plan.suspectedDuplicates).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(dry.stdout).not.toContain(twice.email);
    expect(plan.report?.path).toMatch(/\/reports\/backfill-.+-dry-run\.jsonl$/);
    expect(statSync(plan.report!.path).mode & 0o777).toBe(0o600);
    const planned = reportLines(plan.report!.path);
    expect(statSync(plan.report!.path).size).toBe(plan.report!.bytes);
    expect(planned.filter((l) => l.kind === 'action')).toEqual(
      expect.arrayContaining([
        {
          kind: 'action',
          action: 'write-netsuite-external-id',
          dealId: byEmail.dealId,
          customerId: emailCustomer,
          externalId: byEmail.externalId,
        },
        { kind: 'action', action: 'write-pipedrive-external-id', dealId: linked.dealId, externalId: linked.externalId },
        {
          kind: 'action',
          action: 'write-pipedrive-external-id',
          dealId: byEmail.dealId,
          externalId: byEmail.externalId,
        },
        { kind: 'action', action: 'write-pipedrive-external-id', dealId: byCompany.dealId, externalId: 'ZAP-0001' },
        { kind: 'action', action: 'start-onboarding', dealId: nothing.dealId, externalId: nothing.externalId },
      ]),
    );
    expect(planned.filter((l) => l.kind === 'action')).toHaveLength(5);
    expect(planned.filter((l) => l.kind === 'suspected-duplicates')).toEqual([
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
    expect(planned.filter((l) => l.kind === 'conflict')).toEqual([
      {
        kind: 'conflict',
        dealId: copy.dealId,
        externalId: linked.externalId,
        customerId: linkedCustomer,
        reason: 'customer-belongs-to-another-deal',
        customerExternalId: linked.externalId,
        ownerDealId: linked.dealId,
      },
      {
        kind: 'conflict',
        dealId: sibling.dealId,
        externalId: sibling.externalId,
        customerId: firstDealCustomer,
        reason: 'customer-belongs-to-another-deal',
        customerExternalId: deriveExternalId({ companyId, dealId: firstDealId }),
        ownerDealId: firstDealId,
      },
    ]);
    expect(dry.stderr).toMatch(/backfill \(dry run\): 7\/7 deals .* done/);
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
    expect(real.stdout).toContain('suspected duplicates listed 1 · conflicts 2');
    const reportPath = /every deal and what it got \(one JSON line a deal, on the worker's host\): (\S+)/.exec(
      real.stdout,
    )?.[1];
    expect(reportPath).toMatch(/\/reports\/backfill-[^/]+\.jsonl$/);
    const done = reportLines(reportPath!);
    expect(done).toEqual(
      expect.arrayContaining([
        {
          kind: 'action',
          action: 'write-netsuite-external-id',
          dealId: byEmail.dealId,
          customerId: emailCustomer,
          externalId: byEmail.externalId,
          outcome: 'written',
        },
        {
          kind: 'action',
          action: 'start-onboarding',
          dealId: nothing.dealId,
          externalId: nothing.externalId,
          outcome: 'started',
        },
        expect.objectContaining({ kind: 'suspected-duplicates', dealId: twice.dealId }),
        expect.objectContaining({ kind: 'conflict', dealId: copy.dealId }),
      ]),
    );
    // Written onto the customer with the External ID: the owner field, so no later deal can claim it.
    expect(await customerRow(emailCustomer)).toEqual({
      externalid: byEmail.externalId,
      custentity_pd_deal_id: byEmail.dealId,
    });
    expect(await customerExternalId(linkedCustomer)).toBe(linked.externalId);
    expect(await customerExternalId(dupA)).toBeUndefined();
    const fields = await externalIdFields();
    expect(fields[linked.dealId]).toBe(linked.externalId);
    expect(fields[byEmail.dealId]).toBe(byEmail.externalId);
    expect(fields[byCompany.dealId]).toBe('ZAP-0001');
    expect(fields[twice.dealId]).toBe(fieldsBefore[twice.dealId]);
    // The copy and the second deal keep what they had: neither takes another deal's customer or External ID.
    expect(fields[copy.dealId]).toBe(linked.externalId);
    expect(fields[sibling.dealId]).toBe(fieldsBefore[sibling.dealId]);
    expect(await customerRow(firstDealCustomer)).toEqual({
      externalid: deriveExternalId({ companyId, dealId: firstDealId }),
      custentity_pd_deal_id: firstDealId,
    });
    expect((await t.client.workflow.getHandle(nothing.externalId).describe()).type).toBe('onboardDeal');
    // Only the one PATCH reached NetSuite: duplicates and other deals' customers are never touched.
    expect(await netsuiteWrites()).toEqual({ 'PATCH record/v1/customer/{id} 204': 1 });

    // --- again: everything is linked by externalId now, the onboarding is known, nothing is written.
    const again = JSON.parse((await backfillCli('--json')).stdout) as BackfillCommandResult;
    expect(again.totals).toMatchObject({
      dealsSeen: 7,
      matchedByExternalId: 3,
      netsuiteExternalIdsWritten: 0,
      pipedriveExternalIdsWritten: 0,
      onboardingsStarted: 0,
      onboardingsAlreadyKnown: 1,
      suspectedDuplicates: 1,
      conflicts: 2,
    });
    expect(again.report?.path).not.toBe(reportPath);
    expect(await netsuiteWrites()).toEqual({ 'PATCH record/v1/customer/{id} 204': 1 });
    await t.client.workflow.getHandle(nothing.externalId).terminate('test cleanup');
  });

  it('a second CLI attaches to the running backfill and follows it across continue-as-new runs to the end', async () => {
    // The third page waits until the CLI has shown progress: the CLI then certainly joined a run in progress.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = pageActivities();
    let loads = 0;
    const activities = {
      runBackfillPage: async (input: Parameters<typeof base.runBackfillPage>[0]) => {
        loads += 1;
        if (loads === 3) await gate;
        return base.runBackfillPage(input);
      },
    };
    const { result, stderr, firstRunId } = await withWorkers(activities, async () => {
      // Started elsewhere (another operator's terminal, or a CLI since killed): one deal per page, two pages per run.
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
        if (/backfill: 2\/\? deals/.test(err)) release();
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
      return { result: JSON.parse(out) as BackfillCommandResult, stderr: err, firstRunId: first.firstExecutionRunId };
    });
    expect(result.attached).toBe(true);
    expect(result.done).toBe(true);
    // A page per deal, and one (empty) for the later stage of the pipeline (Onboarded), which the listing also reads.
    expect(result.pages).toBe(8);
    // Everything was linked by the first test: the resumed run sees all seven deals, writes nothing.
    expect(result.totals).toMatchObject({
      dealsSeen: 7,
      matchedByExternalId: 3,
      onboardingsAlreadyKnown: 1,
      suspectedDuplicates: 1,
      conflicts: 2,
      netsuiteExternalIdsWritten: 0,
      pipedriveExternalIdsWritten: 0,
    });
    // One report for the whole backfill across its runs: a line per deal, each deal once.
    const lines = reportLines(result.report!.path);
    expect(new Set(lines.map((l) => l.dealId)).size).toBe(7);
    expect(stderr).toMatch(/backfill: 2\/\? deals[^\n]*\n/);
    expect(stderr).toMatch(/backfill: 7\/7 deals .* done/);
    // The first run handed its cursor on: it ended by continuing as new.
    const firstRun = await t.client.workflow.getHandle(BACKFILL_WORKFLOW_ID, firstRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(loads).toBe(8);
  });

  it('a retried page is in the report once', async () => {
    const base = pageActivities();
    let calls = 0;
    const activities = {
      // The second page's first attempt appends its lines and then fails, as a worker lost after the write would.
      runBackfillPage: async (input: Parameters<typeof base.runBackfillPage>[0]) => {
        calls += 1;
        const r = await base.runBackfillPage(input);
        if (calls === 2) throw new Error('worker lost after writing the report');
        return r;
      },
    };
    const r = await withWorkers(activities, () =>
      t.client.workflow.execute(backfill, {
        workflowId: `${BACKFILL_DRY_RUN_WORKFLOW_ID}-retry`,
        taskQueue,
        args: [{ dryRun: true, pageSize: 3 }],
      }),
    );
    // Three pages of Contract Signed, one (empty) of Onboarded, and the failed attempt.
    expect(calls).toBe(5);
    const lines = reportLines(r.report!.path);
    expect(lines.map((l) => l.dealId).sort()).toEqual(
      Object.values(seeded)
        .map((d) => d.dealId)
        .sort(),
    );
    expect(statSync(r.report!.path).size).toBe(r.report!.bytes);
  });

  it('a run carried over from before the backfill-paged patch skips the deals it had done and keeps its counts', async () => {
    const ids = Object.values(seeded)
      .map((d) => d.dealId)
      .sort((a, b) => Number(a) - Number(b));
    // As the old loop hands over at continue-as-new: deal id cursor, counts, bounded lists.
    const carry: BackfillState = {
      dryRun: true,
      startedAt: '2026-12-01T00:00:00.000Z',
      total: 7,
      pages: 3,
      afterDealId: ids[2],
      done: false,
      totals: { ...EMPTY_TOTALS, dealsSeen: 3, matchedByExternalId: 3 },
      actions: [],
      suspectedDuplicates: [],
      conflicts: [],
      writeFailures: [],
    };
    const r = await withWorkers(pageActivities(), () =>
      t.client.workflow.execute(backfill, {
        workflowId: `${BACKFILL_DRY_RUN_WORKFLOW_ID}-upgrade`,
        taskQueue,
        args: [{ dryRun: true, carry }],
      }),
    );
    expect(r.totals.dealsSeen).toBe(7);
    expect(r.doneThroughDealId).toBe(ids[2]);
    expect(
      reportLines(r.report!.path)
        .map((l) => l.dealId)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(ids.slice(3));
  });
});
