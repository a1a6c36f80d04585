/**
 * Delivers a KPI event to a ledger shard by a client signal (the port in ops/model/ledger.ts): the
 * frontend answers once the signal is in the shard's history, so success is confirmation.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { KpiLedgerPort } from '../model/ledger';
import { kpiEventSignal } from '../messages';

export function clientKpiLedger(client: Client): KpiLedgerPort {
  return {
    async signal(receiver, event) {
      try {
        await client.workflow.getHandle(receiver).signal(kpiEventSignal, event);
        return 'delivered';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'missing';
        throw err;
      }
    },
  };
}
