/**
 * A ledger shard applies each KPI event once. An onboarding re-sends an event whose delivery it could not confirm
 * (workflows/kpi-delivery.ts): Temporal may have dropped the first signal (R7, docs/proof.md), or only its answer may
 * be late, so both copies can arrive. Events carry an `id`, unique within their deal; the shard remembers the ids it
 * applied recently and ignores a repeat. Events without an id (from runs before the confirmed delivery) are applied
 * as they come, as before. Pure: the workflow passes its time in.
 */
import type { KpiEvent } from './ledger';

/** Hashes of the applied events' deal and id → when applied (ms). Carried across the shard's hand-overs. */
export type SeenEvents = Record<string, number>;

/**
 * A re-send follows its original within minutes (an onboarding gives up after KPI_MAX_ATTEMPTS tries, the longest
 * wait 5 min), so an hour's memory catches every copy; the cap bounds the carried state under a flood.
 */
export const DEDUP_WINDOW_MS = 60 * 60_000;
export const MAX_SEEN = 5_000;

/**
 * cyrb53: a 53-bit string hash (public domain). Short keys keep the carried state small; at 5,000 keys the chance that
 * two different events share one is about 1 in 10^9, and such a pair would only lose one count.
 */
function hash53(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export const seenKey = (e: KpiEvent): string | undefined =>
  e.id === undefined ? undefined : hash53(`${e.externalId}|${e.id}`);

/** True (and remembered) the first time an event is seen; false for a copy of one already applied. */
export function firstSighting(seen: SeenEvents, e: KpiEvent, nowMs: number): boolean {
  const key = seenKey(e);
  if (key === undefined) return true;
  if (seen[key] !== undefined) return false;
  seen[key] = nowMs;
  return true;
}

/** Forgets what is older than the window, and the oldest beyond the cap. */
export function pruneSeen(seen: SeenEvents, nowMs: number): void {
  const cutoff = nowMs - DEDUP_WINDOW_MS;
  for (const [key, at] of Object.entries(seen)) if (at < cutoff) delete seen[key];
  const keys = Object.keys(seen);
  if (keys.length <= MAX_SEEN) return;
  keys.sort((a, b) => seen[a]! - seen[b]!);
  for (const key of keys.slice(0, keys.length - MAX_SEEN)) delete seen[key];
}
