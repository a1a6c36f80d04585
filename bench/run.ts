/** `npm run bench [-- name…] [--quick] [--deals N] [--runs N]`: runs the benchmarks, prints their tables and writes bench/results/. */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { cpuPerOnboarding } from './cpu-per-onboarding';
import { orchestrationOverhead } from './orchestration-overhead';
import { p3Burst } from './p3-burst';
import { p4ParkedMemory } from './p4-parked-memory';
import { writeResult, type BenchResult } from './results-file';
import { startLatency } from './start-latency';
import { webhookAck } from './webhook-ack';

/**
 * `deals`: `--deals N` overrides the size of the benchmarks that drive deals (p3-burst, p4-parked-memory);
 * `netsuite`: `--netsuite-concurrency C --netsuite-latency-ms L` override P3's NetSuite (default C = 10, L = 100 ms).
 */
interface Overrides {
  deals?: number;
  /** `--runs N`: cpu-per-onboarding repeats on N fresh stacks and reports the median. */
  runs?: number;
  netsuite?: { concurrencyLimit?: number; latencyMs?: number };
}
const BENCHMARKS: Record<string, (quick: boolean, o: Overrides) => Promise<BenchResult>> = {
  'start-latency': (quick) => startLatency(quick ? { total: 100, concurrency: 10 } : { total: 1000, concurrency: 20 }),
  'webhook-ack': (quick) =>
    webhookAck({
      // Quick: no warm-up and a short control, to stay within 40 s with the stack's start and stop.
      ...(quick
        ? { rate: 100, seconds: 10, controlSeconds: 3, warmupSeconds: 0 }
        : { rate: 200, seconds: 60, controlSeconds: 15, warmupSeconds: 2 }),
      warmupRate: 20,
      targetP99Ms: 25,
      // e.g. WEBHOOK_LOAD_MAX_IN_FLIGHT=512: a connection-capped generator instead of the pure open loop (writes webhook-ack-cap512.*).
      maxInFlight: process.env.WEBHOOK_LOAD_MAX_IN_FLIGHT ? Number(process.env.WEBHOOK_LOAD_MAX_IN_FLIGHT) : undefined,
    }),
  'orchestration-overhead': (quick) =>
    orchestrationOverhead({
      ...(quick
        ? { waveSize: 5, waves: 4, burst: 0, timeoutMs: 25_000 }
        : { waveSize: 10, waves: 10, burst: 100, timeoutMs: 75_000 }),
      concurrency: 5,
      netsuiteLatency: { minMs: 80, maxMs: 120 },
      targetP99Ms: 150,
    }),
  // C = 10 NetSuite requests at once, L = 100 ms each: a ceiling of 100 requests/s.
  'p3-burst': (quick, { deals, netsuite }) =>
    p3Burst({
      ...(quick ? { deals: 300, arrivalSeconds: 10 } : { deals: 10_000, arrivalSeconds: 60 }),
      ...(deals ? { deals, arrivalSeconds: Math.max(10, Math.round(deals / 167)) } : {}),
      concurrencyLimit: netsuite?.concurrencyLimit ?? 10,
      latencyMs: netsuite?.latencyMs ?? 100,
      settleTimeoutMs: 90 * 60_000,
    }),
  // Reviews pile up over time, not in one burst (that is P3): deals arrive at about the rate the worker parks them,
  // so the workflows in flight stay within its cache and the figure is the parked state's, not a burst's.
  'p4-parked-memory': (quick, { deals }) =>
    p4ParkedMemory({
      ...(quick ? { deals: 500, ratePerSecond: 25 } : { deals: 10_000, ratePerSecond: 7 }),
      ...(deals ? { deals } : {}),
      settleTimeoutMs: 90 * 60_000,
      targetMb: 300,
      compareCaches: quick ? [1000] : [],
    }),
  // A fresh worker idle for 10 minutes (quick: 1), then 100 deals (--deals N) through the webhook: CPU s per onboarding.
  'cpu-per-onboarding': (quick, { deals, runs }) =>
    cpuPerOnboarding({
      deals: deals ?? 100,
      runs,
      idleMinutes: quick ? 1 : 10,
      ratePerSecond: 4,
      settleTimeoutMs: 20 * 60_000,
    }),
};

/** A wrong command line: said in one line, without a stack trace. */
class UsageError extends Error {}

const TAKES_DEALS = new Set(['p3-burst', 'p4-parked-memory', 'cpu-per-onboarding']);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      deals: { type: 'string' },
      runs: { type: 'string' },
      'netsuite-concurrency': { type: 'string' },
      'netsuite-latency-ms': { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const deals = num(values.deals);
  const runs = num(values.runs);
  const netsuite = {
    concurrencyLimit: num(values['netsuite-concurrency']),
    latencyMs: num(values['netsuite-latency-ms']),
  };
  const nsSuffix = [
    netsuite.concurrencyLimit === undefined ? '' : `-c${netsuite.concurrencyLimit}`,
    netsuite.latencyMs === undefined ? '' : `-l${netsuite.latencyMs}`,
  ].join('');
  const names = positionals.length ? positionals : Object.keys(BENCHMARKS);
  for (const name of names) {
    const bench = BENCHMARKS[name];
    if (!bench) throw new UsageError(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    // Named by what shaped the figures: an override a benchmark does not read must not rename its results.
    const ignored = [
      deals !== undefined && !TAKES_DEALS.has(name) && '--deals',
      nsSuffix && name !== 'p3-burst' && '--netsuite-*',
      runs !== undefined && name !== 'cpu-per-onboarding' && '--runs',
    ].filter(Boolean);
    if (ignored.length)
      throw new UsageError(
        `${name} does not take ${ignored.join(' or ')}; only ${[...TAKES_DEALS].join(' and ')} take --deals, only p3-burst --netsuite-*, only cpu-per-onboarding --runs`,
      );
  }
  for (const name of names) {
    const bench = BENCHMARKS[name]!;
    process.stderr.write(`running ${name}${values.quick ? ' (quick)' : ''}…\n`);
    const result = await bench(values.quick, { deals, netsuite, runs });
    console.table(result.rows);
    // A quick run is a smoke test: it writes <name>-quick.* and leaves the reference figures alone.
    const outName =
      (deals !== undefined ? `${result.name}-${deals}` : values.quick ? `${result.name}-quick` : result.name) +
      nsSuffix;
    process.stderr.write(`wrote ${writeResult({ ...result, name: outName })}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `${err instanceof UsageError ? `npm run bench: ${err.message}` : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exit(1);
  },
);
