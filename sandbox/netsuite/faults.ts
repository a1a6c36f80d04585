/** Fault injection: decides, per request, the added latency and whether to throttle, fail or hang. */
import { createRng, sampleLatencyMs, type Rng } from './random';
import type { FaultConfig, FaultPatch } from './types';

export const NO_FAULTS: FaultConfig = {
  latency: null,
  errorRate: 0,
  errorStatuses: [500, 503],
  timeoutRate: 0,
  timeoutMs: 30_000,
  dropAfterHandlingRate: 0,
  throttleNext: 0,
  throttleUntil: null,
  asyncJobFailureRate: 0,
  retryAfterSeconds: null,
  seed: null,
};

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'throttle' }
  | { kind: 'error'; status: number }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'dropAfterHandling' };

export interface FaultDecision {
  latencyMs: number;
  action: FaultAction;
}

export class FaultInjector {
  private config: FaultConfig;
  private rng: Rng;

  constructor(private readonly initial: FaultPatch = {}) {
    this.config = applyPatch(NO_FAULTS, initial);
    this.rng = createRng(this.config.seed);
  }

  current(): FaultConfig {
    return { ...this.config, errorStatuses: [...this.config.errorStatuses] };
  }

  update(patch: FaultPatch): FaultConfig {
    this.config = applyPatch(this.config, patch);
    if (patch.seed !== undefined) this.rng = createRng(this.config.seed);
    return this.current();
  }

  reset(): FaultConfig {
    this.config = applyPatch(NO_FAULTS, this.initial);
    this.rng = createRng(this.config.seed);
    return this.current();
  }

  /** Throttling is decided before latency so a throttled request is refused at once, as NetSuite does. */
  decide(now: number = Date.now()): FaultDecision {
    if (this.config.throttleNext > 0) {
      this.config.throttleNext -= 1;
      return { latencyMs: 0, action: { kind: 'throttle' } };
    }
    if (this.config.throttleUntil !== null && now < this.config.throttleUntil)
      return { latencyMs: 0, action: { kind: 'throttle' } };
    const latencyMs = sampleLatencyMs(this.config.latency, this.rng);
    const roll = this.rng();
    if (roll < this.config.timeoutRate)
      return { latencyMs, action: { kind: 'timeout', afterMs: this.config.timeoutMs } };
    if (roll < this.config.timeoutRate + this.config.errorRate) {
      const statuses = this.config.errorStatuses.length > 0 ? this.config.errorStatuses : [500];
      const status = statuses[Math.floor(this.rng() * statuses.length)] ?? 500;
      return { latencyMs, action: { kind: 'error', status } };
    }
    if (roll < this.config.timeoutRate + this.config.errorRate + this.config.dropAfterHandlingRate) {
      return { latencyMs, action: { kind: 'dropAfterHandling' } };
    }
    return { latencyMs, action: { kind: 'none' } };
  }

  retryAfterHeader(status: number): Record<string, string> {
    const seconds = this.config.retryAfterSeconds;
    return seconds !== null && (status === 429 || status === 503) ? { 'Retry-After': String(seconds) } : {};
  }

  asyncJobShouldFail(): boolean {
    return this.rng() < this.config.asyncJobFailureRate;
  }
}

function rate(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : fallback;
}

function nonNegative(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function applyPatch(base: FaultConfig, patch: FaultPatch): FaultConfig {
  const next: FaultConfig = { ...base, errorStatuses: [...base.errorStatuses] };
  if (patch.latency !== undefined) next.latency = patch.latency;
  next.errorRate = rate(patch.errorRate, base.errorRate);
  if (Array.isArray(patch.errorStatuses))
    next.errorStatuses = patch.errorStatuses.filter((s) => Number.isInteger(s) && s >= 500 && s <= 599);
  next.timeoutRate = rate(patch.timeoutRate, base.timeoutRate);
  next.timeoutMs = nonNegative(patch.timeoutMs, base.timeoutMs);
  next.dropAfterHandlingRate = rate(patch.dropAfterHandlingRate, base.dropAfterHandlingRate);
  next.throttleNext = Math.floor(nonNegative(patch.throttleNext, base.throttleNext));
  if (patch.throttleUntil !== undefined) next.throttleUntil = patch.throttleUntil;
  if (typeof patch.throttleForMs === 'number') next.throttleUntil = Date.now() + patch.throttleForMs;
  next.asyncJobFailureRate = rate(patch.asyncJobFailureRate, base.asyncJobFailureRate);
  if (patch.retryAfterSeconds !== undefined) next.retryAfterSeconds = patch.retryAfterSeconds;
  if (patch.seed !== undefined) next.seed = patch.seed;
  return next;
}
