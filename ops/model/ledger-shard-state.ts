/** `opsLedgerShard`'s input and what its `ledgerShardState` query answers (ops/workflows/ops-ledger-shard.ts). */
import type { SeenEvents } from './kpi-dedup';
import type { DayBucket, KpiLedger } from './ledger';

export interface LedgerShardSettings {
  customerSlaMs: number;
  /** How often deals past the SLA without a customer are counted as breaches (ops-watch's tick). */
  sweepMs: number;
  /** A run hands over past this many history events (default 1,000): a replay after a cache miss stays short. */
  maxHistoryEvents?: number;
}

export interface LedgerShardInput {
  shard: number;
  settings: LedgerShardSettings;
  /** `seen` and `duplicates`: the re-sent events already applied, and how many copies were ignored (kpi-dedup.ts). */
  carried?: { ledger: KpiLedger; seen?: SeenEvents; duplicates?: number };
}

export interface LedgerShardState {
  shard: number;
  generatedAt: string;
  days: DayBucket[];
  openDeals: number;
  /** The run's history length: how close it is to handing over. */
  historyLength: number;
  /** Copies of events already applied, ignored since the shard started (an onboarding re-sent an unconfirmed one). */
  duplicates?: number;
}
