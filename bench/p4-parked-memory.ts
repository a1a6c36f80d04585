/**
 * P4: worker memory with many onboardings parked in NEEDS_REVIEW (deals without a tax id wait for a reviewer).
 * RSS (/proc/<pid>/status VmRSS) of the worker process once all are parked, a minute later, and after a pass that
 * queries every parked workflow (as an operator's review queue would), which pulls each through the workflow cache.
 * The cache size is the worker's default (WORKER_MAX_CACHED_WORKFLOWS, 100) unless set otherwise; then the same query
 * pass runs again on a worker restarted with larger caches, to show what the bound saves.
 */
import { readFileSync } from 'node:fs';
import axios from 'axios';
import type { Client } from '@temporalio/client';
import { startChaosStack, type ChaosStack } from './chaos/chaos-stack';
import { driveDeals } from './chaos/deal-driver';
import { LoadSampler, log } from './chaos/scenario';
import { kpiRows, verifyKpis } from './chaos/verify-kpis';
import { companyIdOf, verifyDeals, verifyNotes, verifyRows, waitForSettled } from './chaos/verify-deals';
import { deriveExternalId } from '../domain/external-id';
import { stateQuery } from '../workflows/messages';
import type { BenchResult } from './results-file';
import { RECYCLE_EXIT_CODE } from '../workers/idle-recycle';
import { WORKER_MALLOC_ENV } from '../workers/malloc-env';

/** The glibc tunables (MALLOC_*) set in this environment, which the stack passes on to the worker. */
function pickMallocEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('MALLOC_') && e[1] !== undefined),
  );
}

export interface ParkedOptions {
  deals: number;
  ratePerSecond: number;
  settleTimeoutMs: number;
  targetMb: number;
  /** Cache sizes tried after the default, in order, on a restarted worker (the cost of a larger bound). */
  compareCaches: number[];
}

function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

async function cacheSize(stack: ChaosStack): Promise<string> {
  const text = (
    await axios
      .get<string>(stack.workerMetricsUrl, { responseType: 'text', timeout: 10_000 })
      .catch(() => ({ data: '' }))
  ).data;
  const line = text.split('\n').find((l) => l.startsWith('temporal_sticky_cache_size'));
  return line ? line.split(' ').pop()! : '?';
}

async function queryAll(
  client: Client,
  externalIds: string[],
): Promise<{ ok: number; failed: number; seconds: number }> {
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
      // Between a recycled worker's exit and its replacement there is no worker to read (a process on its way out
      // has no VmRSS any more): wait for the fresh one.
      let mb = rssMb(stack.workerPid());
      for (let i = 0; i < 300 && !Number.isFinite(mb); i++) {
        await new Promise((r) => setTimeout(r, 100));
        mb = rssMb(stack.workerPid());
      }
      rows.push({
        phase,
        maxCachedWorkflows: cache,
        'worker RSS MB': mb,
        'workflows in cache (temporal_sticky_cache_size)': await cacheSize(stack),
      });
      log(`P4 ${phase}: RSS ${mb} MB`);
      return mb;
    };
    const defaultCache = configured ?? '100 (default)';
    await sample('worker started (polling, not yet settled)', defaultCache);
    // A fresh worker's first minute still holds its start-up garbage (webpack-free, but tsx and the SDK's loading):
    // the settled figure is the one to compare with a fresh idle worker under `npm start`.
    await new Promise((r) => setTimeout(r, 60_000));
    await sample('worker idle 60 s, nothing onboarded yet', defaultCache);
    const drive = await driveDeals({
      pipedriveUrl: stack.json.pipedrive!.url,
      count: o.deals,
      ratePerSecond: o.ratePerSecond,
      concurrency: 32,
      omit: () => ['tax_id'],
    });
    log(
      `driven ${drive.dealIds.length} deals without a tax id in ${drive.seconds.toFixed(0)} s; waiting for them to park`,
    );
    const settle = await waitForSettled(stack.client, drive.dealIds.length, {
      timeoutMs: o.settleTimeoutMs,
      stallMs: 5 * 60_000,
      log,
    });
    const parked = await sample(`all ${settle.last.settled} parked`, defaultCache);
    await new Promise((r) => setTimeout(r, 60_000));
    const after60 = await sample('60 s later, idle', defaultCache);
    // The steady state: by now the idle worker has had its collections and, grown past its baseline by WORKER_RECYCLE_GROWTH_MB, a
    // 30 s quiet window to recycle (ops-watch's tick every 60 s is work and restarts that window).
    await new Promise((r) => setTimeout(r, 120_000));
    const idleLater = await sample('3 min later, idle (the verdict)', defaultCache);
    const companyId = await companyIdOf(stack.json);
    const ids = drive.dealIds.map((dealId) => deriveExternalId({ companyId, dealId }));
    const q1 = await queryAll(stack.client, ids);
    const afterQueries = await sample(
      `after a state query of every parked workflow (${q1.ok} ok, ${q1.failed} failed, ${q1.seconds.toFixed(0)} s)`,
      defaultCache,
    );
    // The target state: every workflow parked and nothing else going on. The highest sample with the default cache
    // (parking them, then the query pass) is the cost of work in flight, reported next to it.
    const peak = Math.max(parked, after60, idleLater, afterQueries);
    const notes: string[] = [];
    for (const size of o.compareCaches) {
      log(`for comparison: restarting the worker with WORKER_MAX_CACHED_WORKFLOWS=${size}`);
      await stack.killWorker();
      await stack.startWorker({ WORKER_MAX_CACHED_WORKFLOWS: String(size) });
      await sample('restarted worker, idle', String(size));
      const q2 = await queryAll(stack.client, ids);
      await sample(
        `after a state query of every parked workflow (${q2.ok} ok, ${q2.failed} failed, ${q2.seconds.toFixed(0)} s)`,
        String(size),
      );
    }
    const verify = await verifyDeals({ client: stack.client, stack: stack.json, dealIds: drive.dealIds });
    const kpis = await verifyKpis(stack.client, drive.dealIds.length);
    const recycles = stack.exits.filter((e) => e.name === 'worker' && e.code === RECYCLE_EXIT_CODE);
    // A crash resets the worker's RSS: a figure read after one says nothing about holding the parked workflows.
    const crashes = stack.exits.filter((e) => e.name === 'worker' && !e.expected);
    const met = idleLater <= o.targetMb && crashes.length === 0;
    rows.push({
      phase: `verdict: RSS with all ${o.deals} parked (the 3 min sample) ≤ ${o.targetMb} MB`,
      maxCachedWorkflows: defaultCache,
      'worker RSS MB': idleLater,
      'workflows in cache (temporal_sticky_cache_size)': met ? 'MET' : 'NOT MET',
    });
    notes.push(
      `Target: worker RSS ≤ ${o.targetMb} MB with ${o.deals} workflows parked in NEEDS_REVIEW: ${met ? 'MET' : 'NOT MET'} with maxCachedWorkflows ${defaultCache}: ${idleLater} MB with all parked and the worker idle for 3 minutes (${after60} MB after 1 minute). Peak with work in flight (parking them, then querying every one 16 at a time): ${peak} MB. A parked workflow outside the cache costs the worker nothing; a click on its card first replays its history (tens of events).`,
      `Worker process settings: glibc ${Object.entries({ ...WORKER_MALLOC_ENV, ...pickMallocEnv(process.env) })
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ' ',
        )} (workers/malloc-env.ts; a value in the environment wins), V8 flags ${process.env.WORKER_NODE_FLAGS?.trim() ? `"${process.env.WORKER_NODE_FLAGS.trim()}"` : 'none (WORKER_NODE_FLAGS unset)'}, idle GC every ${process.env.WORKER_IDLE_GC_SECONDS ?? '10'} s (WORKER_IDLE_GC_SECONDS; 0 = off), recycle when idle more than ${process.env.WORKER_RECYCLE_GROWTH_MB ?? '150'} MB above the worker's settled idle RSS (WORKER_RECYCLE_GROWTH_MB; 0 = off).`,
      `Unexpected worker exits (crashes; the stack restarts the worker after 1 s, as npm start does): ${crashes.length ? JSON.stringify(crashes) : 'none'}.${crashes.length ? ' The verdict is NOT MET whatever the RSS.' : ''}`,
      `Worker recycles (exit ${RECYCLE_EXIT_CODE}, replaced by a fresh process as npm start does): ${recycles.length}${recycles.length ? ` (${recycles.map((e) => e.at.slice(11, 19)).join(', ')} UTC)` : ''}. Each sample reads the worker process running at that moment.`,
      "For comparison, the SDK's own cache size (what WORKER_MAX_CACHED_WORKFLOWS unset meant before this default) is max(floor(max(heap limit − 200 MB, 0) × 600 / 1024 MB), 10) workflows with reuseV8Context: about 2,300 for a 4 GiB heap limit.",
      `Parking: ${drive.dealIds.length} deals driven in ${drive.seconds.toFixed(0)} s; ${settle.settled ? 'all parked' : `only ${settle.last.settled} parked before the timeout`} ${settle.seconds.toFixed(0)} s after the last arrival.`,
      ...[...verifyRows(verify), ...kpiRows(kpis)].map((r) => `${r.check}: ${r.value}`),
      ...verifyNotes(verify),
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
