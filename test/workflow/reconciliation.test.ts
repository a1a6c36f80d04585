/**
 * `reconcile` on the real dev server with its real activities over the Pipedrive and NetSuite simulators: signed deals
 * (Contract Signed and the later Onboarded stage) against customers written straight into NetSuite; the stored report;
 * missing onboardings started once; and the `reconciliation-daily` schedule's spec and policies.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  createReconciliationActivities,
  createReconciliationNetSuiteActivities,
} from '../../reconciliation/activities/reconcile-activities';
import {
  createReconciliationReportActivities,
  type ReconciliationReportSlackDeps,
} from '../../reconciliation/activities/report-slack';
import { createReconciliationRunActivities } from '../../reconciliation/activities/reconcile-run';
import { VendorError } from '../../integrations/vendor-error';
import { deriveExternalId } from '../../domain/external-id';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import type { NetSuiteClient } from '../../integrations/netsuite';
import { PipedriveClient } from '../../integrations/pipedrive';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import { ensureReconciliationSchedule } from '../../starters/schedules';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { reconcile, type ReconciliationSummary } from '../../reconciliation/workflows/reconcile';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { clientFor, customerBody, simAdmin } from '../integrations/netsuite/fixtures';
import { simCall } from '../integrations/pipedrive/sim-admin';

interface SeededDeal {
  dealId: number;
  externalId: string;
  orgName: string;
  email: string;
}

describe('reconcile workflow over the simulators', () => {
  let t: TestTemporal;
  let pd: RunningPipedriveSimulator;
  let ns: RunningNetSuiteSimulator;
  let pipedrive: PipedriveClient;
  let netsuite: NetSuiteClient;
  let dataDir: string;
  let companyId: string;
  /** Onboardings the reconciliation starts go to a queue no worker polls: they wait there until terminated. */
  const onboardingQueue = uniqueTaskQueue('reconcile-started');
  const startedIds: string[] = [];

  beforeAll(async () => {
    [t, pd, ns] = await Promise.all([connectTestTemporal(), startPipedriveSimulator(), startNetSuiteSimulator()]);
    pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken });
    netsuite = clientFor(ns);
    dataDir = mkdtempSync(join(tmpdir(), 'reconcile-test-'));
    companyId = String(
      (await simCall<{ company_id: number }>(pd.url, 'GET', `/v1/users/me?api_token=${pd.stackEntry.apiToken}`))
        .company_id,
    );
  });
  afterAll(async () => {
    await Promise.all(
      startedIds.map((id) =>
        t.client.workflow
          .getHandle(id)
          .terminate('test cleanup')
          .catch(() => undefined),
      ),
    );
    await Promise.all([pd?.close(), ns?.close()]);
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await simCall(pd.url, 'POST', '/__sim/reset');
    await simAdmin.reset(ns, true);
  });

  async function seedDeal(stageName: string, country = 'GB'): Promise<SeededDeal> {
    const created = await simCall<{
      deal: { id: number };
      person: { emails: Array<{ value: string }> };
      organization: { name: string };
    }>(pd.url, 'POST', '/__sim/deals', {
      country,
      stage_name: stageName,
    });
    return {
      dealId: created.deal.id,
      externalId: deriveExternalId({ companyId, dealId: created.deal.id }),
      orgName: created.organization.name,
      email: created.person.emails[0]!.value,
    };
  }

  async function createCustomer(externalId: string, fields: { companyName: string; email: string }): Promise<string> {
    return (
      await netsuite.upsertCustomer(
        externalId,
        customerBody(externalId, { ...fields, entityId: `${fields.companyName} ${externalId}`.slice(0, 80) }),
      )
    ).customerId;
  }

  async function runReconcile(
    args: { startMissing?: boolean } = {},
    slack: ReconciliationReportSlackDeps = {},
    workflowId = `reconcile-test-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
  ): Promise<ReconciliationSummary> {
    const taskQueue = uniqueTaskQueue('reconcile');
    const starter = new OnboardingStarter(t.connection, t.namespace);
    const onboarding = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      activities: {
        ...createReconciliationActivities({ pipedrive, starter }, { dataDir, onboardingTaskQueue: onboardingQueue }),
        ...createReconciliationReportActivities(slack),
      },
    });
    const nsWorker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue: netsuiteTaskQueueFor(taskQueue),
      activities: {
        ...createReconciliationNetSuiteActivities(netsuite),
        ...createReconciliationRunActivities(
          { pipedrive, netsuite, starter },
          { dataDir, onboardingTaskQueue: onboardingQueue },
        ),
      },
    });
    return nsWorker.runUntil(
      onboarding.runUntil(t.client.workflow.execute(reconcile, { taskQueue, workflowId, args: [args] })),
    );
  }

  it('finds the signed deal without a customer, the damaged company name and the duplicate e-mail; starts the missing onboarding once', async () => {
    const [a, b, c] = [
      await seedDeal('Contract Signed', 'GB'),
      await seedDeal('Contract Signed', 'DE'),
      await seedDeal('Onboarded', 'US'),
    ];
    await seedDeal('Negotiation'); // not signed: never compared
    await createCustomer(a.externalId, { companyName: a.orgName, email: a.email });
    const damaged = await createCustomer(b.externalId, { companyName: 'Damaged Holdings Ltd', email: b.email });
    // A customer an older polling connector created for the same company, under its own external id.
    const legacy = await createCustomer('ZAP-LEGACY-1', {
      companyName: `${b.orgName} (legacy)`,
      email: b.email.toUpperCase(),
    });

    const summary = await runReconcile({ startMissing: true });
    expect(summary.counts).toMatchObject({
      signedDeals: 3,
      customers: 2,
      foreignCustomers: 1,
      compared: 3,
      missingCustomers: 1,
      customersWithoutDeal: 0,
      fieldMismatches: 1,
      duplicates: 1,
      // c is missing; b has the mismatch and the duplicate (one record, counted once).
      withProblems: 2,
    });
    expect(summary.mismatchRate).toBeCloseTo(2 / 3);
    expect(summary.alert).toBe(true);
    // Counts only in the result; the outcomes are listed in the report.
    expect(summary.onboardings).toEqual({ started: 1, alreadyKnown: 0 });
    expect(summary.startedOnboardings).toBeUndefined();
    startedIds.push(c.externalId);

    const stored = JSON.parse(readFileSync(summary.report.jsonPath, 'utf8'));
    expect(summary.report.jsonPath).toBe(
      join(dataDir, 'reports', `reconciliation-${summary.generatedAt.replace(/[:.]/g, '-')}.json`),
    );
    expect(stored.startedOnboardings).toEqual([
      { dealId: String(c.dealId), externalId: c.externalId, outcome: 'started' },
    ]);
    expect(stored.missingCustomers).toEqual([
      { dealId: String(c.dealId), externalId: c.externalId, title: expect.any(String), stageName: 'Onboarded' },
    ]);
    expect(stored.fieldMismatches).toEqual([
      {
        dealId: String(b.dealId),
        externalId: b.externalId,
        customerId: damaged,
        fields: [{ field: 'companyName', pipedrive: b.orgName, netsuite: 'Damaged Holdings Ltd' }],
      },
    ]);
    expect(stored.duplicates).toEqual([
      {
        kind: 'email',
        key: b.email.toLowerCase(),
        customerIds: [damaged, legacy].sort((x, y) => Number(x) - Number(y)),
        externalIds: [b.externalId, 'ZAP-LEGACY-1'].sort(),
        dealIds: [String(b.dealId)],
      },
    ]);
    const text = readFileSync(summary.report.textPath, 'utf8');
    expect(text).toContain('mismatch rate 66.67% (2 of 3 records)');
    expect(text).toContain('ALERT');
    expect(text).toContain(`deal ${c.dealId} ${c.externalId}: started`);

    // The onboarding exists under the deal's external_id; a second reconciliation starts nothing new.
    const described = await t.client.workflow.getHandle(c.externalId).describe();
    expect(described.type).toBe('onboardDeal');
    const again = await runReconcile({ startMissing: true });
    expect(again.onboardings).toEqual({ started: 0, alreadyKnown: 1 });
    expect(readFileSync(again.report.textPath, 'utf8')).toContain(`deal ${c.dealId} ${c.externalId}: already-known`);
  });

  it('a clean run: every signed deal has its customer ⇒ 0%, no alert, report stored', async () => {
    const deals = [await seedDeal('Contract Signed', 'NL'), await seedDeal('Onboarded', 'AU')];
    for (const d of deals)
      await createCustomer(d.externalId, { companyName: `  ${d.orgName.toUpperCase()} `, email: d.email });
    const summary = await runReconcile();
    expect(summary.counts).toMatchObject({
      signedDeals: 2,
      customers: 2,
      compared: 2,
      withProblems: 0,
      missingCustomers: 0,
      fieldMismatches: 0,
      duplicates: 0,
    });
    expect(summary.mismatchRate).toBe(0);
    expect(summary.alert).toBe(false);
    expect(summary.onboardings).toBeUndefined();
    expect(existsSync(summary.report.jsonPath) && existsSync(summary.report.textPath)).toBe(true);
  });

  it('posts the summary to Slack; a Slack failure is recorded and never fails the run', async () => {
    const d = await seedDeal('Contract Signed', 'GB');
    const posted: Array<{ channel: string; text: string; blocks?: unknown }> = [];
    const ok = await runReconcile(
      {},
      {
        channel: 'C0REPORTS',
        slack: { postMessage: async (m) => (posted.push(m), { channel: m.channel, ts: '1.000' }) },
      },
    );
    expect(ok.slack).toEqual({ posted: true, channel: 'C0REPORTS', ts: '1.000' });
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toContain('mismatch rate 100.00% (threshold 2.00%) ALERT');
    expect(JSON.stringify(posted[0]!.blocks)).toContain(
      `Signed deal ${d.dealId} (\`${d.externalId}\`) has no NetSuite customer`,
    );

    const failing = await runReconcile(
      {},
      {
        channel: 'C0REPORTS',
        slack: { postMessage: async () => Promise.reject(new VendorError('slack', 'auth', 'invalid_auth')) },
      },
    );
    expect(failing.slack).toEqual({ posted: false, reason: expect.stringContaining('invalid_auth') });
    expect(failing.counts).toMatchObject({ signedDeals: 1, missingCustomers: 1 });
    expect(existsSync(failing.report.jsonPath)).toBe(true);

    expect((await runReconcile()).slack).toEqual({ posted: false, reason: 'Slack is not configured' });
  });

  it('a deal whose External ID field is set is compared under that id', async () => {
    const d = await seedDeal('Contract Signed', 'CA');
    await pipedrive.setDealFields(String(d.dealId), { 'External ID': 'CID-CA-0042' });
    await createCustomer('CID-CA-0042', { companyName: d.orgName, email: d.email });
    const summary = await runReconcile();
    expect(summary.counts).toMatchObject({ signedDeals: 1, customers: 1, compared: 1, withProblems: 0 });
  });
});

/** Bytes of every payload in a history event (inputs, results, heartbeat details, failures' details), by event. */
function payloadSizes(events: unknown[]): Array<{ eventId: string; type: string; bytes: number }> {
  const sizeOf = (v: unknown): number => {
    if (!v || typeof v !== 'object') return 0;
    if (v instanceof Uint8Array) return v.byteLength;
    return Object.values(v as Record<string, unknown>).reduce<number>((n, x) => n + sizeOf(x), 0);
  };
  return events.map((e) => {
    const ev = e as { eventId?: { toString(): string }; eventType?: number };
    return { eventId: String(ev.eventId), type: String(ev.eventType), bytes: sizeOf(e) };
  });
}

describe('reconcile at scale: records never travel through the history', () => {
  let t: TestTemporal;
  let pd: RunningPipedriveSimulator;
  let ns: RunningNetSuiteSimulator;
  let dataDir: string;

  beforeAll(async () => {
    [t, pd, ns] = await Promise.all([connectTestTemporal(), startPipedriveSimulator(), startNetSuiteSimulator()]);
    dataDir = mkdtempSync(join(tmpdir(), 'reconcile-scale-test-'));
  });
  afterAll(async () => {
    await Promise.all([pd?.close(), ns?.close()]);
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('3,000 signed deals against 3,000 customers: exact counts, and no event of the history carries more than 16 KB', async () => {
    const N = 3_000;
    const pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken });
    const netsuite = clientFor(ns);
    const companyId = String(
      (await simCall<{ company_id: number }>(pd.url, 'GET', `/v1/users/me?api_token=${pd.stackEntry.apiToken}`))
        .company_id,
    );
    const deals = Array.from({ length: N }, (_, i) => ({
      org_name: `Scale Co ${i}`,
      email: `billing${i}@scale${i}.example`,
      stage_name: i % 3 === 0 ? 'Onboarded' : 'Contract Signed',
    }));
    const ids: number[] = [];
    for (let i = 0; i < N; i += 1000)
      ids.push(
        ...(await simCall<{ ids: number[] }>(pd.url, 'POST', '/__sim/deals/bulk', { deals: deals.slice(i, i + 1000) }))
          .ids,
      );
    // Damage: every 100th deal has no customer, every 100th (offset 50) a customer under another company name.
    const customers = ids.flatMap((dealId, i) =>
      i % 100 === 0
        ? []
        : [
            {
              ...customerBody(deriveExternalId({ companyId, dealId }), {
                companyName: i % 100 === 50 ? `Renamed ${i}` : `Scale Co ${i}`,
                email: `billing${i}@scale${i}.example`,
                entityId: `Scale ${i}`,
              }),
            },
          ],
    );
    for (let i = 0; i < customers.length; i += 1000)
      await simCall(ns.url, 'POST', '/__sim/customers/bulk', { customers: customers.slice(i, i + 1000) });

    const taskQueue = uniqueTaskQueue('reconcile-scale');
    const workflowId = `reconcile-scale-${Date.now()}`;
    const onboarding = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      activities: createReconciliationReportActivities({}),
    });
    const nsWorker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue: netsuiteTaskQueueFor(taskQueue),
      activities: createReconciliationRunActivities({ pipedrive, netsuite }, { dataDir }),
    });
    const summary = await nsWorker.runUntil(
      onboarding.runUntil(t.client.workflow.execute(reconcile, { taskQueue, workflowId, args: [{}] })),
    );
    expect(summary.counts).toEqual({
      signedDeals: N,
      customers: N - 30,
      foreignCustomers: 0,
      compared: N,
      withProblems: 60,
      missingCustomers: 30,
      customersWithoutDeal: 0,
      fieldMismatches: 30,
      duplicates: 0,
    });
    const stored = JSON.parse(readFileSync(summary.report.jsonPath, 'utf8'));
    expect(stored.missingCustomers).toHaveLength(30);
    expect(stored.fieldMismatches[0]).toMatchObject({
      dealId: String(ids[50]),
      fields: [{ field: 'companyName', pipedrive: 'Scale Co 50', netsuite: 'Renamed 50' }],
    });
    // The scratch file is gone once the report is written.
    expect(readdirSync(join(dataDir, 'scratch'))).toEqual([]);

    const history = await t.client.workflow.getHandle(workflowId).fetchHistory();
    const sizes = payloadSizes(history.events ?? []);
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    // The records alone are hundreds of KB (≈ 200 bytes each); the figures, paths and five problem lines are a few KB.
    expect(largest.bytes).toBeLessThan(16 * 1024);
    expect(sizes.length).toBeLessThan(30);
  }, 240_000);
});

describe('reconcile resumes from its scratch file', () => {
  let t: TestTemporal;
  let pd: RunningPipedriveSimulator;
  let ns: RunningNetSuiteSimulator;
  let dataDir: string;

  beforeAll(async () => {
    [t, pd, ns] = await Promise.all([connectTestTemporal(), startPipedriveSimulator(), startNetSuiteSimulator()]);
    dataDir = mkdtempSync(join(tmpdir(), 'reconcile-resume-test-'));
  });
  afterAll(async () => {
    await Promise.all([pd?.close(), ns?.close()]);
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a transient failure after some pages of each vendor: the retry continues from the stored position, counts exact', async () => {
    const N = 1_200;
    const pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken });
    const netsuite = clientFor(ns);
    const companyId = String(
      (await simCall<{ company_id: number }>(pd.url, 'GET', `/v1/users/me?api_token=${pd.stackEntry.apiToken}`))
        .company_id,
    );
    const ids = (
      await simCall<{ ids: number[] }>(pd.url, 'POST', '/__sim/deals/bulk', {
        deals: Array.from({ length: N }, (_, i) => ({ org_name: `Resume Co ${i}`, stage_name: 'Contract Signed' })),
      })
    ).ids;
    const customers = ids.slice(1).map((dealId, i) => ({
      ...customerBody(deriveExternalId({ companyId, dealId }), {
        companyName: `Resume Co ${i + 1}`,
        entityId: `Resume ${i + 1}`,
      }),
      // The attribution fields exist, so the first page is asked once (an account without them is asked again without).
      custentity_campaign: 'Spring launch',
      custentity_lead_source: 'Web form',
      custentity_channel: 'Paid search',
    }));
    await simCall(ns.url, 'POST', '/__sim/customers/bulk', { customers });

    // First attempt: Pipedrive fails on its third page (two stored); the second: NetSuite fails on its fifth page.
    const dealPagesAsked: Array<string | undefined> = [];
    const customerPagesAsked: string[] = [];
    let attempt = 0;
    const flakyPipedrive = {
      async *dealPagesFromStage(stage: string, from?: { stageIndex: number; cursor?: string }) {
        attempt += 1;
        dealPagesAsked.push(from ? `${from.stageIndex}:${from.cursor ?? ''}` : undefined);
        let n = 0;
        for await (const page of pipedrive.dealPagesFromStage(stage, from)) {
          if (attempt === 1 && ++n === 3) throw new VendorError('pipedrive', 'transient', 'HTTP 503 (test)');
          yield page;
        }
      },
    };
    const flakyNetSuite = {
      suiteql: async <T>(query: string, page: { limit?: number; offset?: number }) => {
        customerPagesAsked.push(/id > (\d+)/.exec(query)?.[1] ?? 'first');
        if (attempt === 2 && customerPagesAsked.length === 5)
          throw new VendorError('netsuite', 'transient', 'HTTP 503 (test)');
        return netsuite.suiteql<T>(query, page);
      },
    };
    // Pipedrive pages are 500 deals: 1,200 are three pages of Contract Signed, then an empty Onboarded page.
    const taskQueue = uniqueTaskQueue('reconcile-resume');
    const onboarding = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      activities: createReconciliationReportActivities({}),
    });
    const nsWorker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue: netsuiteTaskQueueFor(taskQueue),
      activities: createReconciliationRunActivities(
        { pipedrive: flakyPipedrive, netsuite: flakyNetSuite },
        { dataDir, customerPageSize: 200 },
      ),
    });
    const summary = await nsWorker.runUntil(
      onboarding.runUntil(
        t.client.workflow.execute(reconcile, { taskQueue, workflowId: `reconcile-resume-${Date.now()}`, args: [{}] }),
      ),
    );
    expect(summary.counts).toMatchObject({
      signedDeals: N,
      customers: N - 1,
      compared: N,
      missingCustomers: 1,
      withProblems: 1,
    });
    // Attempt 1 from the start; attempt 2 from the third Pipedrive page; attempt 3 did not list Pipedrive again.
    expect(dealPagesAsked).toHaveLength(2);
    expect(dealPagesAsked[0]).toBeUndefined();
    expect(dealPagesAsked[1]).toMatch(/^0:.+/);
    // NetSuite: pages 1-4 on attempt 2 (the 5th failed), then from the last id stored, never from the start again.
    expect(customerPagesAsked.filter((p) => p === 'first')).toHaveLength(1);
    expect(customerPagesAsked[5]).toBe(customerPagesAsked[4]);
    expect(customerPagesAsked.length).toBe(Math.ceil((N - 1) / 200) + 1);
  }, 240_000);
});

describe('reconciliation-daily schedule', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  it('is created with cron 06:00 UTC, overlap SKIP and a one-day catch-up window; ensuring it again updates in place and keeps a pause', async () => {
    const scheduleId = `reconciliation-daily-test-${Date.now()}`;
    const taskQueue = uniqueTaskQueue('schedule');
    const handle = t.client.schedule.getHandle(scheduleId);
    try {
      expect(await ensureReconciliationSchedule(t.client, { scheduleId, taskQueue })).toEqual({
        scheduleId,
        outcome: 'created',
      });
      let d = await handle.describe();
      expect(d.spec.calendars).toEqual([
        expect.objectContaining({ hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] }),
      ]);
      expect(d.spec.timezone).toBe('UTC');
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.policies.catchupWindow).toBe(24 * 60 * 60_000);
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcile', taskQueue });
      expect(d.info.nextActionTimes[0]?.toISOString()).toMatch(/T06:00:00\.000Z$/);

      await handle.pause('operator: NetSuite maintenance');
      expect(await ensureReconciliationSchedule(t.client, { scheduleId, taskQueue, cron: '30 7 * * *' })).toEqual({
        scheduleId,
        outcome: 'updated',
      });
      d = await handle.describe();
      expect(d.spec.calendars).toEqual([
        expect.objectContaining({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }),
      ]);
      expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(d.state.paused).toBe(true);
    } finally {
      await handle.delete().catch(() => undefined);
    }
  });
});
