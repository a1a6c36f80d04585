/**
 * The health card's figures, computed once from `opsWatch`'s state (+ a fresh review queue) and shared by GET /ops,
 * GET /ops.json, /metrics and `cli report --week`, so all four always say the same thing. Pure.
 */
import {
  ALERT_TITLES,
  formatDuration,
  formatReading,
  kpiStatus,
  type AlertKind,
  type AlertState,
  type KpiReadings,
  type KpiStatus,
} from '../model/alerts';
import type { ReconciliationFacts, ReviewQueueFacts } from '../model/facts';
import { dayOf, type DayBucket } from '../model/ledger';
import type { OpsWatchState } from '../model/ops-watch-state';
import type { VendorOutage } from '../model/vendor-outages';

export interface TrendPoint {
  day: string;
  /** `null`: no data that day. */
  value: number | null;
}

export interface KpiTile {
  key: AlertKind | 'invoiceSuccess' | 'signedToCustomer' | 'signedToInvoice';
  title: string;
  value: number | null;
  display: string;
  /** Alert threshold; absent for informational tiles. */
  threshold?: number;
  thresholdDisplay?: string;
  status: KpiStatus | 'info';
  detail: string;
  trend: TrendPoint[];
}

export interface OpsView {
  generatedAt: string;
  /** Where the KPI figures came from; `unavailable` when ops-watch could not be asked (the card says why). */
  source: 'ops-watch' | 'unavailable';
  sourceError?: string;
  window: { from: string; to: string; days: number };
  readings?: KpiReadings;
  kpis: KpiTile[];
  week?: {
    received: number;
    newCustomers: number;
    linkedCustomers: number;
    slaBreaches: number;
    invoicesCreated: number;
    invoicesFound: number;
    invoiceFailures: number;
    completed: number;
    cancelled: number;
    reviews: Record<string, number>;
  };
  reviewQueue: ReviewQueueFacts;
  reconciliation?: ReconciliationFacts;
  alerts: AlertState[];
  /** Vendor outages going on or resolved (ops/model/vendor-outages.ts), and the onboardings waiting for a vendor. */
  vendorOutages: VendorOutage[];
  waitingForVendor?: { total: number; byVendor: Record<string, number> };
  lastTickAt?: string;
}

const TREND_DAYS = 7;

function lastDays(nowIso: string, n: number): string[] {
  const now = Date.parse(nowIso);
  return Array.from({ length: n }, (_, i) => dayOf(new Date(now - (n - 1 - i) * 86_400_000).toISOString()));
}

function trend(days: string[], buckets: DayBucket[], f: (b: DayBucket) => number | undefined): TrendPoint[] {
  return days.map((day) => {
    const b = buckets.find((x) => x.day === day);
    const v = b ? f(b) : undefined;
    return { day, value: v === undefined || Number.isNaN(v) ? null : v };
  });
}

const ratio = (num: number, den: number): number | undefined => (den > 0 ? num / den : undefined);
const pct = (v: number | undefined): string => (v === undefined ? 'no data' : `${(v * 100).toFixed(1)}%`);

export function buildOpsView(
  state: OpsWatchState | undefined,
  opts: { nowIso: string; reviewQueue?: ReviewQueueFacts; sourceError?: string },
): OpsView {
  const days = lastDays(opts.nowIso, TREND_DAYS);
  const reviewQueue = opts.reviewQueue ?? state?.facts?.reviewQueue ?? { size: 0, oldestAgeMs: 0, items: [] };
  const base = {
    generatedAt: opts.nowIso,
    window: { from: days[0]!, to: days[days.length - 1]!, days: TREND_DAYS },
    reviewQueue,
  };
  if (!state) {
    return {
      ...base,
      source: 'unavailable',
      sourceError: opts.sourceError ?? 'ops-watch is not running',
      kpis: [],
      alerts: [],
      vendorOutages: [],
    };
  }
  // A fresher queue (read by the caller just now) overrides the one ops-watch saw at its last tick.
  const readings: KpiReadings = {
    ...state.readings,
    reviewQueueSize: reviewQueue.size,
    reviewOldestAgeMs: reviewQueue.oldestAgeMs,
  };
  const t = state.settings.thresholds;
  const buckets = state.ledger.days;
  const w = state.week;
  const tile = (
    key: AlertKind,
    value: number | undefined,
    threshold: number,
    detail: string,
    points: TrendPoint[],
  ): KpiTile => ({
    key,
    title: ALERT_TITLES[key],
    value: value ?? null,
    display: formatReading(key, value),
    threshold,
    thresholdDisplay: formatReading(key, threshold),
    status: kpiStatus(value, threshold),
    detail,
    trend: points,
  });
  const invoicesOk = w.invoicesCreated + w.invoicesFound;
  const kpis: KpiTile[] = [
    tile(
      'duplicates',
      readings.duplicateRate,
      t.duplicateRate,
      `${readings.duplicateCustomers ?? 'no'} duplicate customer(s) in the last reconciliation · ${w.newCustomers} new this week`,
      trend(days, buckets, (b) =>
        b.duplicateCustomers === undefined
          ? undefined
          : b.duplicateCustomers === 0
            ? 0
            : b.duplicateCustomers / Math.max(1, w.newCustomers),
      ),
    ),
    tile(
      'slaBreaches',
      readings.slaBreachRate,
      t.slaBreachRate,
      `${w.slaBreaches} of ${w.received} deal(s) this week without a customer within ${formatDuration(state.settings.customerSlaMs)}`,
      trend(days, buckets, (b) => ratio(b.slaBreaches, b.received)),
    ),
    tile(
      'reconciliation',
      readings.mismatchRate,
      t.mismatchRate,
      state.facts?.reconciliation
        ? `${state.facts.reconciliation.counts.withProblems ?? 0} of ${state.facts.reconciliation.counts.compared ?? 0} record(s) with a problem`
        : 'no reconciliation yet',
      trend(days, buckets, (b) => b.mismatchRate),
    ),
    tile(
      'reviewAge',
      reviewQueue.size > 0 ? readings.reviewOldestAgeMs : 0,
      t.reviewAgeMs,
      `${reviewQueue.size} deal(s) waiting for review`,
      trend(days, buckets, (b) => b.reviewOldestAgeMs),
    ),
    {
      key: 'invoiceSuccess',
      title: 'Invoice success',
      value: readings.invoiceSuccessRate ?? null,
      display: pct(readings.invoiceSuccessRate),
      status: 'info',
      detail: `${invoicesOk} first invoice(s) this week, ${w.invoiceFailures} sent to review`,
      trend: trend(days, buckets, (b) =>
        ratio(b.invoicesCreated + b.invoicesFound, b.invoicesCreated + b.invoicesFound + b.invoiceFailures),
      ),
    },
    {
      key: 'signedToCustomer',
      title: 'Signed → customer',
      value: readings.signedToCustomerP50Ms ?? null,
      display:
        readings.signedToCustomerP50Ms === undefined
          ? 'no data'
          : `p50 ${formatDuration(readings.signedToCustomerP50Ms)}`,
      status: 'info',
      detail:
        readings.signedToCustomerP95Ms === undefined
          ? 'no customers this week'
          : `p95 ${formatDuration(readings.signedToCustomerP95Ms)} · ${w.toCustomer.count} customer(s)`,
      trend: trend(days, buckets, (b) => (b.toCustomer.count ? b.toCustomer.sumMs / b.toCustomer.count : undefined)),
    },
    {
      key: 'signedToInvoice',
      title: 'Signed → first invoice',
      value: readings.signedToInvoiceP50Ms ?? null,
      display:
        readings.signedToInvoiceP50Ms === undefined
          ? 'no data'
          : `p50 ${formatDuration(readings.signedToInvoiceP50Ms)}`,
      status: 'info',
      detail:
        readings.signedToInvoiceP95Ms === undefined
          ? 'no invoices this week'
          : `p95 ${formatDuration(readings.signedToInvoiceP95Ms)} · ${w.toInvoice.count} invoice(s)`,
      trend: trend(days, buckets, (b) => (b.toInvoice.count ? b.toInvoice.sumMs / b.toInvoice.count : undefined)),
    },
  ];
  const alerts = Object.values(state.alerts).filter((a) => a.open || a.resolvedAt);
  return {
    ...base,
    source: 'ops-watch',
    readings,
    kpis,
    week: {
      received: w.received,
      newCustomers: w.newCustomers,
      linkedCustomers: w.linkedCustomers,
      slaBreaches: w.slaBreaches,
      invoicesCreated: w.invoicesCreated,
      invoicesFound: w.invoicesFound,
      invoiceFailures: w.invoiceFailures,
      completed: w.completed,
      cancelled: w.cancelled,
      reviews: w.reviews,
    },
    ...(state.facts?.reconciliation ? { reconciliation: state.facts.reconciliation } : {}),
    alerts,
    vendorOutages: Object.values(state.outages ?? {}).filter(
      (o) => o.alerted || o.resolvedAt || Object.values(o.reporters).some((r) => r.open),
    ),
    ...(state.facts?.vendorWaits ? { waitingForVendor: state.facts.vendorWaits } : {}),
    ...(state.lastTickAt ? { lastTickAt: state.lastTickAt } : {}),
  };
}

/** One line per vendor outage, for the card and the CLI report. */
export function describeVendorOutage(o: VendorOutage): string {
  const down = Object.values(o.reporters).some((r) => r.open);
  if (down || o.alerted)
    return `${o.vendor} DOWN since ${o.since ?? '?'}: ${o.waiting} onboarding(s) waiting${o.alerted ? ' (incident open)' : ''}`;
  return `${o.vendor} back at ${o.resolvedAt ?? '?'} (down since ${o.since ?? '?'}): ${o.resumed ?? 0} onboarding(s) resumed, at most ${o.peakWaiting} waiting`;
}

/** Plain text for the CLI: the same figures as the card. */
export function formatOpsReport(v: OpsView): string {
  const lines = [`Onboarding health, ${v.window.from} → ${v.window.to} (generated ${v.generatedAt})`];
  if (v.source === 'unavailable') {
    lines.push(`KPIs unavailable: ${v.sourceError ?? 'ops-watch is not running'}`);
  }
  for (const k of v.kpis) {
    const mark =
      k.status === 'red' ? 'RED  ' : k.status === 'amber' ? 'AMBER' : k.status === 'green' ? 'ok   ' : '     ';
    const threshold = k.thresholdDisplay ? ` (threshold ${k.thresholdDisplay})` : '';
    const spark = k.trend.map((p) => (p.value === null ? '·' : p.value.toPrecision(2))).join(' ');
    lines.push(`  ${mark} ${k.title.padEnd(26)} ${k.display.padEnd(10)}${threshold}  ${k.detail}  [7d: ${spark}]`);
  }
  if (v.week) {
    const reviews =
      Object.entries(v.week.reviews)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ') || 'none';
    lines.push(
      `  Week: ${v.week.received} deal(s) received, ${v.week.newCustomers} new customer(s), ${v.week.completed} completed, ${v.week.cancelled} cancelled; reviews: ${reviews}`,
    );
  }
  lines.push(
    `Review queue: ${v.reviewQueue.size} deal(s)${v.reviewQueue.size ? `, oldest ${formatDuration(v.reviewQueue.oldestAgeMs)}` : ''}${v.reviewQueue.error ? ` (${v.reviewQueue.error})` : ''}`,
  );
  for (const i of v.reviewQueue.items.slice(0, 10)) {
    lines.push(
      `  ${i.externalId}  deal ${i.pipedriveDealId ?? '?'}  ${i.reason ?? i.reviewKind ?? ''}  ${i.owner ? `owner ${i.owner}  ` : ''}waiting ${formatDuration(i.ageMs)}`,
    );
  }
  const r = v.reconciliation;
  lines.push(
    r
      ? `Last reconciliation: ${r.generatedAt}, mismatch ${pct(r.mismatchRate)} (${r.counts.withProblems ?? 0}/${r.counts.compared ?? 0}), ${r.duplicateCustomers} duplicate customer(s)${r.reportPath ? `, report ${r.reportPath}` : ''}`
      : 'Last reconciliation: none yet',
  );
  for (const o of v.vendorOutages) lines.push(`Vendor outage: ${describeVendorOutage(o)}`);
  if (v.waitingForVendor) lines.push(`Waiting for a vendor (WAITING_FOR_VENDOR): ${v.waitingForVendor.total}`);
  const open = v.alerts.filter((a) => a.open);
  lines.push(
    open.length
      ? `Open alerts: ${open.map((a) => `${ALERT_TITLES[a.kind]} since ${a.since}`).join('; ')}`
      : 'Open alerts: none',
  );
  return `${lines.join('\n')}\n`;
}
