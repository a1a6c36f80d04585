/**
 * WORKER_NODE_FLAGS: V8/Node flags the stack passes to the worker process. Checked at start-up by asking this Node
 * whether it accepts them, so a typo stops `npm start` with the variable named instead of a worker that exits on
 * every restart until the stack gives up.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The preload that collects a worker's threads when they go idle (workers/idle-gc.cjs). */
export const IDLE_GC_PRELOAD = join(__dirname, '..', 'workers', 'idle-gc.cjs');

/** Node arguments the worker process starts with: the idle-GC preload (unless WORKER_IDLE_GC_SECONDS=0), then WORKER_NODE_FLAGS. */
export function workerNodeArgs(worker: { nodeFlags: string[]; idleGcSeconds: number }): string[] {
  return [...(worker.idleGcSeconds > 0 ? ['--expose-gc', '--require', IDLE_GC_PRELOAD] : []), ...worker.nodeFlags];
}

export function splitNodeFlags(raw: string | undefined): string[] {
  return (raw ?? '').split(/\s+/).filter(Boolean);
}

/** Why Node refuses these flags (its own message), or `undefined` when it starts with them. */
export function nodeFlagsProblem(flags: string[]): string | undefined {
  const notFlag = flags.find((f) => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(f));
  if (notFlag) return `"${notFlag}" is not a --flag`;
  if (flags.length === 0) return undefined;
  const probe = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH ?? '' } });
  if (probe.status === 0) return undefined;
  const said = (probe.stderr || probe.error?.message || `exit ${probe.status ?? probe.signal}`).trim().split('\n')[0]!;
  return `Node refuses them: ${said.replace(/^\S*node: /, '')}`;
}
