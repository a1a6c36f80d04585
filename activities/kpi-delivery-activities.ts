/**
 * The local activity that hands an onboarding's KPI event to its ledger shard (workflows/kpi-delivery.ts): a signal
 * sent by the worker's Temporal client, confirmed when the call returns. Shards count an event's id once
 * (ops/model/kpi-dedup.ts), so a try repeated after a lost answer does no harm.
 */
import type { KpiEvent, KpiLedgerPort } from '../ops/model/ledger';

export function createKpiDeliveryActivities(ledger: KpiLedgerPort) {
  return {
    async deliverKpiEvent(receiver: string, event: KpiEvent): Promise<'delivered' | 'missing'> {
      return ledger.signal(receiver, event);
    },
  };
}

export type KpiDeliveryActivities = ReturnType<typeof createKpiDeliveryActivities>;
