/**
 * Per-vendor circuit breakers, one set per worker process and shared by every activity it runs, so an outage is
 * recognised once instead of being rediscovered by every deal (docs/architecture.md, "Vendor outages").
 *
 * - closed: calls go through; their outcomes fill a rolling window. Transient failures (5xx, 429, timeouts, resets)
 *   count against the vendor; any other answer (even a 400) proves it is up. When the window looks bad (several
 *   failures in a row, or most calls failing) one small health call is made. Only a failing health call opens the
 *   breaker: a persistent error on one deal, with the vendor answering everyone else, never does, so that deal still
 *   burns its bounded retries and goes to review.
 * - open: every call fails at once with VendorDownError (the activity layer turns it into a non-retryable VENDOR_DOWN,
 *   the workflow parks in WAITING_FOR_VENDOR). After a pause (backing off) the breaker goes half-open:
 * - half-open: the health call runs once; success closes the breaker, failure opens it again.
 * Free of Temporal: the worker wires the transitions to ops-watch (workers/activity-dependencies.ts).
 */
import { VendorError, type Vendor } from './vendor-error';

export const VENDORS: readonly Vendor[] = ['netsuite', 'pipedrive', 'slack'];

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Thrown instead of calling a vendor whose breaker is open. */
export class VendorDownError extends Error {
  override readonly name = 'VendorDownError';
  constructor(
    readonly vendor: Vendor,
    /** When the breaker opened (ISO). */
    readonly since: string,
  ) {
    super(`${vendor} is down (circuit open since ${since}): not called`);
  }
}

export interface BreakerTransition {
  vendor: Vendor;
  state: 'open' | 'closed';
  /** When the breaker opened (for `closed`: the outage that just ended). */
  since: string;
  at: string;
  /** The health call's failure that opened it, first line. */
  reason?: string;
}

export interface BreakerOptions {
  /** The small health call made while suspicious, and while open (half-open). Resolves when the vendor answers. */
  probe: () => Promise<unknown>;
  /** Rolling window of outcomes (default 30 s). */
  windowMs?: number;
  /** Transient failures in a row (any call) that make the breaker suspicious (default 5). */
  consecutiveFailures?: number;
  /** Or: at least this many failures in the window (default 10) … */
  minFailures?: number;
  /** … making up at least this share of its calls (default 0.5). */
  failureRatio?: number;
  /** At most one suspicion probe per this long while closed (default 10 s). */
  minProbeGapMs?: number;
  /** First wait before a half-open probe (default 5 s), doubling to `maxProbeIntervalMs` (default 30 s). */
  probeIntervalMs?: number;
  maxProbeIntervalMs?: number;
  /** A health call slower than this counts as failed (default 10 s). */
  probeTimeoutMs?: number;
  onTransition?: (t: BreakerTransition) => void;
  now?: () => number;
}

/** One vendor's breaker. */
export class VendorBreaker {
  private current: BreakerState = 'closed';
  private openedAt: number | undefined;
  private outcomes: Array<{ at: number; ok: boolean; key?: string }> = [];
  private inARow = 0;
  private probing = false;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private nextProbeMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly o: Required<Omit<BreakerOptions, 'onTransition'>> & Pick<BreakerOptions, 'onTransition'>;

  constructor(
    readonly vendor: Vendor,
    opts: BreakerOptions,
  ) {
    this.o = {
      windowMs: 30_000,
      consecutiveFailures: 5,
      minFailures: 10,
      failureRatio: 0.5,
      minProbeGapMs: 10_000,
      probeIntervalMs: 5_000,
      maxProbeIntervalMs: 30_000,
      probeTimeoutMs: 10_000,
      now: Date.now,
      ...opts,
    };
    this.nextProbeMs = this.o.probeIntervalMs;
  }

  get state(): BreakerState {
    return this.current;
  }

  /** When the current outage began; undefined while closed. */
  get openSince(): string | undefined {
    return this.openedAt === undefined || this.current === 'closed' ? undefined : new Date(this.openedAt).toISOString();
  }

  /** Throws VendorDownError unless the vendor may be called. */
  check(): void {
    if (this.current !== 'closed') throw new VendorDownError(this.vendor, this.openSince!);
  }

  /**
   * A call's outcome: `error` undefined for a success. Only transient vendor failures count against the vendor.
   * `key` names who called (the worker passes the workflow id), for `degraded`.
   */
  record(error?: unknown, key?: string): void {
    const failed = error instanceof VendorError ? error.kind === 'transient' : false;
    // Anything else (a bug, a parse error of ours) says nothing about the vendor's health.
    if (error !== undefined && !(error instanceof VendorError)) return;
    const now = this.o.now();
    this.outcomes.push({ at: now, ok: !failed, ...(key !== undefined ? { key } : {}) });
    this.inARow = failed ? this.inARow + 1 : 0;
    if (
      failed &&
      this.current === 'closed' &&
      this.suspicious(now) &&
      !this.probing &&
      now - this.lastProbeAt >= this.o.minProbeGapMs
    )
      void this.probe();
  }

  /**
   * Up, but failing many callers' calls (R3's 20% 5xx, 429 bursts, hung answers): at least `minFailures / 2`
   * transient failures in the window, a tenth of its calls or more, met by at least three different callers. A deal
   * whose own call keeps failing while the others' succeed is not enough: that is its own problem, for review.
   */
  degraded(): boolean {
    const now = this.o.now();
    while (this.outcomes.length > 0 && this.outcomes[0]!.at <= now - this.o.windowMs) this.outcomes.shift();
    const failures = this.outcomes.filter((x) => !x.ok);
    const callers = new Set(failures.map((x) => x.key).filter((k) => k !== undefined));
    return (
      failures.length >= this.o.minFailures / 2 && failures.length / this.outcomes.length >= 0.1 && callers.size >= 3
    );
  }

  /** Stops the half-open timer (worker shutdown, tests). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private suspicious(now: number): boolean {
    while (this.outcomes.length > 0 && this.outcomes[0]!.at <= now - this.o.windowMs) this.outcomes.shift();
    if (this.inARow >= this.o.consecutiveFailures) return true;
    const failures = this.outcomes.filter((x) => !x.ok).length;
    return failures >= this.o.minFailures && failures / this.outcomes.length >= this.o.failureRatio;
  }

  private async probe(): Promise<void> {
    this.probing = true;
    this.lastProbeAt = this.o.now();
    let failure: string | undefined;
    try {
      await withTimeout(this.o.probe(), this.o.probeTimeoutMs);
    } catch (err) {
      failure = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : String(err).slice(0, 200);
      // A vendor that answers with a refusal (400, 401, 404) or a throttle (429: a burst window, which the calls'
      // own Retry-After handles) is up; only 5xx, timeouts, resets or silence say down.
      if (err instanceof VendorError && (err.kind !== 'transient' || err.extra.status === 429)) failure = undefined;
    } finally {
      this.probing = false;
    }
    const now = this.o.now();
    if (failure === undefined) {
      this.inARow = 0;
      // The window is kept: up but failing many callers is `degraded`, which the last attempts still need to see.
      if (this.current !== 'closed') this.outcomes = [];
      if (this.current !== 'closed') {
        const since = this.openSince!;
        this.current = 'closed';
        this.nextProbeMs = this.o.probeIntervalMs;
        this.o.onTransition?.({ vendor: this.vendor, state: 'closed', since, at: new Date(now).toISOString() });
        this.openedAt = undefined;
      }
      return;
    }
    if (this.current === 'closed') {
      this.openedAt = now;
      this.current = 'open';
      this.o.onTransition?.({
        vendor: this.vendor,
        state: 'open',
        since: this.openSince!,
        at: new Date(now).toISOString(),
        reason: failure,
      });
    } else {
      this.current = 'open';
    }
    const wait = this.nextProbeMs;
    this.nextProbeMs = Math.min(this.o.maxProbeIntervalMs, this.nextProbeMs * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.current = 'half-open';
      void this.probe();
    }, wait);
    this.timer.unref?.();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      t.unref?.();
    }),
  ]).finally(() => clearTimeout(t));
}

/**
 * The port with every method behind the breaker: refused at once while open, its outcome recorded otherwise. Calls a
 * method makes on its own object (`this.x()`) go to the unwrapped client, so one port call counts once.
 */
export function guarded<T extends object>(port: T, breaker: VendorBreaker, keyOf?: () => string | undefined): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      return (...args: unknown[]): unknown => {
        try {
          breaker.check();
        } catch (err) {
          // The ports are async: a refusal arrives the way their failures do, as a rejected promise.
          return Promise.reject(err);
        }
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          breaker.record(err);
          throw err;
        }
        if (!(result instanceof Promise)) return result;
        const key = keyOf?.();
        return result.then(
          (v) => {
            breaker.record(undefined, key);
            return v;
          },
          (err: unknown) => {
            breaker.record(err, key);
            throw err;
          },
        );
      };
    },
  });
}

/** The worker's breakers, one per vendor, for what the worker reports (ops-watch, logs). */
export type VendorHealth = Record<Vendor, VendorBreaker>;

/**
 * The process's breakers, once the worker has wired them, for the activity layer's last-attempt check
 * (activities/to-activity-failure.ts). One per process by design: every activity of the worker shares them.
 */
let processHealth: VendorHealth | undefined;
export function setProcessVendorHealth(h: VendorHealth | undefined): void {
  processHealth = h;
}
export function processVendorHealth(): VendorHealth | undefined {
  return processHealth;
}

export function createVendorHealth(
  probes: Record<Vendor, () => Promise<unknown>>,
  opts: Omit<BreakerOptions, 'probe'> = {},
): VendorHealth {
  return Object.fromEntries(
    VENDORS.map((v) => [v, new VendorBreaker(v, { ...opts, probe: probes[v] })]),
  ) as VendorHealth;
}
