/**
 * `npm run chaos [-- R1 R3 …] [--quick] [--deals N]`: runs the chaos scenarios, prints each verdict table and writes
 * bench/results/chaos-<id>.{json,md} (`-quick` for quick runs). Exits non-zero when any scenario lost or duplicated a deal.
 */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { writeResult } from '../results-file';
import { runningStacks } from './chaos-stack';
import { r1WorkerKill } from './r1-worker-kill';
import { r2TemporalRestart } from './r2-temporal-restart';
import { r3NetSuiteFaults } from './r3-netsuite-faults';
import { r4WebhookStorm } from './r4-webhook-storm';
import { r5BadInput } from './r5-bad-input';
import { r6NoSecrets } from './r6-no-secrets';
import { r7ClusterChaos } from './r7-cluster-chaos';
import { r9ReconciliationScale } from './r9-reconciliation-scale';
import { r10BackfillScale } from './r10-backfill-scale';
import { r8VendorOutage } from './r8-vendor-outage';
import { runOptions, type Scenario } from './scenario';

/** Registry: other scenario files add one line here. */
const SCENARIOS: Record<string, Scenario> = {
  R1: r1WorkerKill,
  R2: r2TemporalRestart,
  R3: r3NetSuiteFaults,
  R4: r4WebhookStorm,
  R5: r5BadInput,
  R6: r6NoSecrets,
  R7: r7ClusterChaos,
  R9: r9ReconciliationScale,
  R10: r10BackfillScale,
  R8: r8VendorOutage,
  R8P: (quick) => r8VendorOutage(quick, 'pipedrive'),
};

async function main(): Promise<number> {
  // Ctrl-C: the dev server and the children run in their own process groups; stop them before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: stopping ${runningStacks.size} chaos stack(s)\n`);
      void Promise.all([...runningStacks].map((s) => s.stop().catch(() => undefined))).then(() => process.exit(130));
    });
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      deals: { type: 'string' },
      'settle-minutes': { type: 'string' },
    },
  });
  const deals = values.deals === undefined ? undefined : Number(values.deals);
  if (deals !== undefined && !(Number.isInteger(deals) && deals > 0))
    throw new Error(`--deals needs a positive whole number, got ${values.deals}`);
  runOptions.deals = deals;
  if (values['settle-minutes'] !== undefined) runOptions.settleMinutes = Number(values['settle-minutes']);
  const ids = positionals.length ? positionals.map((p) => p.toUpperCase()) : Object.keys(SCENARIOS);
  for (const id of ids)
    if (!SCENARIOS[id]) throw new Error(`unknown scenario ${id}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const verdicts: string[] = [];
  for (const id of ids) {
    process.stderr.write(`running chaos ${id}${values.quick ? ' (quick)' : ''}…\n`);
    const { passed, ...result } = await SCENARIOS[id]!(values.quick);
    console.table(result.rows);
    // A quick or resized run writes <name>-quick.* / <name>-<deals>.* and leaves the full-size figures alone.
    const name = deals !== undefined ? `${result.name}-${deals}` : values.quick ? `${result.name}-quick` : result.name;
    process.stderr.write(`wrote ${writeResult({ ...result, name })}\n`);
    verdicts.push(`${id}: ${passed ? 'PASS' : 'FAIL'}`);
  }
  process.stderr.write(`${verdicts.join('\n')}\n`);
  return verdicts.some((v) => v.endsWith('FAIL')) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
