/**
 * `opsLedgerShard`: one of OPS_LEDGER_SHARDS small workflows (IDs `ops-watch-ledger-<n>`) that receive onboardings'
 * KPI events and keep their day buckets; `opsWatch` reads them all at every tick. Each sees an eighth of the
 * events, so its history stays short enough to replay in a fraction of a second and to hand over between two
 * signals even under a steady stream. No activities: the only commands are a sweep timer and the hand-over.
 */
import { condition, makeContinueAsNewFunc, setHandler, workflowInfo } from '@temporalio/workflow';
import { firstSighting, pruneSeen } from '../model/kpi-dedup';
import { applyEvent, emptyLedger, pruneLedger, sweepSlaBreaches } from '../model/ledger';
import type { LedgerShardInput, LedgerShardState } from '../model/ledger-shard-state';
import { kpiEventSignal, LEDGER_SHARD_TASK_TIMEOUT, ledgerSettingsSignal, ledgerShardQuery } from '../messages';

export const LEDGER_SHARD_MAX_HISTORY_EVENTS = 1_000;

export async function opsLedgerShard(input: LedgerShardInput): Promise<void> {
  const ledger = input.carried?.ledger ?? emptyLedger();
  let settings = input.settings;
  const seen = input.carried?.seen ?? {};
  let duplicates = input.carried?.duplicates ?? 0;

  // An onboarding re-sends an event it could not confirm (workflows/kpi-delivery.ts): both copies may arrive.
  setHandler(kpiEventSignal, (e) => {
    if (firstSighting(seen, e, Date.now())) applyEvent(ledger, e, settings.customerSlaMs, 'amortised');
    else duplicates += 1;
  });
  setHandler(ledgerSettingsSignal, (s) => {
    settings = s;
  });
  setHandler(ledgerShardQuery, (): LedgerShardState => ({
    shard: input.shard,
    generatedAt: new Date().toISOString(),
    days: ledger.days,
    openDeals: Object.keys(ledger.open).length,
    historyLength: workflowInfo().historyLength,
    duplicates,
  }));

  const historyFull = (): boolean =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength > (settings.maxHistoryEvents ?? LEDGER_SHARD_MAX_HISTORY_EVENTS);
  for (;;) {
    await condition(historyFull, settings.sweepMs);
    const now = new Date().toISOString();
    sweepSlaBreaches(ledger, now, settings.customerSlaMs);
    pruneLedger(ledger, now);
    pruneSeen(seen, Date.parse(now));
    if (historyFull()) {
      await makeContinueAsNewFunc<typeof opsLedgerShard>({ workflowTaskTimeout: LEDGER_SHARD_TASK_TIMEOUT })({
        shard: input.shard,
        settings,
        carried: { ledger, seen, duplicates },
      });
    }
  }
}
