/** `opsWatch`'s fixed identity, signals and query, and its ledger shards': shared by the workflows, the onboardings that report to them and their readers. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { LedgerShardInput, LedgerShardSettings, LedgerShardState } from './model/ledger-shard-state';
import type { KpiEvent } from './model/ledger';
import type { OpsWatchInput, OpsWatchSettings, OpsWatchState } from './model/ops-watch-state';
import type { VendorHealthReport } from './model/vendor-outages';

/** One per namespace: alerts and the card's figures live here, whichever worker runs it. */
export const OPS_WATCH_WORKFLOW_ID = 'ops-watch';
export const OPS_WATCH_WORKFLOW_TYPE = 'opsWatch';
/** The workflow's signature, for callers that start it by type name without importing workflow code. */
export type OpsWatchWorkflow = (input: OpsWatchInput) => Promise<void>;

/**
 * Room for one catch-up task (a backlog of signals after the worker was busy elsewhere) to finish: with the default
 * 10 s, such a task timed out and was retried, each retry replaying more, 20 times in a row.
 */
export const OPS_WATCH_TASK_TIMEOUT = '1 minute';

export const kpiEventSignal = defineSignal<[KpiEvent]>('kpiEvent');
/** New settings from a worker that (re)started with other configuration. */
export const opsSettingsSignal = defineSignal<[OpsWatchSettings]>('opsSettings');
/** Evaluate now instead of at the next tick (an operator, or a test). */
export const opsTickSignal = defineSignal<[]>('opsTick');
export const opsStateQuery = defineQuery<OpsWatchState>('opsState');
/** A worker's circuit breaker for a vendor opened or closed (ops/model/vendor-outages.ts). */
export const vendorHealthSignal = defineSignal<[VendorHealthReport]>('vendorHealth');

/**
 * Onboardings report their KPI events to one of these shards (by their external id), not to ops-watch itself: one
 * run accepts at most 10,000 signals and cannot continue-as-new while signals keep coming, so a single receiver
 * caps the product at a few events a second sustained. ops-watch sums the shards' day buckets at every tick.
 * Fixed forever: changing it moves in-flight deals' later events to another shard.
 */
export const OPS_LEDGER_SHARDS = 8;
export const OPS_LEDGER_WORKFLOW_TYPE = 'opsLedgerShard';
export type OpsLedgerShardWorkflow = (input: LedgerShardInput) => Promise<void>;
/** Room for a catch-up task after a backlog (as ops-watch's). */
export const LEDGER_SHARD_TASK_TIMEOUT = '1 minute';
export const OPS_LEDGER_ID_PREFIX = 'ops-watch-ledger';
/** `ops-watch-ledger-<n>`; tests pass their own prefix to keep clear of the shards other tests' onboardings feed. */
export const opsLedgerShardId = (shard: number, prefix: string = OPS_LEDGER_ID_PREFIX): string => `${prefix}-${shard}`;

/** The shard an external id reports to: FNV-1a (32 bit) of the id, so every event of one deal lands in one ledger. */
export function opsLedgerShardOf(externalId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < externalId.length; i += 1) {
    h ^= externalId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % OPS_LEDGER_SHARDS;
}

export const ledgerSettingsSignal = defineSignal<[LedgerShardSettings]>('ledgerSettings');
export const ledgerShardQuery = defineQuery<LedgerShardState>('ledgerShardState');
