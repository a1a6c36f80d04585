/**
 * `opsWatch`'s input, what it carries across continue-as-new and what its `opsState` query answers. Types and pure
 * helpers only: the workflow, its starter and the app's /ops read them without importing one another.
 */
import type { AlertStates, AlertThresholds, KpiReadings } from './alerts';
import type { OpsFacts } from './facts';
import type { LedgerShardSettings } from './ledger-shard-state';
import type { KpiLedger, WindowTotals } from './ledger';
import type { VendorOutages } from './vendor-outages';
import type { ReviewDigests } from './review-digest';

export interface OpsWatchSettings {
  /** Time between evaluations. */
  tickMs: number;
  /** A customer later than this after the signature webhook is an SLA breach (the guide: 5 min). */
  customerSlaMs: number;
  thresholds: AlertThresholds;
  /** A run hands over to a fresh one past this many history events (default 2000): queries stay quick. */
  maxHistoryEvents?: number;
  /** A review reason with at least this many onboardings in review gets a digest with "Retry all N"; absent: none. */
  reviewDigestMin?: number;
}

export interface OpsWatchCarried {
  ledger: KpiLedger;
  alerts: AlertStates;
  facts?: OpsFacts;
  /** Vendor outages by vendor: reporting workers, the incident, the waiting count (ops/model/vendor-outages.ts). */
  outages?: VendorOutages;
  /** Review digests posted, by reason (ops/activities/review-digest.ts). */
  digests?: ReviewDigests;
  /**
   * The last tick, handed to the next run (with the bounded-history patch) so it keeps the rhythm; left out when a
   * tick was asked for, so the next run ticks at once.
   */
  lastTickAt?: string;
}

export interface OpsWatchInput {
  settings: OpsWatchSettings;
  carried?: OpsWatchCarried;
}

/**
 * The `opsState` query's answer: the ledger (its day buckets with the shards' counts as last read added; its own open
 * deals) plus the figures computed from it.
 */
export interface OpsWatchState extends OpsWatchCarried {
  generatedAt: string;
  settings: OpsWatchSettings;
  week: WindowTotals;
  readings: KpiReadings;
  factsError?: string;
}

/** What the ledger shards need of ops-watch's settings: they sweep for SLA breaches at its tick. */
export function ledgerShardSettings(s: OpsWatchSettings): LedgerShardSettings {
  return { customerSlaMs: s.customerSlaMs, sweepMs: s.tickMs };
}

/** Time left of a tick interval that began at `lastTickAt`; undefined when there is none or it is over. */
export function untilNextTick(lastTickAt: string | undefined, tickMs: number, nowMs: number): number | undefined {
  if (!lastTickAt) return undefined;
  const elapsed = nowMs - Date.parse(lastTickAt);
  if (!(elapsed >= 0) || elapsed >= tickMs) return undefined;
  return Math.max(1, tickMs - elapsed);
}
