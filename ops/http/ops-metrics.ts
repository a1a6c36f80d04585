/**
 * The health card's figures as Prometheus gauges on the app's registry, filled at scrape time from the same cached
 * view as /ops (a scrape costs at most one ops-watch query every few seconds). A figure without data is left out,
 * not reported as 0, so an alert rule never mistakes "no reconciliation yet" for "0% mismatches".
 */
import { Gauge, type Registry } from 'prom-client';
import { ALERT_KINDS } from '../model/alerts';
import type { OpsView } from './ops-card-view';

const GAUGES = {
  reviewQueueSize: ['onboarding_review_queue_size', 'Onboardings waiting in NEEDS_REVIEW'],
  reviewOldestAge: ['onboarding_review_oldest_age_seconds', 'Age of the oldest unanswered review'],
  mismatchRate: [
    'onboarding_reconciliation_mismatch_rate',
    'The last reconciliation: records with a problem / records compared',
  ],
  duplicateRate: [
    'onboarding_duplicate_customer_rate',
    "Duplicate customers (last reconciliation) / the week's new customers",
  ],
  slaBreachRate: ['onboarding_sla_breach_rate', "Customers not created within the SLA / the week's deals received"],
  invoiceSuccessRate: ['onboarding_invoice_success_rate', 'First invoices created / attempted, this week'],
} as const;

export function registerOpsGauges(registry: Registry, view: () => Promise<OpsView>): void {
  if (registry.getSingleMetric(GAUGES.reviewQueueSize[0])) return;
  // One read per scrape, shared by every gauge's collect().
  let pending: { at: number; view: Promise<OpsView | undefined> } | undefined;
  const current = (): Promise<OpsView | undefined> => {
    if (!pending || Date.now() - pending.at > 1_000) pending = { at: Date.now(), view: view().catch(() => undefined) };
    return pending.view;
  };
  const gauge = (key: keyof typeof GAUGES, pick: (v: OpsView) => number | undefined): void => {
    const [name, help] = GAUGES[key];
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        const v = await current();
        const value = v ? pick(v) : undefined;
        if (value !== undefined && Number.isFinite(value)) this.set(value);
      },
    });
  };
  gauge('reviewQueueSize', (v) => (v.reviewQueue.error ? undefined : v.reviewQueue.size));
  gauge('reviewOldestAge', (v) => (v.reviewQueue.error ? undefined : v.reviewQueue.oldestAgeMs / 1000));
  gauge('mismatchRate', (v) => v.readings?.mismatchRate);
  gauge('duplicateRate', (v) => v.readings?.duplicateRate);
  gauge('slaBreachRate', (v) => v.readings?.slaBreachRate);
  gauge('invoiceSuccessRate', (v) => v.readings?.invoiceSuccessRate);
  new Gauge({
    name: 'onboarding_ops_alert_open',
    help: 'Health alerts currently open (1) by kind, as ops-watch sees them',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const v = await current();
      if (!v || v.source !== 'ops-watch') return;
      for (const kind of ALERT_KINDS) this.set({ kind }, v.alerts.some((a) => a.kind === kind && a.open) ? 1 : 0);
    },
  });
}
