/**
 * `tsx bench/cluster-side-by-side.ts [--waves N] [--wave-size N] [--p3-deals N] [--only p2-cluster,…] [--tag T]
 * [--cluster-dynamic-config FILE]`: P2 (orchestration overhead) and
 * P3 (burst, C = 10, L = 100 ms) on the dev server of `npm start` and on the cluster of `npm run cluster`, in one run,
 * same sizes, with CPU seconds per onboarding for every process. Writes bench/results/cluster-side-by-side.{json,md}
 * and each run's own result as cluster-side-by-side-{p2,p3}-{dev-server,cluster}.*. `--only` runs a subset, `--tag`
 * suffixes every result name, `--cluster-dynamic-config` gives the cluster another dynamic config file (experiments).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freeClusterPorts } from '../scripts/cluster-config';
import { startCluster, type RunningCluster } from '../scripts/cluster-run';
import { registerNamespace } from '../scripts/cluster-schema';
import { clusterSettings } from '../scripts/cluster-settings';
import { CpuSampler } from './cluster-cpu-sampler';
import { orchestrationOverhead } from './orchestration-overhead';
import { p3Burst } from './p3-burst';
import { writeResult, type BenchResult } from './results-file';

type Target = 'dev-server' | 'cluster';
interface Run {
  bench: 'P2' | 'P3';
  target: Target;
  deals: number;
  result: BenchResult;
  cpu: Array<[string, number]>;
  wallSeconds: number;
  load: string;
}

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

let tag = '';
async function measured(
  bench: Run['bench'],
  target: Target,
  deals: number,
  run: () => Promise<BenchResult>,
): Promise<Run> {
  log(`${bench} on the ${target}: ${deals} deals`);
  const load0 = loadavg()[0]!;
  const sampler = new CpuSampler();
  const t0 = performance.now();
  const result = await run();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = sampler.stop();
  const name = `cluster-side-by-side-${bench.toLowerCase()}-${target}${tag}`;
  writeResult({
    ...result,
    name,
    notes: [...(result.notes ?? []), `Run by bench/cluster-side-by-side.ts on the ${target}.`],
  });
  log(`${bench} on the ${target} done in ${wallSeconds.toFixed(0)} s; CPU ${JSON.stringify(cpu)}`);
  return { bench, target, deals, result, cpu, wallSeconds, load: `${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}` };
}

/** The figure of a result row whose first text column matches `label`. */
function figure(result: BenchResult, label: RegExp, column: string): string | number | undefined {
  const row = result.rows.find((r) => Object.values(r).some((v) => typeof v === 'string' && label.test(v)));
  return row?.[column];
}

const TEMPORAL_ROLES = /^temporal |^postgresql$/;

/** A durable, headless cluster on free ports in a temporary directory, for the length of `use`. */
async function onCluster(use: (address: string) => Promise<void>, dynamicConfigFile?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  let cluster: RunningCluster | undefined;
  try {
    cluster = await startCluster({
      dir,
      ports: await freeClusterPorts(),
      ui: false,
      durable: true,
      detached: false,
      log,
      dynamicConfigFile,
    });
    await use(cluster.address);
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { values } = parseArgs({
    options: {
      waves: { type: 'string', default: '4' },
      'wave-size': { type: 'string', default: '10' },
      'p3-deals': { type: 'string', default: '300' },
      only: { type: 'string', default: 'p2-dev-server,p3-dev-server,p3-cluster,p2-cluster' },
      tag: { type: 'string', default: '' },
      'cluster-dynamic-config': { type: 'string' },
    },
  });
  const only = new Set(values.only.split(',').map((x) => x.trim()));
  const wanted = (bench: Run['bench'], target: Target) => only.has(`${bench.toLowerCase()}-${target}`);
  tag = values.tag ? `-${values.tag}` : '';
  const waves = Number(values.waves);
  const waveSize = Number(values['wave-size']);
  const p3Deals = Number(values['p3-deals']);
  const p2 = () =>
    orchestrationOverhead({
      waveSize,
      waves,
      burst: 0,
      concurrency: 5,
      timeoutMs: Math.max(120_000, waves * 20_000),
      netsuiteLatency: { minMs: 80, maxMs: 120 },
      targetP99Ms: 150,
    });
  const p3 = (temporalAddress?: string) =>
    p3Burst({
      deals: p3Deals,
      arrivalSeconds: Math.max(10, Math.round(p3Deals / 30)),
      concurrencyLimit: 10,
      latencyMs: 100,
      settleTimeoutMs: 30 * 60_000,
      temporalAddress,
    });

  const runs: Run[] = [];
  if (wanted('P2', 'dev-server')) runs.push(await measured('P2', 'dev-server', waves * waveSize, p2));
  if (wanted('P3', 'dev-server')) runs.push(await measured('P3', 'dev-server', p3Deals, () => p3()));

  if (wanted('P2', 'cluster') || wanted('P3', 'cluster'))
    await onCluster(async (address) => {
      // P3's stack works in namespace default; P2's npm start gets a namespace of its own, so neither sees the other's
      // workflows or KPIs (on the dev server each had a server of its own).
      if (wanted('P3', 'cluster')) runs.push(await measured('P3', 'cluster', p3Deals, () => p3(address)));
      if (wanted('P2', 'cluster')) {
        await registerNamespace(address, log, { name: 'bench-p2' });
        Object.assign(process.env, {
          TEMPORAL_EMBEDDED: 'false',
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: 'bench-p2',
        });
        runs.push(await measured('P2', 'cluster', waves * waveSize, p2));
      }
    }, values['cluster-dynamic-config']);

  const rows: BenchResult['rows'] = [];
  for (const r of runs) {
    const temporalCpu = r.cpu.filter(([role]) => TEMPORAL_ROLES.test(role)).reduce((a, [, s]) => a + s, 0);
    const totalCpu = r.cpu.reduce((a, [, s]) => a + s, 0);
    const perDeal = (s: number) => Math.round((s / r.deals) * 1000) / 1000;
    const base = { bench: r.bench, target: r.target, deals: r.deals };
    if (r.bench === 'P2') {
      rows.push({
        ...base,
        figure: 'overhead p50 / p99 ms (waves)',
        value: `${figure(r.result, /^overhead =/, 'p50 ms')} / ${figure(r.result, /^overhead =/, 'p99 ms')}`,
      });
      rows.push({
        ...base,
        figure: 'end-to-end webhook → invoice p50 / p99 ms',
        value: `${figure(r.result, /^end-to-end: webhook → invoice/, 'p50 ms')} / ${figure(r.result, /^end-to-end: webhook → invoice/, 'p99 ms')}`,
      });
      rows.push({
        ...base,
        figure: 'Σ workflow tasks per onboarding p50 / p99 ms',
        value: `${figure(r.result, /Σ workflow tasks/, 'p50 ms')} / ${figure(r.result, /Σ workflow tasks/, 'p99 ms')}`,
      });
      rows.push({
        ...base,
        figure: 'webhook → workflow start committed p50 / p99 ms',
        value: `${figure(r.result, /webhook received → workflow start/, 'p50 ms')} / ${figure(r.result, /webhook received → workflow start/, 'p99 ms')}`,
      });
    } else {
      rows.push({
        ...base,
        figure: 'completion: first arrival → all settled (s)',
        value: figure(r.result, /^completion: first arrival/, 'value') ?? '?',
      });
      rows.push({
        ...base,
        figure: 'NetSuite utilisation while it had work (target ≥ 90%)',
        value: figure(r.result, /^NetSuite utilisation while/, 'value') ?? '?',
      });
      rows.push({
        ...base,
        figure: 'lost / duplicated',
        value: `${figure(r.result, /^lost/, 'value')} / ${figure(r.result, /^duplicated customers/, 'value')}`,
      });
    }
    rows.push({
      ...base,
      figure: 'CPU s per onboarding: Temporal (server services + PostgreSQL)',
      value: perDeal(temporalCpu),
    });
    rows.push({ ...base, figure: 'CPU s per onboarding: all processes', value: perDeal(totalCpu) });
    rows.push({
      ...base,
      figure: 'CPU s per onboarding, by process',
      value: r.cpu.map(([role, s]) => `${role} ${perDeal(s)}`).join('; '),
    });
  }
  const ratio = (bench: Run['bench']): string => {
    const cpuOf = (t: Target) => {
      const r = runs.find((x) => x.bench === bench && x.target === t);
      if (!r) return Number.NaN;
      return r.cpu.filter(([role]) => TEMPORAL_ROLES.test(role)).reduce((a, [, s]) => a + s, 0) / r.deals;
    };
    const dev = cpuOf('dev-server');
    return dev > 0 && Number.isFinite(cpuOf('cluster')) ? (cpuOf('cluster') / dev).toFixed(2) : 'n/a (not both run)';
  };
  const settings = clusterSettings();
  writeResult({
    name: `cluster-side-by-side${tag}`,
    description:
      `P2 (orchestration overhead: ${waves} waves of ${waveSize} deals through the npm start stack, NetSuite latency 80–120 ms) and P3 (burst of ${p3Deals} deals, NetSuite C = 10, L = 100 ms) ` +
      `in one run (${[...only].join(', ')}) on the Temporal dev server (SQLite, one process, as npm start embeds it) and on the cluster of npm run cluster (Temporal ${settings.temporalVersion}, ` +
      `${settings.numHistoryShards} history shards, history/matching/frontend/worker as separate processes, PostgreSQL with fsync on this machine's local disk). CPU seconds per onboarding per process, sampled from /proc every second over each benchmark (stack start and stop included).`,
    rows,
    notes: [
      `Temporal CPU per onboarding, cluster ÷ dev server: P2 ${ratio('P2')}, P3 ${ratio('P3')}.`,
      ...runs.map(
        (r) =>
          `${r.bench} on the ${r.target}: ${r.wallSeconds.toFixed(0)} s wall; load average ${r.load}. Full figures in bench/results/cluster-side-by-side-${r.bench.toLowerCase()}-${r.target}.md.`,
      ),
      `Order: P2 and P3 on the dev server, then P3 and P2 on the cluster. The machine's ${cpus().length} cores were shared with other sessions' builds and tests during the whole run: absolute figures are pessimistic and the two targets did not see identical load.`,
    ],
  });
  log(`wrote bench/results/cluster-side-by-side${tag}.md`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
