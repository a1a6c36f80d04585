/**
 * R10: backfill at scale. Seeds N signed deals in the Pipedrive simulator and the NetSuite customers a polling
 * connector would have left (bulk admin routes: no webhooks), runs the `backfill` workflow on the chaos stack's real
 * worker process (production wiring), first as a dry run and then for real, and checks the exact counts, the report's
 * lines per kind and outcome, the customers written (External ID and owner field), the worker's RSS (P4's budget:
 * 300 MB) and the largest event of every run's history (the backfill continues as new every 20 pages).
 * N = 50,000; quick: 5,000; `--deals N` (a multiple of 250).
 *
 * Deal i, d = N / 250 deals of each kind (6 kinds = 2.4% of N); the rest are linked already:
 *   linked         External ID field BF-i, customer BF-i created for the deal (owner field = deal id)  → matched by externalId
 *   i % 250 = 0    nothing in NetSuite                                                                → start-onboarding
 *   i % 250 = 50   a customer with the deal's e-mail, no externalId, no owner                          → matched by e-mail: NS + PD writes
 *   i % 250 = 100  a customer with the deal's company under the old connector's key ZAP-i             → matched by company: PD write (adopts ZAP-i)
 *   i % 250 = 150  two such customers (one by e-mail, one by company)                                 → suspected duplicates
 *   i % 250 = 200  a copy of deal i-1: its External ID field BF-(i-1), whose customer is deal i-1's   → conflict (belongs to another deal)
 *   i % 250 = 225  a customer with the deal's e-mail created for another deal (owner 90000000 + i)    → conflict (belongs to another deal)
 */
import { readFileSync } from 'node:fs';
import axios from 'axios';
import { deriveExternalId } from '../../domain/external-id';
import { NetSuiteClient } from '../../integrations/netsuite';
import { TASK_QUEUES } from '../../domain/temporal-names';
import type { BackfillReportLine } from '../../backfill/activities/backfill-page';
import type { BackfillState } from '../../backfill/workflows/backfill';
import { startChaosStack, type ChaosStack } from './chaos-stack';
import { treeRssMb } from './r9-reconciliation-scale';
import { LoadSampler, log, runOptions, type ChaosResult } from './scenario';

const RSS_BUDGET_MB = 300;
const EVENT_BOUND_BYTES = 16 * 1024;
/** What one page (500 deals, their candidates and report lines) may add to the worker, whatever N. */
const RSS_GROWTH_MB = 64;

interface Seeded {
  companyId: string;
  dealIds: number[];
  /** Customer ids of the i % 250 = 50 kind, by deal id: they get the deal's External ID and owner field. */
  byEmailCustomers: Array<{ dealId: string; externalId: string }>;
  /** `SIB-i:owner` of the i % 250 = 225 kind: another deal's customers, which must stay as they are. */
  siblingCustomers: Set<string>;
  customers: number;
  seconds: number;
}

async function seed(stack: ChaosStack, n: number): Promise<Seeded> {
  const t0 = performance.now();
  const pd = stack.json.pipedrive!;
  const ns = stack.json.netsuite!;
  const companyId = String(
    (await axios.get(`${pd.url}/v1/users/me`, { headers: { 'x-api-token': pd.apiToken } })).data.data.company_id,
  );
  const kindOf = (i: number): number => i % 250;
  const hasOwnField = (i: number): boolean => ![0, 50, 100, 150, 225].includes(kindOf(i));
  const dealIds: number[] = [];
  for (let i = 0; i < n; i += 2000) {
    const batch = Array.from({ length: Math.min(2000, n - i) }, (_, k) => {
      const j = i + k;
      const field = kindOf(j) === 200 ? `BF-${j - 1}` : hasOwnField(j) ? `BF-${j}` : undefined;
      return {
        org_name: `Scale Co ${j}`,
        email: `billing${j}@co${j}.example`,
        stage_name: j % 3 === 0 ? 'Onboarded' : 'Contract Signed',
        ...(field ? { custom_fields: { 'External ID': field } } : {}),
      };
    });
    dealIds.push(...((await axios.post(`${pd.url}/__sim/deals/bulk`, { deals: batch })).data.data.ids as number[]));
  }
  log(`seeded ${dealIds.length} signed deals in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const customer = (j: number, over: Record<string, unknown>) => ({
    entityId: `Scale ${j} ${String(over.externalId ?? 'legacy')}`,
    companyName: `Scale Co ${j}`,
    isPerson: false,
    email: `billing${j}@co${j}.example`,
    subsidiary: { id: '2' },
    ...over,
  });
  const customers: Array<Record<string, unknown>> = [];
  const byEmailCustomers: Seeded['byEmailCustomers'] = [];
  const siblingCustomers = new Set<string>();
  dealIds.forEach((dealId, i) => {
    const kind = kindOf(i);
    if (kind === 0 || kind === 200) return;
    if (kind === 50) {
      byEmailCustomers.push({ dealId: String(dealId), externalId: deriveExternalId({ companyId, dealId }) });
      return void customers.push(customer(i, { companyName: `Legacy Email Co ${i}` }));
    }
    if (kind === 100)
      return void customers.push(customer(i, { externalId: `ZAP-${i}`, email: `old${i}@legacy.example` }));
    if (kind === 150) {
      customers.push(customer(i, { companyName: `Dup A Co ${i}` }));
      return void customers.push(customer(i, { externalId: `ZAP-B-${i}`, email: `other${i}@legacy.example` }));
    }
    if (kind === 225) siblingCustomers.add(`SIB-${i}:${90_000_000 + i}`);
    if (kind === 225)
      return void customers.push(
        customer(i, {
          externalId: `SIB-${i}`,
          companyName: `Sibling Co ${i}`,
          custentity_pd_deal_id: String(90_000_000 + i),
        }),
      );
    customers.push(customer(i, { externalId: `BF-${i}`, custentity_pd_deal_id: String(dealId) }));
  });
  for (let i = 0; i < customers.length; i += 5000) {
    await axios.post(
      `${ns.url}/__sim/customers/bulk`,
      { customers: customers.slice(i, i + 5000) },
      { maxBodyLength: Infinity },
    );
  }
  log(`seeded ${customers.length} customers; total seeding ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return {
    companyId,
    dealIds,
    byEmailCustomers,
    siblingCustomers,
    customers: customers.length,
    seconds: (performance.now() - t0) / 1000,
  };
}

interface Measured {
  state: BackfillState;
  seconds: number;
  peakMb: number;
  medianMb: number;
  baselineMb: number;
  samples: number;
  largestEvent: number;
  runs: number;
  events: number;
}

/** Runs one backfill to its end while sampling the worker's RSS; measures every run's history afterwards. */
async function measuredBackfill(stack: ChaosStack, dryRun: boolean): Promise<Measured> {
  const pid = stack.workerPid();
  if (!pid) throw new Error('the worker is not running');
  const baselineMb = treeRssMb(pid);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(treeRssMb(pid)), 250);
  const workflowId = dryRun ? 'backfill-dry-run' : 'backfill';
  const t0 = performance.now();
  let state: BackfillState;
  try {
    state = await stack.client.workflow.execute('backfill', {
      taskQueue: TASK_QUEUES.onboarding,
      workflowId,
      args: [{ dryRun }],
      workflowExecutionTimeout: '1 hour',
    });
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - t0) / 1000;
  samples.push(treeRssMb(pid));
  const sorted = [...samples].sort((a, b) => a - b);
  const sizeOf = (v: unknown): number =>
    !v || typeof v !== 'object'
      ? 0
      : v instanceof Uint8Array
        ? v.byteLength
        : Object.values(v).reduce<number>((s, x) => s + sizeOf(x), 0);
  let largestEvent = 0;
  let runs = 0;
  let events = 0;
  for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await stack.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    runs += 1;
    events += history.events?.length ?? 0;
    largestEvent = Math.max(largestEvent, ...(history.events ?? []).map(sizeOf));
  }
  return {
    state,
    seconds,
    peakMb: Math.max(baselineMb, ...samples),
    medianMb: sorted[Math.floor(sorted.length / 2)] ?? baselineMb,
    baselineMb,
    samples: samples.length,
    largestEvent,
    runs,
    events,
  };
}

const readReport = (path: string): BackfillReportLine[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as BackfillReportLine);

export async function r10BackfillScale(quick: boolean): Promise<ChaosResult> {
  const n = runOptions.deals ?? (quick ? 5_000 : 50_000);
  if (n % 250 !== 0) throw new Error(`R10 wants a multiple of 250 deals, got ${n}`);
  const d = n / 250;
  const load = new LoadSampler();
  const stack = await startChaosStack({ label: 'r10' });
  const rows: ChaosResult['rows'] = [];
  const notes: string[] = [];
  let passed = false;
  const check = (name: string, expected: unknown, actual: unknown): void => {
    rows.push({
      check: name,
      expected: String(expected),
      actual: String(actual),
      ok: expected === actual ? 'yes' : 'NO',
    });
  };
  try {
    const seeded = await seed(stack, n);
    const planned = {
      dealsSeen: n,
      matchedByExternalId: n - 6 * d,
      matchedByEmail: d,
      matchedByCompanyName: d,
      netsuiteExternalIdsWritten: d,
      pipedriveExternalIdsWritten: 2 * d,
      onboardingsStarted: d,
      onboardingsAlreadyKnown: 0,
      suspectedDuplicates: d,
      conflicts: 2 * d,
      writeFailures: 0,
    };
    const kinds = (lines: BackfillReportLine[]): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const l of lines) {
        const key = l.kind === 'action' ? `${l.action}${l.outcome ? `:${l.outcome}` : ''}` : l.kind;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    };

    log(`dry run over ${n} deals`);
    const dry = await measuredBackfill(stack, true);
    log(`dry run: ${dry.seconds.toFixed(1)} s, RSS peak ${dry.peakMb.toFixed(0)} MB`);
    for (const [k, v] of Object.entries(planned))
      check(`dry run: ${k}`, v, dry.state.totals[k as keyof typeof planned]);
    const dryReport = readReport(dry.state.report!.path);
    const dryLines = kinds(dryReport);
    check('dry run report: deals (each once)', n, new Set(dryReport.map((l) => l.dealId)).size);
    check('dry run report: linked', n - 6 * d, dryLines.linked ?? 0);
    check('dry run report: write-netsuite-external-id (planned)', d, dryLines['write-netsuite-external-id'] ?? 0);
    check('dry run report: write-pipedrive-external-id (planned)', 2 * d, dryLines['write-pipedrive-external-id'] ?? 0);
    check('dry run report: start-onboarding (planned)', d, dryLines['start-onboarding'] ?? 0);
    check('dry run report: suspected-duplicates', d, dryLines['suspected-duplicates'] ?? 0);
    check('dry run report: conflict', 2 * d, dryLines.conflict ?? 0);

    log(`real run over ${n} deals`);
    const real = await measuredBackfill(stack, false);
    log(`real run: ${real.seconds.toFixed(1)} s, RSS peak ${real.peakMb.toFixed(0)} MB`);
    for (const [k, v] of Object.entries(planned))
      check(`real run: ${k}`, v, real.state.totals[k as keyof typeof planned]);
    const realReport = readReport(real.state.report!.path);
    const realLines = kinds(realReport);
    check('real run report: deals (each once)', n, new Set(realReport.map((l) => l.dealId)).size);
    check(
      'real run report: write-netsuite-external-id:written',
      d,
      realLines['write-netsuite-external-id:written'] ?? 0,
    );
    check(
      'real run report: write-pipedrive-external-id:written',
      2 * d,
      realLines['write-pipedrive-external-id:written'] ?? 0,
    );
    check('real run report: start-onboarding:started', d, realLines['start-onboarding:started'] ?? 0);
    check('real run report: conflict', 2 * d, realLines.conflict ?? 0);

    // The e-mail-matched customers now carry the deal's External ID and, in its owner field, the deal.
    const ns = stack.json.netsuite!;
    const netsuite = new NetSuiteClient({ ...ns, baseUrl: ns.url, concurrencyLimit: 2 });
    const rowsOf = (q: string) => netsuite.suiteqlAll<{ externalid?: string; custentity_pd_deal_id?: string }>(q);
    const stamped = await rowsOf(
      `SELECT externalid, custentity_pd_deal_id FROM customer WHERE companyname LIKE 'Legacy Email Co %'`,
    );
    const want = new Set(seeded.byEmailCustomers.map((c) => `${c.externalId}:${c.dealId}`));
    check(
      'customers matched by e-mail: External ID and owner field written',
      d,
      stamped.filter((r) => want.has(`${r.externalid}:${r.custentity_pd_deal_id}`)).length,
    );
    const others = await rowsOf(
      `SELECT externalid, custentity_pd_deal_id FROM customer WHERE companyname LIKE 'Sibling Co %'`,
    );
    check(
      "another deal's customers left as they were",
      d,
      others.filter((r) => seeded.siblingCustomers.has(`${r.externalid}:${r.custentity_pd_deal_id}`)).length,
    );

    // The dry run is the backfill alone; the real run's worker also runs the onboardings it starts (d of them), so its
    // figure is reported beside the verdict rather than as one.
    rows.push({
      check: `dry run: worker RSS peak (MB) ≤ ${RSS_BUDGET_MB}`,
      expected: String(RSS_BUDGET_MB),
      actual: String(Math.round(dry.peakMb)),
      ok: dry.peakMb <= RSS_BUDGET_MB ? 'yes' : 'NO',
    });
    const growth = dry.peakMb - dry.baselineMb;
    rows.push({
      check: `dry run: worker RSS growth (MB) ≤ ${RSS_GROWTH_MB}`,
      expected: String(RSS_GROWTH_MB),
      actual: String(Math.round(growth)),
      ok: growth <= RSS_GROWTH_MB ? 'yes' : 'NO',
    });
    rows.push({
      check: `real run: worker RSS peak (MB), with the ${d} onboardings it started running on the same worker`,
      expected: `(P4: ${RSS_BUDGET_MB})`,
      actual: `${Math.round(real.peakMb)} (${Math.round(real.baselineMb)} before)`,
      ok: 'info',
    });
    const largest = Math.max(dry.largestEvent, real.largestEvent);
    rows.push({
      check: `largest history event (bytes) ≤ ${EVENT_BOUND_BYTES}`,
      expected: String(EVENT_BOUND_BYTES),
      actual: String(largest),
      ok: largest <= EVENT_BOUND_BYTES ? 'yes' : 'NO',
    });
    passed = rows.every((r) => r.ok === 'yes' || r.ok === 'info');

    const kb = (p: string): string => (readFileSync(p).byteLength / 1024).toFixed(0);
    notes.push(
      `${n} signed deals (a third in Onboarded, the rest in Contract Signed) and ${seeded.customers} customers seeded in ${seeded.seconds.toFixed(0)} s through the simulators' bulk routes; the backfill ran on the chaos stack's worker process (production wiring: workers/activity-dependencies.ts, the real Pipedrive and NetSuite clients, the Pipedrive simulator's 80 requests / 2 s limit), 500 deals a page, continuing as new every 20 pages.`,
      `Dry run: ${dry.seconds.toFixed(1)} s, ${dry.state.pages} pages in ${dry.runs} runs (${dry.events} history events); worker RSS ${dry.baselineMb.toFixed(0)} MB before, median ${dry.medianMb.toFixed(0)}, peak ${dry.peakMb.toFixed(0)} MB (${dry.samples} samples every 250 ms); largest history event ${dry.largestEvent} bytes; report ${dry.state.report!.path} (${kb(dry.state.report!.path)} KB, one JSON line a deal).`,
      `Real run: ${real.seconds.toFixed(1)} s, ${real.state.pages} pages in ${real.runs} runs (${real.events} history events), ${d} NetSuite PATCHes, ${2 * d} Pipedrive writes and ${d} onboardings started (which then ran on the same worker); worker RSS ${real.baselineMb.toFixed(0)} MB before, median ${real.medianMb.toFixed(0)}, peak ${real.peakMb.toFixed(0)} MB; largest history event ${real.largestEvent} bytes; report ${kb(real.state.report!.path)} KB.`,
      `Before the backfill-paged patch each page's deals and decisions went through activity results and up to 500 entries per list stayed in the state (≈ 350 KB carried through every continue-as-new).`,
      load.stop(),
      'The machine has 2 cores shared with other sessions running their own tests and benchmarks at the same time: durations are indicative; the counts and the memory bound are the verdict.',
    );
  } finally {
    await stack.stop();
  }
  return {
    name: 'chaos-r10',
    description: `R10: backfill of ${n} signed Pipedrive deals against the NetSuite customers a polling connector left (2.4% needing writes, starts, or a person: six kinds), dry run then real run; exact counts, exact report lines, owner fields written, worker RSS within P4's 300 MB, no large history event.`,
    rows,
    notes,
    passed,
  };
}
