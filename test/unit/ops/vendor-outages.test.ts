/** One incident per vendor outage (ops/model/vendor-outages.ts): pure, the time passed in. */
import {
  applyHealthReport,
  evaluateOutages,
  resolveOutage,
  type VendorHealthReport,
  type VendorOutages,
} from '../../../ops/model/vendor-outages';

const T0 = Date.parse('2026-12-05T06:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const report = (state: 'open' | 'closed', s: number, reporter = 'w1:1', since = at(0)): VendorHealthReport => ({
  vendor: 'netsuite',
  state,
  since,
  at: at(s),
  reporter,
});

describe('vendor outages in ops-watch', () => {
  it('opens one incident after the outage has lasted a minute, whatever the number of waiting deals, and resolves it once', () => {
    let o: VendorOutages = applyHealthReport({}, report('open', 0));
    // A second worker sees the same outage: still one incident.
    o = applyHealthReport(o, report('open', 5, 'w2:2', at(5)));
    let e = evaluateOutages(o, { netsuite: 40 }, at(30));
    expect(e.triggers).toEqual([]);
    e = evaluateOutages(e.outages, { netsuite: 120 }, at(61));
    expect(e.triggers).toHaveLength(1);
    expect(e.triggers[0]!.summary).toContain('netsuite down since 2026-12-05T06:00:00.000Z');
    expect(e.triggers[0]!.summary).toContain('120 onboarding(s) waiting');
    const dedupKey = e.triggers[0]!.dedupKey;
    e = evaluateOutages(e.outages, { netsuite: 300 }, at(300));
    expect(e.triggers).toEqual([]);
    expect(e.recovered).toEqual([]);
    // One worker's breaker closes: the other still says down.
    o = applyHealthReport(e.outages, report('closed', 600));
    e = evaluateOutages(o, { netsuite: 300 }, at(601));
    expect(e.recovered).toEqual([]);
    o = applyHealthReport(e.outages, report('closed', 602, 'w2:2', at(5)));
    e = evaluateOutages(o, { netsuite: 300 }, at(603));
    expect(e.recovered).toEqual(['netsuite']);
    const r = resolveOutage(e.outages.netsuite!, 300, at(604));
    expect(r.action?.action).toBe('resolve');
    expect(r.action?.dedupKey).toBe(dedupKey);
    expect(r.action?.summary).toContain('300 waiting onboarding(s) resumed');
    expect(r.outage.peakWaiting).toBe(300);
    // Nothing more to do on the next ticks.
    e = evaluateOutages({ netsuite: r.outage }, { netsuite: 0 }, at(700));
    expect(e.triggers).toEqual([]);
    expect(e.recovered).toEqual([]);
  });

  it('pages nobody for a breaker open a few seconds (a 429 burst), but still wakes whoever waited', () => {
    let o = applyHealthReport({}, report('open', 0));
    let e = evaluateOutages(o, { netsuite: 3 }, at(10));
    expect(e.triggers).toEqual([]);
    o = applyHealthReport(e.outages, report('closed', 15));
    e = evaluateOutages(o, { netsuite: 3 }, at(16));
    expect(e.triggers).toEqual([]);
    expect(e.recovered).toEqual(['netsuite']);
    expect(resolveOutage(e.outages.netsuite!, 3, at(17)).action).toBeUndefined();
  });

  it('a later outage is a new incident with its own key', () => {
    let o = applyHealthReport({}, report('open', 0));
    let e = evaluateOutages(o, {}, at(70));
    const first = e.triggers[0]!.dedupKey;
    o = applyHealthReport(e.outages, report('closed', 100));
    e = evaluateOutages(o, {}, at(101));
    o = { netsuite: resolveOutage(e.outages.netsuite!, 0, at(101)).outage };
    o = applyHealthReport(o, report('open', 1000, 'w1:1', at(1000)));
    e = evaluateOutages(o, {}, at(1070));
    expect(e.triggers).toHaveLength(1);
    expect(e.triggers[0]!.dedupKey).not.toBe(first);
  });

  it('forgets a worker that died with its breaker open once nobody waits any more', () => {
    const o = applyHealthReport({}, report('open', 0));
    let e = evaluateOutages(o, { netsuite: 5 }, at(20 * 60));
    expect(e.recovered).toEqual([]);
    e = evaluateOutages(e.outages, { netsuite: 0 }, at(21 * 60));
    expect(e.recovered).toEqual(['netsuite']);
  });
});
