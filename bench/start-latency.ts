/**
 * How fast Temporal durably accepts an onboarding: the latency of `startOnboarding` (the call the webhook answers
 * after) for new deals and for duplicate deliveries, on the embedded dev server with the stack's SQLite settings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer } from '../scripts/dev-server';
import { freePort } from '../scripts/process-utils';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { OnboardingStarter } from '../starters/start-onboarding';
import type { BenchResult } from './results-file';
import { summarize } from './stats';

async function timed(
  concurrency: number,
  total: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const s = performance.now();
        await op(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

export async function startLatency(opts: { total: number; concurrency: number }): Promise<BenchResult> {
  const cli = await ensureTemporalCli();
  const server = await startDevServer({
    cliPath: cli.path,
    ip: '127.0.0.1',
    port: await freePort(),
    namespace: 'default',
    dbFile: join(mkdtempSync(join(tmpdir(), 'bench-start-')), 'temporal.sqlite'),
    logTo: join(tmpdir(), 'bench-temporal.log'),
  });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const taskQueue = `bench-${Date.now()}`;
  const worker = await Worker.create({ connection: native, taskQueue, workflowsPath: require.resolve('../workflows') });
  const starter = new OnboardingStarter(connection, 'default');
  const runId = Date.now().toString(36);
  const input = (i: number) => ({
    externalId: `bench-${runId}-${i}`,
    pipedriveDealId: String(i),
    eventId: `e-${i}`,
    receivedAt: new Date().toISOString(),
  });

  const rows: BenchResult['rows'] = [];
  await worker.runUntil(async () => {
    const fresh = await timed(opts.concurrency, opts.total, (i) => starter.startOnboarding(input(i), { taskQueue }));
    const dup = await timed(opts.concurrency, opts.total, (i) =>
      starter.startOnboarding({ ...input(i), eventId: `dup-${i}` }, { taskQueue }),
    );
    for (const [kind, r] of [
      ['new deal', fresh],
      ['duplicate delivery', dup],
    ] as const) {
      const s = summarize(r.latencies);
      rows.push({
        start: kind,
        n: s.n,
        concurrency: opts.concurrency,
        'p50 ms': s.p50,
        'p90 ms': s.p90,
        'p99 ms': s.p99,
        'max ms': s.max,
        'starts/s': Math.round(s.n / r.seconds),
      });
    }
  });
  await connection.close();
  await native.close();
  await server.stop();
  return {
    name: 'start-latency',
    description:
      'Latency of a durable, idempotent workflow start (workflow ID = external_id, REJECT_DUPLICATE + USE_EXISTING) on the embedded Temporal dev server (SQLite file, WAL, synchronous=NORMAL), with a worker running.',
    rows,
    notes: ['The webhook answers 2xx only after this call returns, so its p99 bounds the intake latency from below.'],
  };
}
