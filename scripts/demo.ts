/**
 * `npm run demo -- [--deals N] [--concurrency C] [--record]`: pushes N synthetic signed deals through the running
 * stack's Pipedrive simulator (each created, then dragged to "Contract Signed" as a person would), waits for their
 * onboardings, and prints how long each took from webhook to NetSuite customer and to first invoice. `--record`
 * also writes the figures to bench/results/demo-latency.{json,md}.
 */
import { processDataConverter } from '../runtime/payload-codec';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import axios from 'axios';
import { Client, Connection } from '@temporalio/client';
import { writeResult } from '../bench/results-file';
import { summarize } from '../bench/stats';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import type { TransactionState } from '../domain/transaction';
import { stateQuery } from '../workflows/messages';

const COUNTRIES = ['US', 'GB', 'DE', 'NL', 'CA', 'AU'];

interface StackFile {
  temporal: { address: string; namespace: string; ui: string };
  pipedrive?: { url: string };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function runDemo(opts: {
  stack: StackFile;
  deals: number;
  concurrency: number;
  timeoutMs: number;
  log: (line: string) => void;
}) {
  const pd = opts.stack.pipedrive?.url;
  if (!pd)
    throw new Error(
      'the demo drives the Pipedrive simulator: run `npm start` without real Pipedrive credentials (sandbox mode)',
    );
  const today = new Date().toISOString().slice(0, 10);
  const dealIds: string[] = [];
  await pool(
    Array.from({ length: opts.deals }, (_, i) => i),
    opts.concurrency,
    async (i) => {
      const created = await axios.post(`${pd}/__sim/deals`, {
        country: COUNTRIES[i % COUNTRIES.length],
        invoice_date: today,
      });
      const id = String(created.data.data.deal.id);
      await axios.post(`${pd}/__sim/deals/${id}/move`, { stage_name: 'Contract Signed' });
      dealIds.push(id);
    },
  );
  opts.log(
    `${dealIds.length} deals moved to Contract Signed; waiting for their onboardings (Web UI: ${opts.stack.temporal.ui})`,
  );

  const connection = await Connection.connect({ address: opts.stack.temporal.address });
  const client = new Client({
    connection,
    namespace: opts.stack.temporal.namespace,
    dataConverter: processDataConverter(),
  });
  const results = new Map<string, TransactionState>();
  const deadline = Date.now() + opts.timeoutMs;
  try {
    while (results.size < dealIds.length && Date.now() < deadline) {
      for await (const wf of client.workflow.list({
        query: `WorkflowType = 'onboardDeal' AND (OnboardingState = 'COMPLETED' OR OnboardingState = 'NEEDS_REVIEW')`,
      })) {
        const dealId = wf.typedSearchAttributes.get(SEARCH_ATTRIBUTES.PipedriveDealId);
        if (!dealId || !dealIds.includes(dealId) || results.has(dealId)) continue;
        results.set(dealId, await client.workflow.getHandle(wf.workflowId).query(stateQuery));
      }
      if (results.size < dealIds.length) await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await connection.close();
  }

  const states = [...results.values()];
  const completed = states.filter((s) => s.state === 'COMPLETED');
  const since = (s: TransactionState, at?: string) => (at ? Date.parse(at) - Date.parse(s.receivedAt) : NaN);
  const toCustomer = summarize(completed.map((s) => since(s, s.customerSyncedAt)));
  const toInvoice = summarize(completed.map((s) => since(s, s.invoiceCreatedAt)));
  return {
    deals: dealIds.length,
    completed: completed.length,
    inReview: states.filter((s) => s.state === 'NEEDS_REVIEW').length,
    unfinished: dealIds.length - states.length,
    toCustomer,
    toInvoice,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      deals: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '5' },
      timeout: { type: 'string', default: '600' },
      record: { type: 'boolean', default: false },
    },
  });
  const stackPath = resolve(__dirname, '..', process.env.DATA_DIR ?? '.data', 'stack.json');
  let stack: StackFile;
  try {
    stack = JSON.parse(readFileSync(stackPath, 'utf8')) as StackFile;
  } catch {
    throw new Error(`no ${stackPath}: start the stack first with \`npm start\` (in another terminal)`);
  }
  const result = await runDemo({
    stack,
    deals: Number(values.deals),
    concurrency: Number(values.concurrency),
    timeoutMs: Number(values.timeout) * 1000,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (values.record) {
    const path = writeResult({
      name: 'demo-latency',
      description: `Webhook → NetSuite customer and → first invoice over ${result.deals} synthetic deals pushed through the running stack (npm start, sandbox simulators) by \`npm run demo -- --deals ${result.deals} --concurrency ${values.concurrency}\`.`,
      rows: [
        {
          to: 'customer created',
          n: result.toCustomer.n,
          'p50 ms': result.toCustomer.p50,
          'p90 ms': result.toCustomer.p90,
          'p99 ms': result.toCustomer.p99,
          'max ms': result.toCustomer.max,
        },
        {
          to: 'first invoice created',
          n: result.toInvoice.n,
          'p50 ms': result.toInvoice.p50,
          'p90 ms': result.toInvoice.p90,
          'p99 ms': result.toInvoice.p99,
          'max ms': result.toInvoice.max,
        },
      ],
      notes: [`${result.completed} completed, ${result.inReview} in review, ${result.unfinished} unfinished.`],
    });
    process.stderr.write(`wrote ${path}\n`);
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
