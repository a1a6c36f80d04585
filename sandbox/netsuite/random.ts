/** Seedable randomness for fault injection, so a test or benchmark can replay the same faults. */
import type { LatencyDistribution } from './types';

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for choosing faults. */
export function createRng(seed: number | null): Rng {
  if (seed === null) return Math.random;
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const Z_99 = 2.3263478740408408;

export function sampleLatencyMs(distribution: LatencyDistribution | null, rng: Rng): number {
  if (!distribution) return 0;
  if ('minMs' in distribution) {
    return Math.max(0, distribution.minMs + rng() * (distribution.maxMs - distribution.minMs));
  }
  const mu = Math.log(Math.max(distribution.medianMs, 0.001));
  const sigma = Math.max(0, (Math.log(Math.max(distribution.p99Ms, distribution.medianMs, 0.001)) - mu) / Z_99);
  // Box-Muller; 1 - u keeps log() away from 0.
  const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return Math.exp(mu + sigma * normal);
}
