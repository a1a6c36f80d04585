/**
 * Paces this process's Pipedrive requests by the burst limit Pipedrive reports on every answer (x-ratelimit-limit /
 * -remaining / -reset, per token, over a 2 s window): requests wait here for room instead of going out, meeting
 * 429 and coming back as retries in a herd. Under P4's 7 deals/s, 8% of deals (157 of 2,000) went to review with
 * `retries_exhausted` on 429 "Request over limit" before this gate.
 * - Until an answer has said the limit, one request at a time.
 * - Then at most `share` of the limit in flight or answered within the last `windowMs`: others may use the same
 *   token. Counted from the answer, not the send: Pipedrive counts a request when it arrives, which is somewhere in
 *   between, so a window by send times let late arrivals share a server window with the next batch (429s in CI).
 * - An answer saying the window is spent (remaining 0, or a 429) pauses every request until its reset.
 */
import { clampRetryAfterMs, parseRetryAfter } from '../vendor-error';

export interface RateGateOptions {
  /** Pipedrive's burst window (documented: 2 s). */
  windowMs?: number;
  /** Of the reported limit, how much this process may use; default 0.8. */
  share?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RateAnswer {
  status?: number;
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets (x-ratelimit-reset), or Retry-After in ms on a 429. */
  resetSeconds?: number;
  retryAfterMs?: number;
}

export class PipedriveRateGate {
  private readonly windowMs: number;
  private readonly share: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** When each recent request was answered (oldest first). */
  private readonly answered: number[] = [];
  private inFlight = 0;
  private budget: number | undefined;
  private pausedUntil = 0;

  constructor(o: RateGateOptions = {}) {
    this.windowMs = o.windowMs ?? 2_000;
    this.share = o.share ?? 0.8;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Resolves when a request may go out; call `observe` with its answer. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.answered.length > 0 && this.answered[0]! <= now - this.windowMs) this.answered.shift();
      let wait = this.pausedUntil - now;
      if (this.budget === undefined) {
        if (this.inFlight > 0) wait = Math.max(wait, 50);
      } else if (this.inFlight + this.answered.length >= this.budget) {
        // Room comes when the oldest answer ages out, or (all in flight) when an answer arrives.
        wait = Math.max(wait, this.answered.length > 0 ? this.answered[0]! + this.windowMs - now : 50);
      }
      if (wait <= 0) {
        this.inFlight += 1;
        return;
      }
      await this.sleep(wait);
    }
  }

  observe(a: RateAnswer): void {
    const now = this.now();
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.answered.push(now);
    if (a.limit !== undefined && a.limit > 0) this.budget = Math.max(1, Math.floor(a.limit * this.share));
    const spent = a.status === 429 || a.remaining === 0;
    if (spent) {
      const resetMs = clampRetryAfterMs(
        Math.max(a.retryAfterMs ?? 0, (a.resetSeconds ?? 0) * 1000, a.status === 429 ? 1_000 : 0),
      );
      this.pausedUntil = Math.max(this.pausedUntil, now + resetMs);
    }
  }
}

/** The x-ratelimit-* headers and Retry-After (seconds or an HTTP date) of an answer. */
export function rateAnswerOf(status: number | undefined, headers: Record<string, unknown> | undefined): RateAnswer {
  const text = (name: string): string | undefined => {
    const v = headers?.[name];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const num = (name: string): number | undefined => {
    const n = Number(text(name) ?? Number.NaN);
    return Number.isFinite(n) ? n : undefined;
  };
  const answer: RateAnswer = {
    status,
    limit: num('x-ratelimit-limit'),
    remaining: num('x-ratelimit-remaining'),
    resetSeconds: num('x-ratelimit-reset'),
    retryAfterMs: parseRetryAfter(text('retry-after')),
  };
  return Object.fromEntries(Object.entries(answer).filter(([, v]) => v !== undefined)) as RateAnswer;
}
