/** Pipedrive's burst limit: a fixed window per token (real: 2 s); the state behind the x-ratelimit-* headers. */
export interface BurstLimit {
  requests: number;
  windowMs: number;
}

export interface BurstDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export class BurstLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: BurstLimit) {}

  take(token: string, now = Date.now()): BurstDecision {
    let window = this.windows.get(token);
    if (!window || now - window.start >= this.limit.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(token, window);
    }
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.start + this.limit.windowMs - now) / 1000));
    return {
      allowed: window.count <= this.limit.requests,
      limit: this.limit.requests,
      remaining: Math.max(0, this.limit.requests - window.count),
      resetSeconds,
    };
  }
}
