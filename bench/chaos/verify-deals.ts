/**
 * The end-of-run check every chaos scenario (and the burst/memory benchmarks) ends with: for every deal driven,
 * exactly one NetSuite customer with its externalId (SuiteQL on the simulator) and exactly one invoice for that
 * customer, or a workflow in NEEDS_REVIEW with its reason. Anything else is lost (no workflow and no customer),
 * duplicated (more than one customer or invoice) or stuck (neither). Pass = nothing lost and nothing duplicated.
 */
import axios from 'axios';
import type { Client } from '@temporalio/client';
import { deriveExternalId } from '../../domain/external-id';
import { SEARCH_ATTRIBUTES, WORKFLOW_TYPE } from '../../domain/temporal-names';
import { NetSuiteClient } from '../../integrations/netsuite';
import type { StackJson } from '../../test/helpers/stack-process';
import { stateQuery } from '../../workflows/messages';

export interface VerifyInput {
  client: Client;
  stack: StackJson;
  dealIds: string[];
  /** NEEDS_REVIEW workflows whose reasons are read with the `state` query (the rest use the ReviewReason search attribute). */
  stateQueryLimit?: number;
  examples?: number;
}

export interface VerifyReport {
  deals: number;
  completed: number;
  review: number;
  lost: number;
  duplicatedCustomers: number;
  duplicatedInvoices: number;
  stuck: number;
  /** Customers in NetSuite that belong to none of the deals driven (a duplicate under another externalId would land here). */
  unattributedCustomers: number;
  reviewReasons: Record<string, number>;
  /** Of a sample of deals in review with `retries_exhausted`: the activity and its last failure, counted. */
  exhaustedCauses: Record<string, number>;
  /** Workflow state (or "no workflow") of the stuck deals. */
  stuckStates: Record<string, number>;
  /** `dealId externalId: detail` per category, a few each. */
  examples: { lost: string[]; duplicated: string[]; stuck: string[]; review: string[] };
  passed: boolean;
  seconds: number;
}

interface WorkflowFacts {
  status: string;
  state?: string;
  reason?: string;
}

export async function companyIdOf(stack: StackJson): Promise<string> {
  const pd = stack.pipedrive!;
  const me = await axios.get<{ data: { company_id: number } }>(`${pd.url}/v1/users/me`, {
    headers: { 'x-api-token': pd.apiToken },
    timeout: 30_000,
  });
  return String(me.data.data.company_id);
}

/** Counts the deals' workflows per OnboardingState (visibility), for waiting and progress lines. */
export async function settledCount(client: Client): Promise<{ settled: number; total: number; early: number }> {
  const [settled, total, early] = await Promise.all([
    client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}' AND OnboardingState IN ('COMPLETED', 'NEEDS_REVIEW')`),
    client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}'`),
    // Progress before anything settles (RECEIVED → VALIDATING → …) also counts as "not stalled".
    client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}' AND OnboardingState IN ('RECEIVED', 'VALIDATING')`),
  ]);
  return { settled: settled.count, total: total.count, early: early.count };
}

/**
 * Waits until `expected` onboardings are COMPLETED or NEEDS_REVIEW, or nothing moved for `stallMs`, or `timeoutMs`.
 * Returns the seconds waited and whether everything settled.
 */
export async function waitForSettled(
  client: Client,
  expected: number,
  o: { timeoutMs: number; stallMs: number; log?: (line: string) => void },
): Promise<{ seconds: number; settled: boolean; last: { settled: number; total: number; early: number } }> {
  const t0 = performance.now();
  // Three visibility counts per poll go through the dev server's single SQLite connection, which the run under test
  // needs too: a large run is polled less often.
  const pollMs = expected > 1_000 ? 5_000 : 1_000;
  let last = { settled: -1, total: -1, early: -1 };
  let lastChange = performance.now();
  let lastLog = 0;
  for (;;) {
    const now = await settledCount(client).catch(() => last);
    if (now.settled !== last.settled || now.total !== last.total || now.early !== last.early)
      lastChange = performance.now();
    last = now;
    const seconds = (performance.now() - t0) / 1000;
    if (now.settled >= expected) return { seconds, settled: true, last };
    if (performance.now() - lastChange > o.stallMs || performance.now() - t0 > o.timeoutMs)
      return { seconds, settled: false, last };
    if (performance.now() - lastLog > 10_000) {
      o.log?.(`  settled ${now.settled}/${expected} (workflows ${now.total}) after ${seconds.toFixed(0)} s`);
      lastLog = performance.now();
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function verifyDeals(input: VerifyInput): Promise<VerifyReport> {
  const t0 = performance.now();
  const { client, stack } = input;
  const keep = input.examples ?? 5;
  const companyId = await companyIdOf(stack);

  const workflows = new Map<string, WorkflowFacts>();
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}'` })) {
    workflows.set(wf.workflowId, {
      status: wf.status.name,
      state: wf.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState),
      reason: wf.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ReviewReason),
    });
  }

  const ns = stack.netsuite!;
  const netsuite = new NetSuiteClient({ ...ns, baseUrl: ns.url, concurrencyLimit: 2 });
  const customers = await netsuite.suiteqlAll<{ id: string; externalid?: string }>(
    'SELECT id, externalid FROM customer ORDER BY id',
  );
  const invoices = await netsuite.suiteqlAll<{ entity: string; n: string }>(
    `SELECT entity, COUNT(*) AS n FROM transaction WHERE type = 'CustInvc' GROUP BY entity`,
  );
  const customersByEid = new Map<string, string[]>();
  for (const c of customers)
    if (c.externalid) customersByEid.set(c.externalid, [...(customersByEid.get(c.externalid) ?? []), c.id]);
  const invoicesByCustomer = new Map(invoices.map((r) => [r.entity, Number(r.n)]));

  const report: VerifyReport = {
    deals: input.dealIds.length,
    completed: 0,
    review: 0,
    lost: 0,
    duplicatedCustomers: 0,
    duplicatedInvoices: 0,
    stuck: 0,
    unattributedCustomers: 0,
    reviewReasons: {},
    exhaustedCauses: {},
    stuckStates: {},
    examples: { lost: [], duplicated: [], stuck: [], review: [] },
    passed: false,
    seconds: 0,
  };
  const example = (kind: keyof VerifyReport['examples'], line: string): void => {
    if (report.examples[kind].length < keep) report.examples[kind].push(line);
  };
  const bump = (m: Record<string, number>, k: string): void => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const attributed = new Set<string>();
  const inReview: Array<{ dealId: string; externalId: string }> = [];
  const exhausted: string[] = [];

  for (const dealId of input.dealIds) {
    const externalId = deriveExternalId({ companyId, dealId });
    const wf = workflows.get(externalId);
    const customerIds = customersByEid.get(externalId) ?? [];
    customerIds.forEach((id) => attributed.add(id));
    const invoiceCount = customerIds.reduce((a, id) => a + (invoicesByCustomer.get(id) ?? 0), 0);
    const tag = `${dealId} ${externalId}`;
    if (customerIds.length > 1) {
      report.duplicatedCustomers += 1;
      example('duplicated', `${tag}: ${customerIds.length} customers (${customerIds.join(', ')})`);
      continue;
    }
    if (invoiceCount > 1) {
      report.duplicatedInvoices += 1;
      example('duplicated', `${tag}: ${invoiceCount} invoices for customer ${customerIds[0]}`);
      continue;
    }
    if (!wf && customerIds.length === 0) {
      report.lost += 1;
      example('lost', `${tag}: no workflow, no customer`);
      continue;
    }
    if (wf?.state === 'NEEDS_REVIEW') {
      report.review += 1;
      inReview.push({ dealId, externalId });
      bump(report.reviewReasons, wf.reason ?? '(no reason)');
      if (wf.reason === 'retries_exhausted') exhausted.push(externalId);
      continue;
    }
    if (customerIds.length === 1 && invoiceCount === 1) {
      report.completed += 1;
      if (wf?.state !== 'COMPLETED')
        example(
          'stuck',
          `${tag}: customer and invoice exist but the workflow is ${wf?.state ?? 'missing'} (counted as completed)`,
        );
      continue;
    }
    report.stuck += 1;
    const where = wf ? `${wf.status}/${wf.state ?? '?'}` : 'no workflow';
    bump(report.stuckStates, where);
    example('stuck', `${tag}: ${where}, ${customerIds.length} customer(s), ${invoiceCount} invoice(s)`);
  }
  report.unattributedCustomers = customers.filter((c) => !attributed.has(c.id)).length;

  // The reviewer's view of a sample: the reasons as the workflow itself reports them.
  for (const { dealId, externalId } of inReview.slice(0, input.stateQueryLimit ?? 20)) {
    try {
      const s = await client.workflow.getHandle(externalId).query(stateQuery);
      example(
        'review',
        `${dealId} ${externalId}: ${s.state} ${s.reviewKind ?? ''} ${s.reviewReasons.map((r) => r.code).join(', ') || '(no reasons)'}`.replace(
          /\s+/g,
          ' ',
        ),
      );
    } catch (err) {
      example('review', `${dealId} ${externalId}: state query failed: ${(err as Error).message}`);
    }
  }
  // A transient failure that outlasted every retry is a cost a reviewer pays: which call, failing how.
  for (const externalId of exhausted.slice(0, input.stateQueryLimit ?? 40)) {
    const s = await client.workflow
      .getHandle(externalId)
      .query(stateQuery)
      .catch(() => undefined);
    const r = s?.reviewReasons.find((x) => x.code === 'retries_exhausted');
    // Digits out, so "after 30012 ms" and "after 30020 ms" count as one cause.
    bump(
      report.exhaustedCauses,
      r ? `${r.field ?? '?'}: ${r.message.replace(/\d+/g, 'N').slice(0, 160)}` : '(state query failed)',
    );
  }
  report.passed = report.lost === 0 && report.duplicatedCustomers === 0 && report.duplicatedInvoices === 0;
  report.seconds = Math.round((performance.now() - t0) / 100) / 10;
  return report;
}

/** The verdict as result-table rows and notes (bench/results-file.ts). */
export function verifyRows(r: VerifyReport): Array<Record<string, string | number>> {
  return [
    { check: 'deals driven', value: r.deals },
    { check: 'completed: exactly one customer and one invoice', value: r.completed },
    { check: 'NEEDS_REVIEW with a reason', value: r.review },
    { check: 'lost (no workflow, no customer)', value: r.lost },
    { check: 'duplicated customers', value: r.duplicatedCustomers },
    { check: 'duplicated invoices', value: r.duplicatedInvoices },
    { check: 'stuck (neither)', value: r.stuck },
    { check: 'customers belonging to no driven deal', value: r.unattributedCustomers },
    // Stuck deals are neither lost nor duplicated, but nothing is proven about them: the verdict says so.
    {
      check: 'verdict: nothing lost, nothing duplicated',
      value: !r.passed
        ? 'FAIL'
        : r.stuck
          ? `PASS for lost/duplicated, but ${r.stuck} stuck (not settled): inconclusive for those`
          : 'PASS',
    },
  ];
}

export function verifyNotes(r: VerifyReport): string[] {
  const notes = [`Review reasons (ReviewReason search attribute): ${JSON.stringify(r.reviewReasons)}.`];
  if (Object.keys(r.exhaustedCauses).length)
    notes.push(
      `retries_exhausted, by call and last failure (a sample of up to 40, read with the state query): ${JSON.stringify(r.exhaustedCauses)}.`,
    );
  if (r.stuck) notes.push(`Stuck by workflow status/state: ${JSON.stringify(r.stuckStates)}.`);
  for (const [kind, lines] of Object.entries(r.examples))
    if (lines.length) notes.push(`Examples, ${kind}: ${lines.join('; ')}.`);
  notes.push(
    `Verification took ${r.seconds} s (visibility listing + SuiteQL on the simulator + state queries of up to 20 workflows in review).`,
  );
  return notes;
}
