/** `npm run bench [-- name…] [--quick]`: runs the benchmarks, prints their tables and writes bench/results/. */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { writeResult, type BenchResult } from './results-file';
import { startLatency } from './start-latency';

const BENCHMARKS: Record<string, (quick: boolean) => Promise<BenchResult>> = {
  'start-latency': (quick) => startLatency(quick ? { total: 100, concurrency: 10 } : { total: 1000, concurrency: 20 }),
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false } } });
  const names = positionals.length ? positionals : Object.keys(BENCHMARKS);
  for (const name of names) {
    const bench = BENCHMARKS[name];
    if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.stderr.write(`running ${name}${values.quick ? ' (quick)' : ''}…\n`);
    const result = await bench(values.quick);
    console.table(result.rows);
    process.stderr.write(`wrote ${writeResult(result)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
