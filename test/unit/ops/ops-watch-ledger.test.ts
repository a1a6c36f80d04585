/** The KPI ledger's day buckets (ops/model/ledger.ts) and the readings computed from them. */
import { kpiReadings } from '../../../ops/model/alerts';
import { OPS_LEDGER_SHARDS, opsLedgerShardOf } from '../../../ops/messages';
import {
  mergeDays,
  applyEvent,
  emptyLedger,
  emptySketch,
  MAX_OPEN_DEALS,
  OPEN_DEALS_SLACK,
  pruneLedger,
  quantileMs,
  recordDuration,
  sweepSlaBreaches,
  windowTotals,
  type KpiEvent,
  type KpiLedger,
} from '../../../ops/model/ledger';

const SLA = 5 * 60_000;
const t = (day: number, h = 9, m = 0, s = 0): string => new Date(Date.UTC(2026, 10, day, h, m, s)).toISOString();
const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** One deal's life: received, customer after `toCustomerMs`, invoice 10 s later. */
function onboard(ledger: KpiLedger, id: string, receivedAt: string, toCustomerMs: number): void {
  const events: KpiEvent[] = [
    { kind: 'received', at: receivedAt, externalId: id, receivedAt },
    { kind: 'customer', at: plus(receivedAt, toCustomerMs), externalId: id, receivedAt, how: 'upserted' },
    { kind: 'invoice', at: plus(receivedAt, toCustomerMs + 10_000), externalId: id, receivedAt, created: true },
    { kind: 'finished', at: plus(receivedAt, toCustomerMs + 11_000), externalId: id, outcome: 'completed' },
  ];
  for (const e of events) applyEvent(ledger, e, SLA);
}

describe('KPI ledger', () => {
  it('buckets events by UTC day and sums the week', () => {
    const ledger = emptyLedger();
    onboard(ledger, 'a', t(20), 30_000);
    onboard(ledger, 'b', t(26, 23, 59, 50), 30_000); // customer after midnight: next day's bucket
    onboard(ledger, 'c', t(27), 6 * 60_000); // late
    expect(ledger.days.map((d) => d.day)).toEqual(['2026-11-20', '2026-11-26', '2026-11-27']);
    expect(ledger.days[1]).toMatchObject({ received: 1, newCustomers: 0 });
    expect(ledger.days[2]).toMatchObject({
      received: 1,
      newCustomers: 2,
      slaBreaches: 1,
      invoicesCreated: 2,
      completed: 2,
    });

    const week = windowTotals(ledger, t(27, 12), 7);
    expect(week).toMatchObject({ from: '2026-11-21', to: '2026-11-27', received: 2, newCustomers: 2, slaBreaches: 1 });
    const r = kpiReadings(week, undefined);
    expect(r.slaBreachRate).toBe(0.5);
    expect(r.invoiceSuccessRate).toBe(1);
    expect(r.mismatchRate).toBeUndefined();
    expect(r.duplicateRate).toBeUndefined();
  });

  it('counts a deal still without a customer after the SLA once, and not again when its customer comes', () => {
    const ledger = emptyLedger();
    const received = t(27, 9);
    applyEvent(ledger, { kind: 'received', at: received, externalId: 'x', receivedAt: received }, SLA);
    expect(sweepSlaBreaches(ledger, plus(received, SLA - 1), SLA)).toBe(0);
    expect(sweepSlaBreaches(ledger, plus(received, SLA + 1), SLA)).toBe(1);
    expect(sweepSlaBreaches(ledger, plus(received, SLA + 60_000), SLA)).toBe(0);
    applyEvent(
      ledger,
      { kind: 'customer', at: plus(received, 3_600_000), externalId: 'x', receivedAt: received, how: 'linked' },
      SLA,
    );
    expect(windowTotals(ledger, t(27, 12)).slaBreaches).toBe(1);
    expect(windowTotals(ledger, t(27, 12)).linkedCustomers).toBe(1);
  });

  it('counts a review after the customer as a failed invoice, and reviews by kind', () => {
    const ledger = emptyLedger();
    const received = t(27, 9);
    applyEvent(ledger, { kind: 'received', at: received, externalId: 'y', receivedAt: received }, SLA);
    applyEvent(ledger, { kind: 'review', at: plus(received, 1_000), externalId: 'y', reviewKind: 'validation' }, SLA);
    applyEvent(
      ledger,
      { kind: 'customer', at: plus(received, 60_000), externalId: 'y', receivedAt: received, how: 'upserted' },
      SLA,
    );
    applyEvent(ledger, { kind: 'review', at: plus(received, 70_000), externalId: 'y', reviewKind: 'transient' }, SLA);
    applyEvent(
      ledger,
      { kind: 'invoice', at: plus(received, 90_000), externalId: 'y', receivedAt: received, created: true },
      SLA,
    );
    const week = windowTotals(ledger, t(27, 12));
    expect(week.reviews).toEqual({ validation: 1, transient: 1 });
    expect(week.invoiceFailures).toBe(1);
    expect(kpiReadings(week, undefined).invoiceSuccessRate).toBe(0.5);
  });

  it('rates duplicates from the last reconciliation over the week’s new customers', () => {
    const ledger = emptyLedger();
    for (let i = 0; i < 4; i += 1) onboard(ledger, `d${i}`, t(27, 9, i), 1_000);
    const facts = (dups: number) => ({
      gatheredAt: t(27, 12),
      reviewQueue: { size: 0, oldestAgeMs: 0, items: [] },
      reconciliation: {
        workflowId: 'r',
        generatedAt: t(27, 6),
        mismatchRate: 0,
        threshold: 0.02,
        counts: {},
        duplicateCustomers: dups,
      },
    });
    const week = windowTotals(ledger, t(27, 12));
    expect(kpiReadings(week, facts(1)).duplicateRate).toBe(0.25);
    expect(kpiReadings(week, facts(0)).duplicateRate).toBe(0);
  });

  it('keeps 14 days and forgets older open deals', () => {
    const ledger = emptyLedger();
    onboard(ledger, 'old', t(1), 1_000);
    applyEvent(ledger, { kind: 'received', at: t(2), externalId: 'stuck', receivedAt: t(2) }, SLA);
    onboard(ledger, 'new', t(27), 1_000);
    pruneLedger(ledger, t(27, 12));
    expect(ledger.days.map((d) => d.day)).toEqual(['2026-11-27']);
    expect(ledger.open).toEqual({});
  });

  it('estimates quantiles from the compact histogram', () => {
    const s = emptySketch();
    expect(quantileMs(s, 0.5)).toBeUndefined();
    for (const ms of [800, 1_500, 4_000, 4_500, 250_000]) recordDuration(s, ms);
    expect(quantileMs(s, 0.5)).toBe(5_000);
    expect(quantileMs(s, 0.95)).toBe(250_000);
    expect(s).toMatchObject({ count: 5, maxMs: 250_000 });
  });

  describe('bounding the open deals', () => {
    /** Deals received one second apart from day 20, in a shuffled order (an onboarding's signal can arrive late). */
    const receiveShuffled = (ledger: KpiLedger, n: number, trim?: 'exact' | 'amortised'): void => {
      const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
      expect(new Set(order).size).toBe(n);
      for (const i of order) {
        const at = plus(t(20), i * 1_000);
        applyEvent(ledger, { kind: 'received', at, externalId: `d${i}`, receivedAt: at }, SLA, trim);
      }
    };
    const newest = (n: number, total: number): string[] =>
      Array.from({ length: n }, (_, k) => `d${total - n + k}`).sort();

    it('exact (runs before the bounded-history patch): never more than the cap, always the newest', () => {
      const ledger = emptyLedger();
      receiveShuffled(ledger, MAX_OPEN_DEALS + 300, 'exact');
      expect(Object.keys(ledger.open).sort()).toEqual(newest(MAX_OPEN_DEALS, MAX_OPEN_DEALS + 300).sort());
    });

    it('amortised: overruns by at most the slack, then cuts back to the newest cap in one go', () => {
      const ledger = emptyLedger();
      receiveShuffled(ledger, MAX_OPEN_DEALS + OPEN_DEALS_SLACK);
      expect(Object.keys(ledger.open)).toHaveLength(MAX_OPEN_DEALS + OPEN_DEALS_SLACK);
      const more = plus(t(21), 0);
      applyEvent(ledger, { kind: 'received', at: more, externalId: 'late-comer', receivedAt: more }, SLA);
      expect(Object.keys(ledger.open)).toHaveLength(MAX_OPEN_DEALS);
      expect(Object.keys(ledger.open).sort()).toEqual(
        [...newest(MAX_OPEN_DEALS - 1, MAX_OPEN_DEALS + OPEN_DEALS_SLACK), 'late-comer'].sort(),
      );
      // The day's count is not touched by forgetting: every deal was received.
      expect(windowTotals(ledger, t(21), 7).received).toBe(MAX_OPEN_DEALS + OPEN_DEALS_SLACK + 1);
    });
  });
});

describe('ledger shards', () => {
  it('spreads external ids evenly and keeps each one on one shard', () => {
    const counts = new Array<number>(OPS_LEDGER_SHARDS).fill(0);
    for (let i = 0; i < 8_000; i += 1) counts[opsLedgerShardOf(`pd-deal-${100_000 + i}`)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(opsLedgerShardOf('pd-deal-4242')).toBe(opsLedgerShardOf('pd-deal-4242'));
    // FNV-1a: the shard of an id must never change between releases (in-flight deals would split their events).
    expect(['a', 'pd-deal-1', 'pd-deal-2', 'x-y_z'].map(opsLedgerShardOf)).toEqual(
      ['a', 'pd-deal-1', 'pd-deal-2', 'x-y_z'].map(fnv1aMod8),
    );
  });

  it('adds the shards’ event counts to ops-watch’s own buckets day by day, leaving its facts and both inputs alone', () => {
    const own = emptyLedger();
    applyEvent(
      own,
      { kind: 'received', at: '2026-11-26T10:00:00.000Z', externalId: 'old-1', receivedAt: '2026-11-26T10:00:00.000Z' },
      SLA,
    );
    own.days[0]!.mismatchRate = 0.01;
    own.days[0]!.completed = 4;
    const shard = emptyLedger();
    applyEvent(
      shard,
      { kind: 'received', at: '2026-11-26T11:00:00.000Z', externalId: 'new-1', receivedAt: '2026-11-26T11:00:00.000Z' },
      SLA,
    );
    applyEvent(
      shard,
      {
        kind: 'customer',
        at: '2026-11-26T11:00:02.000Z',
        externalId: 'new-1',
        receivedAt: '2026-11-26T11:00:00.000Z',
        how: 'upserted',
      },
      SLA,
    );
    applyEvent(
      shard,
      { kind: 'review', at: '2026-11-27T09:00:00.000Z', externalId: 'new-2', reviewKind: 'validation' },
      SLA,
    );
    const before = JSON.stringify([own, shard]);

    const merged = mergeDays(own.days, shard.days);
    expect(merged.map((d) => d.day)).toEqual(['2026-11-26', '2026-11-27']);
    expect(merged[0]).toMatchObject({ received: 2, newCustomers: 1, mismatchRate: 0.01, completed: 4 });
    expect(merged[0]!.toCustomer.count).toBe(1);
    expect(merged[1]).toMatchObject({ received: 0, reviews: { validation: 1 } });
    expect(mergeDays(merged, shard.days)[1]!.reviews).toEqual({ validation: 2 });
    expect(JSON.stringify([own, shard])).toBe(before);
  });
});

function fnv1aMod8(s: string): number {
  let h = 2166136261;
  for (const c of Buffer.from(s, 'utf8')) h = Number((BigInt((h ^ c) >>> 0) * 16777619n) % 4294967296n);
  return h % 8;
}
