/**
 * `opsLedgerShard`: one of OPS_LEDGER_SHARDS small workflows (IDs `ops-watch-ledger-<n>`) that receive onboardings'
 * KPI events and keep their day buckets; `opsWatch` reads them all at every tick. Each sees an eighth of the
 * events, so its history stays short enough to replay in a fraction of a second and to hand over between two
 * signals even under a steady stream. No activities: the only commands are a sweep timer and the hand-over.
 */
import { condition, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import { applyEvent, emptyLedger, pruneLedger, sweepSlaBreaches, type DayBucket, type KpiLedger } from './ops-watch-ledger';
import { kpiEventSignal, ledgerSettingsSignal, ledgerShardQuery } from './ops-watch-messages';

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
  carried?: { ledger: KpiLedger };
}

export interface LedgerShardState {
  shard: number;
  generatedAt: string;
  days: DayBucket[];
  openDeals: number;
  /** The run's history length: how close it is to handing over. */
  historyLength: number;
}

export const LEDGER_SHARD_MAX_HISTORY_EVENTS = 1_000;
/** Room for a catch-up task after a backlog (as ops-watch's). */
export const LEDGER_SHARD_TASK_TIMEOUT = '1 minute';

export async function opsLedgerShard(input: LedgerShardInput): Promise<void> {
  const ledger = input.carried?.ledger ?? emptyLedger();
  let settings = input.settings;

  setHandler(kpiEventSignal, (e) => applyEvent(ledger, e, settings.customerSlaMs, 'amortised'));
  setHandler(ledgerSettingsSignal, (s) => {
    settings = s;
  });
  setHandler(ledgerShardQuery, (): LedgerShardState => ({
    shard: input.shard,
    generatedAt: new Date().toISOString(),
    days: ledger.days,
    openDeals: Object.keys(ledger.open).length,
    historyLength: workflowInfo().historyLength,
  }));

  const historyFull = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (settings.maxHistoryEvents ?? LEDGER_SHARD_MAX_HISTORY_EVENTS);
  for (;;) {
    await condition(historyFull, settings.sweepMs);
    const now = new Date().toISOString();
    sweepSlaBreaches(ledger, now, settings.customerSlaMs);
    pruneLedger(ledger, now);
    if (historyFull()) {
      await makeContinueAsNewFunc<typeof opsLedgerShard>({ workflowTaskTimeout: LEDGER_SHARD_TASK_TIMEOUT })({ shard: input.shard, settings, carried: { ledger } });
    }
  }
}
