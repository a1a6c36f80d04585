/**
 * Business KPIs emitted from the workflow itself (DESIGN.md §1, the guide's health signals). The SDK's workflow
 * meter skips emission during replay, so a value is counted once per transaction however often it is replayed;
 * it reaches Prometheus through the worker's metrics endpoint, which the app's /metrics includes.
 */
import { metricMeter } from '@temporalio/workflow';

/** The guide's SLA: a customer within 5 minutes of the signature webhook. */
export const CUSTOMER_SLA_MS = 5 * 60_000;

/** Created on first use: the meter exists only inside a workflow's context, not when a caller imports this module. */
function meters() {
  return {
    toCustomer: metricMeter.createHistogram('onboarding_signed_to_customer_ms', 'int', 'ms', 'Webhook received → NetSuite customer created'),
    toInvoice: metricMeter.createHistogram('onboarding_signed_to_invoice_ms', 'int', 'ms', 'Webhook received → first invoice created'),
    outcomes: metricMeter.createCounter('onboarding_transactions', '1', 'Onboardings by outcome (completed, cancelled)'),
    reviews: metricMeter.createCounter('onboarding_reviews', '1', 'Entries into NEEDS_REVIEW, by kind'),
    slaBreaches: metricMeter.createCounter('onboarding_sla_breaches', '1', 'Customers not created within the SLA'),
    customers: metricMeter.createCounter('onboarding_customers', '1', 'Customers by how they were reached (upserted, linked)'),
    invoices: metricMeter.createCounter('onboarding_invoices', '1', 'First invoices by result (created, found_existing)'),
  };
}
let cached: ReturnType<typeof meters> | undefined;
const m = (): ReturnType<typeof meters> => (cached ??= meters());

export const kpis = {
  customerSynced(receivedAt: string, how: 'upserted' | 'linked'): void {
    const elapsed = Date.now() - Date.parse(receivedAt);
    m().toCustomer.record(Math.max(0, elapsed));
    m().customers.add(1, { how });
    if (elapsed > CUSTOMER_SLA_MS) m().slaBreaches.add(1);
  },
  invoiceCreated(receivedAt: string, created: boolean): void {
    m().toInvoice.record(Math.max(0, Date.now() - Date.parse(receivedAt)));
    m().invoices.add(1, { result: created ? 'created' : 'found_existing' });
  },
  review(kind: string): void {
    m().reviews.add(1, { kind });
  },
  finished(outcome: 'completed' | 'cancelled'): void {
    m().outcomes.add(1, { outcome });
  },
};
