/**
 * Recycles a worker that sits idle having grown well past what it needed when it was fresh: it stops polling,
 * finishes nothing (there is nothing in flight), and exits with RECYCLE_EXIT_CODE for its supervisor to start a fresh
 * one. After a burst the process keeps memory that no collection gives back (glibc fragmentation from the Rust core,
 * heap slack): bench P4 kept ~400 MB with 1,000 parked reviews and ~640 MB with 10,000.
 *
 * The measure is the process's own baseline, not a fixed number: the lower of its RSS when it started polling and
 * its RSS once it has first been idle for the whole idle window (the idle GC, workers/idle-gc.cjs, has run by then),
 * lowered by any later settled sample that is lower. It recycles when, idle again for the whole window, it is more
 * than WORKER_RECYCLE_GROWTH_MB above that. A fresh process does not grow that much while idle (tens of MB at most as
 * lazy paths warm up), so a fresh worker never recycles and a replacement cannot loop; a fixed limit did (a fresh
 * worker idled at 300–337 MB and recycled about once a minute against 300 MB). Whether the process "worked" is not
 * asked: ops-watch's own ticks and the ledger shards in the ops cache made every process look worked. The start
 * figure is what lets a worker busy from its first seconds (restarted into a backlog) still recycle what that first
 * burst leaves behind.
 *
 * Nothing is lost by a recycle: parked workflows are not in memory, cached ones are rebuilt from their histories when
 * they next have work, and a timer that fires in the seconds without a poller waits in its task queue.
 */

/** EX_TEMPFAIL: the stack (scripts/stack.ts) restarts a worker that exits with it at once, outside its crash budget. */
export const RECYCLE_EXIT_CODE = 75;

export interface RecycleSample {
  /** Activations plus activities in flight across the process's SDK workers. */
  inFlight: number;
  /** Main-thread event-loop utilisation since the previous sample (0–1). */
  utilisation: number;
  rssBytes: number;
}

export interface RecyclePolicy {
  /** How far above its settled baseline an idle worker may be before it recycles (WORKER_RECYCLE_GROWTH_MB). */
  growthMb: number;
  /** How long the worker must have been idle: long enough for the idle GC (workers/idle-gc.cjs) to run first. */
  idleMs: number;
}

const MB = 1024 * 1024;
const BUSY_UTILISATION = 0.05;
const MIN_IDLE_MS = 30_000;

/** How long to be idle before a sample counts as settled: three idle-GC periods at least, so their collections come first. */
export function recycleIdleMs(idleGcSeconds: number): number {
  return Math.max(MIN_IDLE_MS, 3 * idleGcSeconds * 1000);
}

export type RecycleVerdict =
  | { kind: 'busy' | 'settling' | 'within' }
  /** The first settled sample: the process's baseline from now on. */
  | { kind: 'baseline'; baselineMb: number }
  | { kind: 'recycle'; baselineMb: number; rssMb: number };

/** Feeds on samples (every few seconds); says when an idle-long-enough worker has grown past its baseline. */
export class IdleRecycleDecision {
  private idleSince: number | undefined;
  private baselineBytes: number | undefined;

  /** `startRssBytes`: the process's RSS when its workers started polling (fresh, before any work). */
  constructor(
    private readonly policy: RecyclePolicy,
    private readonly startRssBytes?: number,
  ) {}

  get baselineMb(): number | undefined {
    return this.baselineBytes === undefined ? undefined : Math.round(this.baselineBytes / MB);
  }

  observe(s: RecycleSample, nowMs: number): RecycleVerdict {
    if (s.inFlight > 0 || s.utilisation >= BUSY_UTILISATION) {
      this.idleSince = undefined;
      return { kind: 'busy' };
    }
    this.idleSince ??= nowMs;
    if (nowMs - this.idleSince < this.policy.idleMs) return { kind: 'settling' };
    if (this.baselineBytes === undefined) {
      this.baselineBytes = Math.min(s.rssBytes, this.startRssBytes ?? Infinity);
      return { kind: 'baseline', baselineMb: Math.round(this.baselineBytes / MB) };
    }
    // A lower settled figure is as fresh as this process gets: growth is measured from there.
    this.baselineBytes = Math.min(this.baselineBytes, s.rssBytes);
    if (this.policy.growthMb > 0 && s.rssBytes - this.baselineBytes > this.policy.growthMb * MB) {
      return { kind: 'recycle', baselineMb: Math.round(this.baselineBytes / MB), rssMb: Math.round(s.rssBytes / MB) };
    }
    return { kind: 'within' };
  }
}
