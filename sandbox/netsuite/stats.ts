/** Counters exposed at GET /__sim/stats for tests and benchmarks. */
export interface StatsSnapshot {
  requests: Record<string, number>;
  total: number;
  throttled: number;
  injectedErrors: number;
  injectedTimeouts: number;
  injectedDrops: number;
  authFailures: number;
  asyncJobs: { submitted: number; succeeded: number; failed: number };
  inFlight: number;
  peakConcurrency: number;
  concurrencyLimit: number;
}

export class SimStats {
  private requests = new Map<string, number>();
  total = 0;
  throttled = 0;
  injectedErrors = 0;
  injectedTimeouts = 0;
  injectedDrops = 0;
  authFailures = 0;
  asyncJobs = { submitted: 0, succeeded: 0, failed: 0 };

  /** Keyed "METHOD route status", route with ids replaced by {id} so the map stays small. */
  count(method: string, route: string, status: number | 'dropped'): void {
    const key = `${method} ${route} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.total += 1;
  }

  reset(): void {
    this.requests.clear();
    this.total = 0;
    this.throttled = 0;
    this.injectedErrors = 0;
    this.injectedTimeouts = 0;
    this.injectedDrops = 0;
    this.authFailures = 0;
    this.asyncJobs = { submitted: 0, succeeded: 0, failed: 0 };
  }

  snapshot(gate: { inFlight: number; peak: number; limit: number }): StatsSnapshot {
    return {
      requests: Object.fromEntries(this.requests),
      total: this.total,
      throttled: this.throttled,
      injectedErrors: this.injectedErrors,
      injectedTimeouts: this.injectedTimeouts,
      injectedDrops: this.injectedDrops,
      authFailures: this.authFailures,
      asyncJobs: { ...this.asyncJobs },
      inFlight: gate.inFlight,
      peakConcurrency: gate.peak,
      concurrencyLimit: gate.limit,
    };
  }
}
