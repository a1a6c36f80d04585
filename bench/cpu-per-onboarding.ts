/**
 * CPU per onboarding and the fresh worker's idle footprint, on the stack as `npm start` runs it.
 * 1. Idle: the fresh worker's RSS every 10 s for `idleMinutes` (10; quick: 1) with nothing onboarding, and how many
 *    times it recycled (its pid changed): a fresh worker must never recycle at idle (workers/idle-recycle.ts).
 * 2. Load: N signed deals (default 100) through the Pipedrive simulator and the real webhook (bench/chaos/deal-driver.ts),
 *    until all are COMPLETED; CPU seconds (utime + stime from /proc, bench/process-cpu.ts) of every process of the
 *    stack before and after, per process and per onboarding. The idle CPU of the same processes over the same
 *    length of time is reported beside it (ops-watch's ticks, the dev server's own timers), not subtracted.
 * CPU seconds are much less sensitive than latencies to a shared host; the load average is recorded with the result.
 * `runs` > 1: that many runs, each on a fresh stack (the later ones idle for at most 1 minute first), and the median
 * per process and in total: one run on the shared 2-core host spreads by ~25%.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { driveDeals } from './chaos/deal-driver';
import { cpuByRole } from './process-cpu';
import type { BenchResult } from './results-file';
import { startBenchStack } from './stack';
import { processDataConverter } from '../runtime/payload-codec';

export interface CpuPerOnboardingOptions {
  deals: number;
  idleMinutes: number;
  runs?: number;
  ratePerSecond: number;
  settleTimeoutMs: number;
}

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The stack's worker process: a descendant of the stack's root whose command line runs workers/main.ts. */
function workerPid(root: number): number | undefined {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  for (const queue = [root]; queue.length;) {
    const pid = queue.pop()!;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0] === process.execPath && cmd.some((a) => a.endsWith('workers/main.ts'))) return pid;
    } catch {
      // gone meanwhile
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

function rssMb(pid: number | undefined): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
  } catch {
    return Number.NaN;
  }
}

/** Events of one completed onboarding's history by type: what the server stored and the worker answered for it. */
async function historyShape(client: Client, workflowId: string): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const type = (temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function cpuPerOnboarding(o: CpuPerOnboardingOptions): Promise<BenchResult> {
  const runs = Math.max(1, o.runs ?? 1);
  if (runs === 1) return oneRun(o);
  const results: BenchResult[] = [];
  for (let i = 0; i < runs; i += 1) {
    log(`run ${i + 1} of ${runs}`);
    results.push(await oneRun({ ...o, idleMinutes: i === 0 ? o.idleMinutes : Math.min(1, o.idleMinutes) }));
  }
  const perOnboarding = (r: BenchResult, process: string): number =>
    Number(r.rows.find((row) => row.process === process)?.['CPU s per onboarding'] ?? 0);
  const processes = [...new Set(results.flatMap((r) => r.rows.map((row) => String(row.process))))].filter(
    (p) => p !== 'all',
  );
  const rows: BenchResult['rows'] = [...processes, 'all'].map((process) => ({
    process,
    ...Object.fromEntries(results.map((r, i) => [`run ${i + 1}`, perOnboarding(r, process)])),
    'median CPU s per onboarding': round(median(results.map((r) => perOnboarding(r, process)))),
  }));
  rows.sort((a, b) =>
    a.process === 'all'
      ? 1
      : b.process === 'all'
        ? -1
        : Number(b['median CPU s per onboarding']) - Number(a['median CPU s per onboarding']),
  );
  return {
    name: 'cpu-per-onboarding',
    description: `${results[0]!.description} ${runs} runs, each on a fresh stack (runs after the first idle for at most 1 min first); CPU s per onboarding per run and the median.`,
    rows,
    notes: results.flatMap((r, i) => (r.notes ?? []).map((n) => `Run ${i + 1}: ${n}`)),
  };
}

async function oneRun(o: CpuPerOnboardingOptions): Promise<BenchResult> {
  const load0 = loadavg();
  const stack = await startBenchStack('cpu');
  try {
    const pd = stack.json.pipedrive;
    if (!pd)
      throw new Error(
        'cpu-per-onboarding drives the Pipedrive simulator: the bench stack runs without real Pipedrive credentials',
      );
    const firstWorker = workerPid(stack.pid);
    if (!firstWorker) throw new Error('no worker process found under the stack');

    // 1. The fresh worker, idle.
    log(`idle for ${o.idleMinutes} min (fresh worker pid ${firstWorker})`);
    const idleCpu0 = cpuByRole(stack.pid);
    const idleT0 = performance.now();
    const pids = new Set<number>([firstWorker]);
    const samples: number[] = [];
    for (let t = 0; t < o.idleMinutes * 60; t += 10) {
      await new Promise((r) => setTimeout(r, 10_000));
      const pid = workerPid(stack.pid);
      if (pid) pids.add(pid);
      samples.push(rssMb(pid));
      if (t % 60 === 50) log(`  idle ${t + 10} s: worker ${pid} ${samples.at(-1)} MB`);
    }
    const idleSeconds = (performance.now() - idleT0) / 1000;
    const idleCpu = cpuByRole(stack.pid);
    const recycles = pids.size - 1;
    const finite = samples.filter(Number.isFinite);
    const idleRss = {
      first: finite[0] ?? NaN,
      last: finite.at(-1) ?? NaN,
      max: Math.max(...finite),
      min: Math.min(...finite),
    };

    // 2. N deals through the webhook.
    const connection = await Connection.connect({ address: stack.json.temporal.address });
    const client = new Client({
      connection,
      namespace: stack.json.temporal.namespace,
      dataConverter: processDataConverter(),
    });
    try {
      const cpu0 = cpuByRole(stack.pid);
      const t0 = performance.now();
      log(`driving ${o.deals} deals at ${o.ratePerSecond}/s`);
      const driven = await driveDeals({
        pipedriveUrl: pd.url,
        count: o.deals,
        ratePerSecond: o.ratePerSecond,
        concurrency: 8,
      });
      // One visibility count every 2 s: the poll's own cost on the dev server is part of the figure, kept small.
      const query = `WorkflowType = 'onboardDeal' AND OnboardingState = 'COMPLETED'`;
      let completed = 0;
      for (const until = Date.now() + o.settleTimeoutMs; Date.now() < until;) {
        completed = (await client.workflow.count(query).catch(() => ({ count: completed }))).count;
        if (completed >= driven.dealIds.length) break;
        await new Promise((r) => setTimeout(r, 2_000));
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = cpuByRole(stack.pid);
      log(`${completed}/${driven.dealIds.length} completed in ${seconds.toFixed(1)} s`);
      let sampleId: string | undefined;
      for await (const wf of client.workflow.list({ query, pageSize: 1 })) {
        sampleId = wf.workflowId;
        break;
      }
      const shape = sampleId ? await historyShape(client, sampleId) : {};

      const roles = [...new Set([...Object.keys(cpu1), ...Object.keys(idleCpu)])].filter(
        (r) => (cpu1[r] ?? 0) - (cpu0[r] ?? 0) > 0.005 || (idleCpu[r] ?? 0) - (idleCpu0[r] ?? 0) > 0.005,
      );
      const n = Math.max(1, completed);
      const rows: BenchResult['rows'] = roles
        .map((role) => {
          const used = (cpu1[role] ?? 0) - (cpu0[role] ?? 0);
          const idleRate = ((idleCpu[role] ?? 0) - (idleCpu0[role] ?? 0)) / idleSeconds;
          return {
            process: role,
            'CPU s (load)': round(used, 2),
            'CPU s per onboarding': round(used / n),
            'idle CPU s over the same time': round(idleRate * seconds, 2),
          };
        })
        .sort((a, b) => b['CPU s (load)'] - a['CPU s (load)']);
      const total = rows.reduce((s, r) => s + Number(r['CPU s (load)']), 0);
      const idleTotal = rows.reduce((s, r) => s + Number(r['idle CPU s over the same time']), 0);
      rows.push({
        process: 'all',
        'CPU s (load)': round(total, 2),
        'CPU s per onboarding': round(total / n),
        'idle CPU s over the same time': round(idleTotal, 2),
      });
      const load1 = loadavg();
      const historyEvents = Object.values(shape).reduce((a, b) => a + b, 0);
      return {
        name: 'cpu-per-onboarding',
        description:
          `CPU seconds per onboarding per process of the stack (npm start: dev server, worker, app, simulators), ${o.deals} signed deals through the ` +
          `Pipedrive simulator and the real webhook at ${o.ratePerSecond}/s until all COMPLETED; and a fresh worker's RSS over ${o.idleMinutes} idle minutes before that.`,
        rows,
        notes: [
          `Onboardings: ${completed} of ${driven.dealIds.length} driven completed in ${seconds.toFixed(1)} s (${driven.errors} driver errors). Total ${round(total / n)} CPU s per onboarding (${round(total, 1)} CPU s); the same processes idle for as long would have used ${round(idleTotal, 1)} CPU s.`,
          `Fresh worker idle for ${o.idleMinutes} min: RSS ${idleRss.first} MB at 10 s, ${idleRss.last} MB at the end (min ${idleRss.min}, max ${idleRss.max}); recycles: ${recycles}.`,
          `One completed onboarding's history (${sampleId ?? 'none'}): ${historyEvents} events; ${Object.entries(shape)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`,
          `Load average (1/5/15 min) at the start ${load0.map((l) => l.toFixed(1)).join('/')}, at the end ${load1.map((l) => l.toFixed(1)).join('/')}: the 2 cores were shared with other work, which inflates times, not CPU seconds much.`,
          `Worker settings: ${
            Object.entries(stack.env)
              .filter(([k]) => /^(WORKER_|MALLOC_ARENA_MAX)/.test(k))
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || 'defaults'
          } (MALLOC_ARENA_MAX=2 unless set: scripts/process-utils.ts).`,
        ],
      };
    } finally {
      await connection.close();
    }
  } finally {
    await stack.stop();
  }
}
