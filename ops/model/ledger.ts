/**
 * The KPI ledger `opsWatch` keeps: one bucket per UTC day (the last RETENTION_DAYS), filled by the events every
 * onboarding reports, so "the week's" rates survive worker restarts and are the same whichever replica is asked.
 * Pure (no Temporal imports, no clock): the workflow passes the time in, tests call it directly.
 */

/**
 * What an onboarding reports (workflows/kpis.ts). `at` is the workflow's own (deterministic) time. `id`, unique within
 * the deal, lets a ledger shard apply a re-sent event once (ops/model/kpi-dedup.ts); runs before it send none.
 */
export type KpiEvent = (
  | { kind: 'received'; at: string; externalId: string; receivedAt: string }
  | { kind: 'customer'; at: string; externalId: string; receivedAt: string; how: 'upserted' | 'linked' }
  | { kind: 'invoice'; at: string; externalId: string; receivedAt: string; created: boolean }
  | { kind: 'review'; at: string; externalId: string; reviewKind: string }
  | { kind: 'finished'; at: string; externalId: string; outcome: 'completed' | 'cancelled' }
) & { id?: string };

/**
 * Hands an event to a ledger shard (a client signal: ops/activities/ledger-signal.ts; the onboarding's local activity
 * calls it, activities/kpi-delivery-activities.ts); 'missing' when no such shard runs (terminated, not started yet).
 */
export interface KpiLedgerPort {
  signal(receiver: string, event: KpiEvent): Promise<'delivered' | 'missing'>;
}

/**
 * Upper bounds (ms) of the duration histogram: compact enough to carry across continue-as-new for every day, fine
 * enough to tell "seconds" from "past the 5-minute SLA" from "hours in review". The last bucket is open-ended.
 */
export const DURATION_BOUNDS_MS = [
  1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 14_400_000, 86_400_000,
] as const;

export interface DurationSketch {
  /** counts[i] = durations ≤ DURATION_BOUNDS_MS[i] (and above the previous bound); the extra last slot is "above all". */
  counts: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

export interface DayBucket {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** Onboardings started (deals received): the denominator of the SLA-breach rate. */
  received: number;
  /** Customers created by an onboarding (the denominator of the duplicate rate). */
  newCustomers: number;
  /** Customers reached by a reviewer's "link to existing". */
  linkedCustomers: number;
  /** Customers not created within the SLA: created late, or still without one when the SLA ran out. */
  slaBreaches: number;
  invoicesCreated: number;
  /** The invoice already existed (a repeated run found it): a success too. */
  invoicesFound: number;
  /** A deal with a customer that went to review before its invoice existed. */
  invoiceFailures: number;
  reviews: Record<string, number>;
  /** Onboardings closed that day, from visibility (a workflow cannot signal from its closing task). */
  completed: number;
  cancelled: number;
  toCustomer: DurationSketch;
  toInvoice: DurationSketch;
  /** The outside facts as last seen that day (for the card's trends): reconciliation, review queue. */
  mismatchRate?: number;
  duplicateCustomers?: number;
  reviewQueueMax?: number;
  reviewOldestAgeMs?: number;
}

/** Deals the ledger still watches for an SLA breach or an invoice outcome; bounded so the state stays small. */
export interface OpenDeal {
  receivedAt: string;
  customerAt?: string;
  slaBreached?: boolean;
}

export interface KpiLedger {
  days: DayBucket[];
  open: Record<string, OpenDeal>;
}

export const RETENTION_DAYS = 14;
/** Beyond this many open deals the oldest are forgotten (they stop counting towards late breaches only). */
export const MAX_OPEN_DEALS = 2_000;
/**
 * How far `open` may overrun MAX_OPEN_DEALS before one sort cuts it back (the 'amortised' trim). Sorting on every
 * receive past the cap cost ~0.6 ms per signal at 2,000 open deals, paid again on every replay of a burst.
 */
export const OPEN_DEALS_SLACK = 500;

/**
 * 'exact': trim on every receive past the cap (runs recorded before the `ops-watch-bounded-history` patch replay with
 * it, because which deals stay open decides later SLA breaches and so the alerts). 'amortised': the bounded kind.
 */
export type OpenDealsTrim = 'exact' | 'amortised';

export const dayOf = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

export function emptySketch(): DurationSketch {
  return { counts: new Array<number>(DURATION_BOUNDS_MS.length + 1).fill(0), count: 0, sumMs: 0, maxMs: 0 };
}

export function emptyBucket(day: string): DayBucket {
  return {
    day,
    received: 0,
    newCustomers: 0,
    linkedCustomers: 0,
    slaBreaches: 0,
    invoicesCreated: 0,
    invoicesFound: 0,
    invoiceFailures: 0,
    reviews: {},
    completed: 0,
    cancelled: 0,
    toCustomer: emptySketch(),
    toInvoice: emptySketch(),
  };
}

export function emptyLedger(): KpiLedger {
  return { days: [], open: {} };
}

export function recordDuration(sketch: DurationSketch, ms: number): void {
  const v = Math.max(0, Math.round(ms));
  const i = DURATION_BOUNDS_MS.findIndex((b) => v <= b);
  sketch.counts[i === -1 ? DURATION_BOUNDS_MS.length : i]! += 1;
  sketch.count += 1;
  sketch.sumMs += v;
  sketch.maxMs = Math.max(sketch.maxMs, v);
}

export function mergeSketches(sketches: DurationSketch[]): DurationSketch {
  const out = emptySketch();
  for (const s of sketches) {
    s.counts.forEach((c, i) => (out.counts[i]! += c));
    out.count += s.count;
    out.sumMs += s.sumMs;
    out.maxMs = Math.max(out.maxMs, s.maxMs);
  }
  return out;
}

/** The q-quantile as the upper bound of the bucket holding it (the max for the open-ended bucket); undefined when empty. */
export function quantileMs(sketch: DurationSketch, q: number): number | undefined {
  if (sketch.count === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * sketch.count));
  let seen = 0;
  for (let i = 0; i < sketch.counts.length; i += 1) {
    seen += sketch.counts[i]!;
    if (seen >= rank)
      return i < DURATION_BOUNDS_MS.length ? Math.min(DURATION_BOUNDS_MS[i]!, sketch.maxMs) : sketch.maxMs;
  }
  return sketch.maxMs;
}

function bucketFor(ledger: KpiLedger, iso: string): DayBucket {
  const day = dayOf(iso);
  let b = ledger.days.find((d) => d.day === day);
  if (!b) {
    b = emptyBucket(day);
    ledger.days.push(b);
    ledger.days.sort((a, c) => a.day.localeCompare(c.day));
  }
  return b;
}

const elapsed = (from: string, to: string): number => Math.max(0, Date.parse(to) - Date.parse(from));

/** Applies one onboarding's event. `slaMs`: the customer SLA in force. */
export function applyEvent(ledger: KpiLedger, e: KpiEvent, slaMs: number, trim: OpenDealsTrim = 'amortised'): void {
  const b = bucketFor(ledger, e.at);
  switch (e.kind) {
    case 'received':
      b.received += 1;
      ledger.open[e.externalId] = { receivedAt: e.receivedAt };
      if (trim === 'exact') trimOpenExact(ledger);
      else trimOpenAmortised(ledger);
      return;
    case 'customer': {
      const ms = elapsed(e.receivedAt, e.at);
      recordDuration(b.toCustomer, ms);
      if (e.how === 'upserted') b.newCustomers += 1;
      else b.linkedCustomers += 1;
      const open = ledger.open[e.externalId];
      // A breach already counted when the SLA ran out (see sweepSlaBreaches) is not counted twice.
      if (ms > slaMs && !open?.slaBreached) b.slaBreaches += 1;
      if (open) {
        open.customerAt = e.at;
        open.slaBreached = open.slaBreached || ms > slaMs;
      }
      return;
    }
    case 'invoice':
      recordDuration(b.toInvoice, elapsed(e.receivedAt, e.at));
      if (e.created) b.invoicesCreated += 1;
      else b.invoicesFound += 1;
      delete ledger.open[e.externalId];
      return;
    case 'review': {
      b.reviews[e.reviewKind] = (b.reviews[e.reviewKind] ?? 0) + 1;
      const open = ledger.open[e.externalId];
      if (open?.customerAt) b.invoiceFailures += 1;
      return;
    }
    case 'finished':
      if (e.outcome === 'completed') b.completed += 1;
      else b.cancelled += 1;
      delete ledger.open[e.externalId];
      return;
  }
}

/** Keeps the day's view of the outside facts: the latest reconciliation figures, the worst review backlog. */
export function recordDailyFacts(
  ledger: KpiLedger,
  nowIso: string,
  facts: {
    reviewQueue: { size: number; oldestAgeMs: number };
    reconciliation?: { mismatchRate: number; duplicateCustomers: number };
    closed?: Array<{ day: string; completed: number; cancelled: number }>;
  },
): void {
  for (const c of facts.closed ?? []) {
    const day = bucketFor(ledger, `${c.day}T12:00:00.000Z`);
    day.completed = c.completed;
    day.cancelled = c.cancelled;
  }
  const b = bucketFor(ledger, nowIso);
  b.reviewQueueMax = Math.max(b.reviewQueueMax ?? 0, facts.reviewQueue.size);
  b.reviewOldestAgeMs = Math.max(b.reviewOldestAgeMs ?? 0, facts.reviewQueue.oldestAgeMs);
  if (facts.reconciliation) {
    b.mismatchRate = facts.reconciliation.mismatchRate;
    b.duplicateCustomers = facts.reconciliation.duplicateCustomers;
  }
}

/** Deals still without a customer once the SLA has run out count as breaches now, once (on the day it ran out). */
export function sweepSlaBreaches(ledger: KpiLedger, nowIso: string, slaMs: number): number {
  let n = 0;
  for (const deal of Object.values(ledger.open)) {
    if (deal.customerAt || deal.slaBreached) continue;
    if (elapsed(deal.receivedAt, nowIso) > slaMs) {
      deal.slaBreached = true;
      n += 1;
    }
  }
  if (n > 0) bucketFor(ledger, nowIso).slaBreaches += n;
  return n;
}

function trimOpenExact(ledger: KpiLedger): void {
  const ids = Object.keys(ledger.open);
  if (ids.length <= MAX_OPEN_DEALS) return;
  ids.sort((a, b) => ledger.open[a]!.receivedAt.localeCompare(ledger.open[b]!.receivedAt));
  for (const id of ids.slice(0, ids.length - MAX_OPEN_DEALS)) delete ledger.open[id];
}

function trimOpenAmortised(ledger: KpiLedger): void {
  const ids = Object.keys(ledger.open);
  if (ids.length <= MAX_OPEN_DEALS + OPEN_DEALS_SLACK) return;
  // ISO-8601 instants of one format order as plain strings; localeCompare is many times slower for the same order.
  const at = (id: string): string => ledger.open[id]!.receivedAt;
  ids.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  for (const id of ids.slice(0, ids.length - MAX_OPEN_DEALS)) delete ledger.open[id];
}

/** Keeps the last `days` days (counting today) and open deals younger than that. */
export function pruneLedger(ledger: KpiLedger, nowIso: string, days = RETENTION_DAYS): void {
  const cutoff = dayOf(new Date(Date.parse(nowIso) - (days - 1) * 86_400_000).toISOString());
  ledger.days = ledger.days.filter((d) => d.day >= cutoff);
  for (const [id, deal] of Object.entries(ledger.open)) if (dayOf(deal.receivedAt) < cutoff) delete ledger.open[id];
}

/** Totals over the `days` days ending today (7 = "the week"): a day bucket's counts, summed, without its daily facts. */
export type WindowTotals = Omit<
  DayBucket,
  'day' | 'mismatchRate' | 'duplicateCustomers' | 'reviewQueueMax' | 'reviewOldestAgeMs'
> & {
  from: string;
  to: string;
};

export function windowTotals(ledger: KpiLedger, nowIso: string, days = 7): WindowTotals {
  const to = dayOf(nowIso);
  const from = dayOf(new Date(Date.parse(nowIso) - (days - 1) * 86_400_000).toISOString());
  const inWindow = ledger.days.filter((d) => d.day >= from && d.day <= to);
  const sum = (f: (d: DayBucket) => number): number => inWindow.reduce((s, d) => s + f(d), 0);
  const reviews: Record<string, number> = {};
  for (const d of inWindow) for (const [k, v] of Object.entries(d.reviews)) reviews[k] = (reviews[k] ?? 0) + v;
  return {
    from,
    to,
    received: sum((d) => d.received),
    newCustomers: sum((d) => d.newCustomers),
    linkedCustomers: sum((d) => d.linkedCustomers),
    slaBreaches: sum((d) => d.slaBreaches),
    invoicesCreated: sum((d) => d.invoicesCreated),
    invoicesFound: sum((d) => d.invoicesFound),
    invoiceFailures: sum((d) => d.invoiceFailures),
    reviews,
    completed: sum((d) => d.completed),
    cancelled: sum((d) => d.cancelled),
    toCustomer: mergeSketches(inWindow.map((d) => d.toCustomer)),
    toInvoice: mergeSketches(inWindow.map((d) => d.toInvoice)),
  };
}

/**
 * ops-watch's own day buckets (events from onboardings that predate the ledger shards, and the outside facts) with
 * the shards' event counts added day by day. Copies: neither input is changed.
 */
export function mergeDays(own: DayBucket[], shards: DayBucket[]): DayBucket[] {
  const byDay = new Map<string, DayBucket>(own.map((d) => [d.day, { ...d, reviews: { ...d.reviews } }]));
  for (const s of shards) {
    const d = byDay.get(s.day) ?? emptyBucket(s.day);
    byDay.set(s.day, {
      ...d,
      received: d.received + s.received,
      newCustomers: d.newCustomers + s.newCustomers,
      linkedCustomers: d.linkedCustomers + s.linkedCustomers,
      slaBreaches: d.slaBreaches + s.slaBreaches,
      invoicesCreated: d.invoicesCreated + s.invoicesCreated,
      invoicesFound: d.invoicesFound + s.invoicesFound,
      invoiceFailures: d.invoiceFailures + s.invoiceFailures,
      reviews: Object.entries(s.reviews).reduce((r, [k, v]) => ({ ...r, [k]: (r[k] ?? 0) + v }), d.reviews),
      toCustomer: mergeSketches([d.toCustomer, s.toCustomer]),
      toInvoice: mergeSketches([d.toInvoice, s.toInvoice]),
    });
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
