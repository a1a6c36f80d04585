/**
 * Recycles a worker that sits idle with more memory than WORKER_RECYCLE_IDLE_RSS_MB: it stops polling, finishes
 * nothing (there is nothing in flight), and exits with RECYCLE_EXIT_CODE for its supervisor to start a fresh one.
 * After a burst the process keeps memory that no collection gives back (glibc fragmentation from the Rust core, heap
 * slack): bench P4 kept ~400 MB with 1,000 parked reviews and ~640 MB with 10,000, against ~225 MB for a fresh
 * worker. Nothing is lost by it: parked workflows are not in memory, cached ones are rebuilt from their histories when
 * they next have work, and a timer that fires in the seconds without a poller waits in its task queue.
 */

/** EX_TEMPFAIL: the stack (scripts/stack.ts) restarts a worker that exits with it at once, outside its crash budget. */
export const RECYCLE_EXIT_CODE = 75;

export interface RecycleSample {
  /** Activations plus activities in flight across the process's SDK workers. */
  inFlight: number;
  /** Workflows in the SDK's cache: any means the process has run workflow tasks (activations are too short to sample). */
  cachedWorkflows: number;
  /** Main-thread event-loop utilisation since the previous sample (0–1). */
  utilisation: number;
  rssBytes: number;
}

export interface RecyclePolicy {
  rssLimitMb: number;
  /** How long the worker must have been idle: long enough for the idle GC (workers/idle-gc.cjs) to run first. */
  idleMs: number;
}

const BUSY_UTILISATION = 0.05;
const MIN_IDLE_MS = 30_000;

/** How long to be idle before recycling: three idle-GC periods at least, so a collection that suffices comes first. */
export function recycleIdleMs(idleGcSeconds: number): number {
  return Math.max(MIN_IDLE_MS, 3 * idleGcSeconds * 1000);
}

/** Feeds on samples; says when an idle-long-enough worker is over its limit. */
export class IdleRecycleDecision {
  private idleSince: number | undefined;
  /** A process that has not worked yet is as fresh as its replacement would be: recycling it could only loop. */
  private worked = false;

  constructor(private readonly policy: RecyclePolicy) {}

  /** True when the worker should recycle now. */
  observe(s: RecycleSample, nowMs: number): boolean {
    if (!this.worked && (s.inFlight > 0 || s.cachedWorkflows > 0)) {
      // The first work seen, maybe done between two samples: the idle window starts now at the earliest.
      this.worked = true;
      this.idleSince = nowMs;
    }
    if (s.inFlight > 0 || s.utilisation >= BUSY_UTILISATION) {
      this.idleSince = undefined;
      return false;
    }
    this.idleSince ??= nowMs;
    return this.worked && nowMs - this.idleSince >= this.policy.idleMs && s.rssBytes > this.policy.rssLimitMb * 1024 * 1024;
  }
}
