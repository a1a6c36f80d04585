/**
 * The guide's four health signals against their thresholds, and the alert state that makes each breach page once:
 * a breach opens an alert (one `trigger`, dedup key = kind + breach start), it stays open without repeating while
 * the breach lasts, and one `resolve` with the same key closes it when the reading is back within the threshold.
 * Pure: the workflow passes readings and the time in, unit tests call it directly.
 */
import type { OpsFacts } from './facts';
import { quantileMs, type WindowTotals } from './ledger';

export const ALERT_KINDS = ['duplicates', 'slaBreaches', 'reconciliation', 'reviewAge'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertThresholds {
  /** Duplicate customers over the week's new customers (the guide: 0.5%). */
  duplicateRate: number;
  /** Customers not created within the SLA over the week's deals received (the guide: 5%). */
  slaBreachRate: number;
  /** The last reconciliation's mismatch rate (the guide: 2%). */
  mismatchRate: number;
  /** Age of the oldest unanswered review (the guide: 24 h). */
  reviewAgeMs: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  duplicateRate: 0.005,
  slaBreachRate: 0.05,
  mismatchRate: 0.02,
  reviewAgeMs: 24 * 3_600_000,
};

/** The figures the card, the CLI report, /metrics and the alerts read. `undefined`: no data yet. */
export interface KpiReadings {
  duplicateRate?: number;
  duplicateCustomers?: number;
  slaBreachRate?: number;
  mismatchRate?: number;
  reviewQueueSize: number;
  reviewOldestAgeMs: number;
  invoiceSuccessRate?: number;
  newCustomers: number;
  received: number;
  signedToCustomerP50Ms?: number;
  signedToCustomerP95Ms?: number;
  signedToInvoiceP50Ms?: number;
  signedToInvoiceP95Ms?: number;
}

const rate = (num: number, den: number): number | undefined => (den > 0 ? num / den : undefined);

export function kpiReadings(week: WindowTotals, facts: OpsFacts | undefined): KpiReadings {
  const duplicateCustomers = facts?.reconciliation?.duplicateCustomers;
  const invoicesOk = week.invoicesCreated + week.invoicesFound;
  return {
    // Duplicates found by the last reconciliation over the week's new customers; with none new, any duplicate is 100%.
    duplicateRate:
      duplicateCustomers === undefined
        ? undefined
        : duplicateCustomers === 0
          ? 0
          : duplicateCustomers / Math.max(1, week.newCustomers),
    ...(duplicateCustomers === undefined ? {} : { duplicateCustomers }),
    slaBreachRate: rate(week.slaBreaches, week.received),
    mismatchRate: facts?.reconciliation?.mismatchRate,
    reviewQueueSize: facts?.reviewQueue.size ?? 0,
    reviewOldestAgeMs: facts?.reviewQueue.oldestAgeMs ?? 0,
    invoiceSuccessRate: rate(invoicesOk, invoicesOk + week.invoiceFailures),
    newCustomers: week.newCustomers,
    received: week.received,
    signedToCustomerP50Ms: quantileMs(week.toCustomer, 0.5),
    signedToCustomerP95Ms: quantileMs(week.toCustomer, 0.95),
    signedToInvoiceP50Ms: quantileMs(week.toInvoice, 0.5),
    signedToInvoiceP95Ms: quantileMs(week.toInvoice, 0.95),
  };
}

export function readingFor(kind: AlertKind, r: KpiReadings): number | undefined {
  switch (kind) {
    case 'duplicates':
      return r.duplicateRate;
    case 'slaBreaches':
      return r.slaBreachRate;
    case 'reconciliation':
      return r.mismatchRate;
    case 'reviewAge':
      return r.reviewOldestAgeMs;
  }
}

export function thresholdFor(kind: AlertKind, t: AlertThresholds): number {
  switch (kind) {
    case 'duplicates':
      return t.duplicateRate;
    case 'slaBreaches':
      return t.slaBreachRate;
    case 'reconciliation':
      return t.mismatchRate;
    case 'reviewAge':
      return t.reviewAgeMs;
  }
}

export type KpiStatus = 'green' | 'amber' | 'red' | 'unknown';

/** Red above the threshold, amber above half of it, green otherwise. */
export function kpiStatus(value: number | undefined, threshold: number): KpiStatus {
  if (value === undefined || Number.isNaN(value)) return 'unknown';
  if (value > threshold) return 'red';
  if (value > threshold / 2) return 'amber';
  return 'green';
}

export interface AlertState {
  kind: AlertKind;
  open: boolean;
  /** When the current (or last) breach began: part of its dedup key. */
  since?: string;
  dedupKey?: string;
  value?: number;
  threshold: number;
  resolvedAt?: string;
  /** How telling people went for the last trigger/resolve (`sent`, `skipped: …` or `failed: …`), per channel. */
  deliveries?: Record<string, string>;
}

export type AlertStates = Record<AlertKind, AlertState>;

export interface AlertAction {
  action: 'trigger' | 'resolve';
  kind: AlertKind;
  dedupKey: string;
  value?: number;
  threshold: number;
  summary: string;
  at: string;
}

export const ALERT_TITLES: Record<AlertKind, string> = {
  duplicates: 'Duplicate customers',
  slaBreaches: 'Customer SLA breaches',
  reconciliation: 'Reconciliation mismatches',
  reviewAge: 'Review queue age',
};

export function formatReading(kind: AlertKind, v: number | undefined): string {
  if (v === undefined) return 'no data';
  if (kind === 'reviewAge') return formatDuration(v);
  return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

function summaryFor(
  kind: AlertKind,
  value: number | undefined,
  threshold: number,
  action: 'trigger' | 'resolve',
): string {
  const what = `${ALERT_TITLES[kind]}: ${formatReading(kind, value)} (threshold ${formatReading(kind, threshold)})`;
  return action === 'trigger' ? `Onboarding health: ${what}` : `Resolved — ${what}`;
}

export function initialAlertStates(t: AlertThresholds): AlertStates {
  return Object.fromEntries(
    ALERT_KINDS.map((k) => [k, { kind: k, open: false, threshold: thresholdFor(k, t) }]),
  ) as AlertStates;
}

/**
 * One evaluation: returns the next states and what to send. A reading that is missing (no data yet) changes
 * nothing, so a restart or an empty day neither opens nor closes an alert.
 */
export function evaluateAlerts(
  prev: AlertStates,
  readings: KpiReadings,
  t: AlertThresholds,
  nowIso: string,
): { alerts: AlertStates; actions: AlertAction[] } {
  const alerts = { ...prev };
  const actions: AlertAction[] = [];
  for (const kind of ALERT_KINDS) {
    const threshold = thresholdFor(kind, t);
    const state: AlertState = { ...(prev[kind] ?? { kind, open: false }), threshold };
    const value = readingFor(kind, readings);
    if (value !== undefined) state.value = value;
    const breached = value !== undefined && value > threshold;
    const cleared = value !== undefined && value <= threshold;
    if (!state.open && breached) {
      state.open = true;
      state.since = nowIso;
      state.dedupKey = `onboarding-${kind}-${nowIso}`;
      delete state.resolvedAt;
      actions.push({
        action: 'trigger',
        kind,
        dedupKey: state.dedupKey,
        value,
        threshold,
        summary: summaryFor(kind, value, threshold, 'trigger'),
        at: nowIso,
      });
    } else if (state.open && cleared && state.dedupKey) {
      state.open = false;
      state.resolvedAt = nowIso;
      actions.push({
        action: 'resolve',
        kind,
        dedupKey: state.dedupKey,
        value,
        threshold,
        summary: summaryFor(kind, value, threshold, 'resolve'),
        at: nowIso,
      });
    }
    alerts[kind] = state;
  }
  return { alerts, actions };
}
