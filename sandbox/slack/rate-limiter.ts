/**
 * One sliding 60-second window over all Web API calls (Slack limits per method tier and workspace; one shared
 * budget is enough to exercise a client's 429 handling). Retry-After is the whole seconds until a slot frees.
 */
const WINDOW_MS = 60_000;

export class RateLimiter {
  private hits: number[] = [];

  constructor(private limit: { requestsPerMinute: number } | undefined) {}

  configure(limit: { requestsPerMinute: number } | undefined): void {
    this.limit = limit;
    this.hits = [];
  }

  get current(): { requestsPerMinute: number } | undefined {
    return this.limit;
  }

  /** Records the call and returns undefined, or the Retry-After seconds when over the limit. */
  take(nowMs: number): number | undefined {
    if (!this.limit) return undefined;
    this.hits = this.hits.filter((t) => nowMs - t < WINDOW_MS);
    if (this.hits.length < this.limit.requestsPerMinute) {
      this.hits.push(nowMs);
      return undefined;
    }
    const oldest = this.hits[0] ?? nowMs;
    return Math.max(1, Math.ceil((oldest + WINDOW_MS - nowMs) / 1000));
  }
}
