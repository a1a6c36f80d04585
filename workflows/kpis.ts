/**
 * Business KPIs emitted from the workflow itself (docs/architecture.md#ops, the guide's health signals), two ways:
 * - the SDK's workflow meter (skips emission during replay, so counted once per transaction): per-process
 *   histograms and counters on the worker's metrics endpoint, which the app's /metrics includes;
 * - a signal to a KPI ledger shard (by external id; `ops-watch` itself before `patched('kpi-ledger-sharded')`),
 *   whose day buckets ops-watch sums into the week's rates that drive the alerts durably across restarts and
 *   replicas. Behind `patched('kpi-ledger')`: histories from before it replay unchanged. A missing or failing
 *   receiver never fails an onboarding. Behind `patched(KPI_DELIVERY_PATCH)` each event is confirmed or sent again
 *   (workflows/kpi-delivery.ts), and the run's close waits for that (`finished`, `handOver`). On onboardings with
 *   the third lean marker all three are implied (workflows/folded-patches.ts).
 */
import { getExternalWorkflowHandle, metricMeter, workflowInfo } from '@temporalio/workflow';
import type { OnboardingInput } from '../domain/transaction';
import type { KpiEvent } from '../ops/model/ledger';
import { kpiEventSignal, opsLedgerShardId, opsLedgerShardOf, OPS_WATCH_WORKFLOW_ID } from '../ops/messages';
import { hasPatch } from './folded-patches';
import { deliver, KPI_DELIVERY_PATCH, kpiEventId, settleDeliveries } from './kpi-delivery';

/** The guide's SLA: a customer within 5 minutes of the signature webhook. */
export const CUSTOMER_SLA_MS = 5 * 60_000;

/** Created on first use: the meter exists only inside a workflow's context, not when a caller imports this module. */
function meters() {
  return {
    toCustomer: metricMeter.createHistogram(
      'onboarding_signed_to_customer_ms',
      'int',
      'ms',
      'Webhook received → NetSuite customer created',
    ),
    toInvoice: metricMeter.createHistogram(
      'onboarding_signed_to_invoice_ms',
      'int',
      'ms',
      'Webhook received → first invoice created',
    ),
    outcomes: metricMeter.createCounter(
      'onboarding_transactions',
      '1',
      'Onboardings by outcome (completed, cancelled)',
    ),
    reviews: metricMeter.createCounter('onboarding_reviews', '1', 'Entries into NEEDS_REVIEW, by kind'),
    slaBreaches: metricMeter.createCounter('onboarding_sla_breaches', '1', 'Customers not created within the SLA'),
    customers: metricMeter.createCounter(
      'onboarding_customers',
      '1',
      'Customers by how they were reached (upserted, linked)',
    ),
    invoices: metricMeter.createCounter(
      'onboarding_invoices',
      '1',
      'First invoices by result (created, found_existing)',
    ),
  };
}
let cached: ReturnType<typeof meters> | undefined;
const m = (): ReturnType<typeof meters> => (cached ??= meters());

type EventBody<E> = E extends KpiEvent ? Omit<E, 'at' | 'externalId'> : never;

/**
 * One receiver for every onboarding's events hit Temporal's per-run limits under load (10,000 signals a run, no
 * hand-over while signals keep coming: KPI events lost at 3,000 parked, a stuck run at 10,000). A replayed event
 * keeps its recorded receiver (core does not compare a signal's target, so the gate is what keeps history honest);
 * an older run's events after the upgrade go to its shard. ops-watch adds its own counts to the shards', so every
 * event counts once either way; only such a straddling deal's late-SLA tracking is split.
 */
export const SHARDED_LEDGER_PATCH = 'kpi-ledger-sharded';

function toLedger(event: EventBody<KpiEvent>): void {
  if (!hasPatch('kpi-ledger')) return;
  const externalId = workflowInfo().workflowId;
  const full = { ...event, at: new Date().toISOString(), externalId } as KpiEvent;
  const sharded = hasPatch(SHARDED_LEDGER_PATCH);
  const receiver = sharded ? opsLedgerShardId(opsLedgerShardOf(externalId)) : OPS_WATCH_WORKFLOW_ID;
  if (sharded && hasPatch(KPI_DELIVERY_PATCH)) {
    // The id is unique within the deal (run, the task's place in history, kind): a re-sent copy keeps it.
    const { runId, historyLength } = workflowInfo();
    deliver(receiver, { ...full, id: kpiEventId(runId, historyLength, event.kind) });
    return;
  }
  getExternalWorkflowHandle(receiver)
    .signal(kpiEventSignal, full)
    .catch(() => undefined);
}

export const kpis = {
  /** Once per onboarding (not again after continue-as-new): the SLA-breach rate's denominator. */
  received(input: OnboardingInput): void {
    if (!input.carried) toLedger({ kind: 'received', receivedAt: input.receivedAt });
  },
  customerSynced(receivedAt: string, how: 'upserted' | 'linked'): void {
    toLedger({ kind: 'customer', receivedAt, how });
    const elapsed = Date.now() - Date.parse(receivedAt);
    m().toCustomer.record(Math.max(0, elapsed));
    m().customers.add(1, { how });
    if (elapsed > CUSTOMER_SLA_MS) m().slaBreaches.add(1);
  },
  invoiceCreated(receivedAt: string, created: boolean): void {
    m().toInvoice.record(Math.max(0, Date.now() - Date.parse(receivedAt)));
    m().invoices.add(1, { result: created ? 'created' : 'found_existing' });
    toLedger({ kind: 'invoice', receivedAt, created });
  },
  review(kind: string): void {
    m().reviews.add(1, { kind });
    toLedger({ kind: 'review', reviewKind: kind });
  },
  /** Right before the run closes: awaited, it holds the close until every event is confirmed (or given up). */
  async finished(outcome: 'completed' | 'cancelled'): Promise<void> {
    // No signal here: Temporal does not deliver a signal a workflow sends in the task that closes it. ops-watch
    // counts completions and cancellations from visibility instead.
    m().outcomes.add(1, { outcome });
    await settleDeliveries();
  },
  /** Right before continue-as-new: events not yet confirmed would be lost with the run. */
  handOver: settleDeliveries,
};
