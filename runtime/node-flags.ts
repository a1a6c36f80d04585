/**
 * WORKER_NODE_FLAGS / APP_NODE_FLAGS: V8/Node flags the stack passes to the worker and app processes. The launcher
 * asks this Node whether it accepts them before it spawns anything, so a typo stops `npm start` with the variable
 * named instead of a child that exits on every restart until the stack gives up. The children themselves, already
 * running with the flags, only check their form.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The preload that collects a worker's threads when they go idle (workers/idle-gc.cjs). */
export const IDLE_GC_PRELOAD = join(__dirname, '..', 'workers', 'idle-gc.cjs');
/** The preload that compiles TypeScript in the main thread only, instead of `--import tsx` (workers/tsx-main-thread.cjs). */
export const MAIN_THREAD_TSX = join(__dirname, '..', 'workers', 'tsx-main-thread.cjs');

/** Node arguments the worker process starts with: the idle-GC preload (unless WORKER_IDLE_GC_SECONDS=0), then WORKER_NODE_FLAGS. */
export function workerNodeArgs(worker: { nodeFlags: string[]; idleGcSeconds: number }): string[] {
  return [...(worker.idleGcSeconds > 0 ? ['--expose-gc', '--require', IDLE_GC_PRELOAD] : []), ...worker.nodeFlags];
}

export function splitNodeFlags(raw: string | undefined): string[] {
  return (raw ?? '').split(/\s+/).filter(Boolean);
}

/** Why these are not Node flags at all (cheap, no process): `undefined` when each looks like `--flag[=value]`. */
export function nodeFlagsSyntaxProblem(flags: string[]): string | undefined {
  const notFlag = flags.find((f) => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(f));
  return notFlag ? `"${notFlag}" is not a --flag` : undefined;
}

const refusals = new Map<string, string | undefined>();

/**
 * Why Node refuses these flags (its own message), or `undefined` when it starts with them. Spawns `node <flags> -e 0`
 * once per distinct set in this process: only launchers (npm start, the bench stack) ask, before they spawn with them.
 */
export function nodeFlagsRefused(flags: string[]): string | undefined {
  if (flags.length === 0) return undefined;
  const key = flags.join(' ');
  if (refusals.has(key)) return refusals.get(key);
  const probe = spawnSync(process.execPath, [...flags, '-e', '0'], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: process.env.PATH ?? '' },
  });
  const said = (probe.stderr || probe.error?.message || `exit ${probe.status ?? probe.signal}`).trim().split('\n')[0]!;
  const refused = probe.status === 0 ? undefined : `Node refuses them: ${said.replace(/^\S*node: /, '')}`;
  refusals.set(key, refused);
  return refused;
}
