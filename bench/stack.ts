/**
 * The whole stack for a benchmark, started exactly as `npm start` starts it (test/helpers/stack-process.ts): free
 * ports, a temporary DATA_DIR, .data/stack.json read once ready; stopped with Ctrl-C semantics and the data dir removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackEnv, startStack, type StackJson } from '../test/helpers/stack-process';

export interface BenchStack {
  json: StackJson;
  dataDir: string;
  startupSeconds: number;
  /** Pid of the `npm start` process (the root of the stack's process tree). */
  pid: number;
  /** The env `npm start` ran with (ports: TEMPORAL_PORT, APP_PORT, OPS_PORT, WORKER_METRICS_PORT, …); `json.ops.url` serves /metrics and /ops. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startBenchStack(label: string): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${label}-`));
  const t0 = performance.now();
  const env = await stackEnv(dataDir);
  const proc = startStack(env);
  const stop = async (): Promise<void> => {
    const s0 = performance.now();
    const stopped = proc.interrupt();
    const killer = setTimeout(() => {
      if (proc.child.pid && proc.child.exitCode === null) process.kill(-proc.child.pid, 'SIGKILL');
    }, 30_000);
    await stopped;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
    process.stderr.write(`stack stopped in ${((performance.now() - s0) / 1000).toFixed(1)} s\n`);
  };
  try {
    const json = await proc.ready(180_000);
    process.stderr.write(`stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return {
      json,
      dataDir,
      startupSeconds: Math.round((performance.now() - t0) / 100) / 10,
      pid: proc.child.pid ?? 0,
      env,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
