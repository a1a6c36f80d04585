/**
 * P4: worker memory with many onboardings parked in NEEDS_REVIEW (deals without a tax id wait for a reviewer).
 * RSS (/proc/<pid>/status VmRSS) of the worker process once all are parked, a minute later, and after a pass that
 * queries every parked workflow (as an operator's review queue would), which pulls each through the workflow cache.
 * The cache size is the SDK default unless WORKER_MAX_CACHED_WORKFLOWS is set; when the default is over 300 MB, the
 * same pass runs again on a worker restarted with a smaller cache.
 */
import { readFileSync } from 'node:fs';
import axios from 'axios';
import type { Client } from '@temporalio/client';
import { startChaosStack, type ChaosStack } from './chaos/chaos-stack';
import { driveDeals } from './chaos/deal-driver';
import { LoadSampler, log } from './chaos/scenario';
import { companyIdOf, verifyDeals, verifyNotes, verifyRows, waitForSettled } from './chaos/verify-deals';
import { deriveExternalId } from '../domain/external-id';
import { stateQuery } from '../workflows/messages';
import type { BenchResult } from './results-file';

export interface ParkedOptions {
  deals: number;
  ratePerSecond: number;
  settleTimeoutMs: number;
  targetMb: number;
  /** Cache sizes tried, in order, on a restarted worker when the default's RSS is over the target. */
  smallerCaches: number[];
}

function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

async function cacheSize(stack: ChaosStack): Promise<string> {
  const text = (await axios.get<string>(stack.workerMetricsUrl, { responseType: 'text', timeout: 10_000 }).catch(() => ({ data: '' }))).data;
  const line = text.split('\n').find((l) => l.startsWith('temporal_sticky_cache_size'));
  return line ? line.split(' ').pop()! : '?';
}

async function queryAll(client: Client, externalIds: string[]): Promise<{ ok: number; failed: number; seconds: number }> {
  const t0 = performance.now();
  let next = 0;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < externalIds.length) {
        const id = externalIds[next++]!;
        try {
          await client.workflow.getHandle(id).query(stateQuery);
          ok += 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  return { ok, failed, seconds: (performance.now() - t0) / 1000 };
}

export async function p4ParkedMemory(o: ParkedOptions): Promise<BenchResult> {
  const load = new LoadSampler();
  const configured = process.env.WORKER_MAX_CACHED_WORKFLOWS;
  const stack = await startChaosStack({ label: 'p4' });
  try {
    const rows: BenchResult['rows'] = [];
    const sample = async (phase: string, cache: string): Promise<number> => {
      const mb = rssMb(stack.workerPid());
      rows.push({ phase, 'maxCachedWorkflows': cache, 'worker RSS MB': mb, 'workflows in cache (temporal_sticky_cache_size)': await cacheSize(stack) });
      log(`P4 ${phase}: RSS ${mb} MB`);
      return mb;
    };
    const defaultCache = configured ?? 'SDK default';
    await sample('worker started, idle', defaultCache);
    const drive = await driveDeals({ pipedriveUrl: stack.json.pipedrive!.url, count: o.deals, ratePerSecond: o.ratePerSecond, concurrency: 32, omit: () => ['tax_id'] });
    log(`driven ${drive.dealIds.length} deals without a tax id in ${drive.seconds.toFixed(0)} s; waiting for them to park`);
    const settle = await waitForSettled(stack.client, drive.dealIds.length, { timeoutMs: o.settleTimeoutMs, stallMs: 5 * 60_000, log });
    const parked = await sample(`all ${settle.last.settled} parked`, defaultCache);
    await new Promise((r) => setTimeout(r, 60_000));
    await sample('60 s later, idle', defaultCache);
    const companyId = await companyIdOf(stack.json);
    const ids = drive.dealIds.map((dealId) => deriveExternalId({ companyId, dealId }));
    const q1 = await queryAll(stack.client, ids);
    const afterQueries = await sample(`after a state query of every parked workflow (${q1.ok} ok, ${q1.failed} failed, ${q1.seconds.toFixed(0)} s)`, defaultCache);
    const notes: string[] = [];
    for (const size of Math.max(parked, afterQueries) > o.targetMb && configured === undefined ? o.smallerCaches : []) {
      log(`over ${o.targetMb} MB: restarting the worker with WORKER_MAX_CACHED_WORKFLOWS=${size}`);
      await stack.killWorker();
      await stack.startWorker({ WORKER_MAX_CACHED_WORKFLOWS: String(size) });
      await sample('restarted worker, idle', String(size));
      const q2 = await queryAll(stack.client, ids);
      await sample(`after a state query of every parked workflow (${q2.ok} ok, ${q2.failed} failed, ${q2.seconds.toFixed(0)} s)`, String(size));
    }
    const verify = await verifyDeals({ client: stack.client, stack: stack.json, dealIds: drive.dealIds });
    const worst = Math.max(...rows.map((r) => Number(r['worker RSS MB'])).filter(Number.isFinite));
    notes.push(
      `Target: worker RSS ≤ ${o.targetMb} MB with ${o.deals} workflows parked in NEEDS_REVIEW. Heap limit of the worker's Node: the SDK default cache is max(floor(max(heap limit − 200 MB, 0) × 600 / 1024 MB), 10) workflows with reuseV8Context (about 2,300 for a 4 GiB heap limit).`,
      `Parking: ${drive.dealIds.length} deals driven in ${drive.seconds.toFixed(0)} s; ${settle.settled ? 'all parked' : `only ${settle.last.settled} parked before the timeout`} ${settle.seconds.toFixed(0)} s after the last arrival.`,
      ...verifyRows(verify).map((r) => `${r.check}: ${r.value}`),
      ...verifyNotes(verify),
      `Highest RSS sampled: ${worst} MB.`,
      load.stop(),
    );
    return {
      name: 'p4-parked-memory',
      description: `P4: worker RSS (/proc/<pid>/status VmRSS) with ${o.deals} onboardings parked in NEEDS_REVIEW (deals without a tax id), sampled at each phase.`,
      rows,
      notes,
    };
  } finally {
    load.stop();
    await stack.stop();
  }
}
