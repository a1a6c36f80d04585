/** The alert state machine behind "once per breach, with a resolve when it clears" (ops/model/alerts.ts). */
import {
  DEFAULT_THRESHOLDS,
  evaluateAlerts,
  initialAlertStates,
  kpiStatus,
  type AlertAction,
  type AlertStates,
  type KpiReadings,
} from '../../../ops/model/alerts';

const base: KpiReadings = { reviewQueueSize: 0, reviewOldestAgeMs: 0, newCustomers: 100, received: 100 };
const at = (min: number): string => new Date(Date.UTC(2026, 10, 27, 9, min)).toISOString();

/** Runs the readings through evaluateAlerts tick by tick, collecting every action. */
function run(
  readings: KpiReadings[],
  start: AlertStates = initialAlertStates(DEFAULT_THRESHOLDS),
): { alerts: AlertStates; actions: AlertAction[] } {
  let alerts = start;
  const actions: AlertAction[] = [];
  readings.forEach((r, i) => {
    const next = evaluateAlerts(alerts, r, DEFAULT_THRESHOLDS, at(i));
    alerts = next.alerts;
    actions.push(...next.actions);
  });
  return { alerts, actions };
}

describe('alert state', () => {
  it('fires once for a breach that lasts several ticks', () => {
    const { actions, alerts } = run([
      { ...base, slaBreachRate: 0.02 },
      { ...base, slaBreachRate: 0.08 },
      { ...base, slaBreachRate: 0.09 },
      { ...base, slaBreachRate: 0.07 },
    ]);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      action: 'trigger',
      kind: 'slaBreaches',
      dedupKey: `onboarding-slaBreaches-${at(1)}`,
      value: 0.08,
      threshold: 0.05,
    });
    expect(actions[0]!.summary).toContain('8.0%');
    expect(alerts.slaBreaches).toMatchObject({ open: true, since: at(1), value: 0.07 });
  });

  it('resolves once, with the trigger’s dedup key, when the reading is back within the threshold', () => {
    const { actions, alerts } = run([
      { ...base, mismatchRate: 0.03 },
      { ...base, mismatchRate: 0.01 },
      { ...base, mismatchRate: 0.0 },
    ]);
    expect(actions.map((a) => [a.action, a.kind])).toEqual([
      ['trigger', 'reconciliation'],
      ['resolve', 'reconciliation'],
    ]);
    expect(actions[1]!.dedupKey).toBe(actions[0]!.dedupKey);
    expect(alerts.reconciliation).toMatchObject({ open: false, resolvedAt: at(1) });
  });

  it('fires again, under a new dedup key, after a new breach', () => {
    const { actions } = run([
      { ...base, duplicateRate: 0.01 },
      { ...base, duplicateRate: 0 },
      { ...base, duplicateRate: 0.02 },
    ]);
    expect(actions.map((a) => a.action)).toEqual(['trigger', 'resolve', 'trigger']);
    expect(actions[2]!.dedupKey).not.toBe(actions[0]!.dedupKey);
  });

  it('treats the threshold itself as within (the guide says "above")', () => {
    expect(run([{ ...base, slaBreachRate: 0.05 }]).actions).toEqual([]);
  });

  it('neither opens nor closes on a missing reading (no data yet, or a failed read)', () => {
    const opened = run([{ ...base, mismatchRate: 0.5 }]);
    const after = run([{ ...base }, { ...base }], opened.alerts);
    expect(after.actions).toEqual([]);
    expect(after.alerts.reconciliation.open).toBe(true);
  });

  it('pages on a review older than 24 h, and resolves when the queue is answered', () => {
    const day = 24 * 3_600_000;
    const { actions } = run([
      { ...base, reviewQueueSize: 2, reviewOldestAgeMs: day - 1 },
      { ...base, reviewQueueSize: 2, reviewOldestAgeMs: day + 60_000 },
      { ...base, reviewQueueSize: 0, reviewOldestAgeMs: 0 },
    ]);
    expect(actions.map((a) => `${a.action}:${a.kind}`)).toEqual(['trigger:reviewAge', 'resolve:reviewAge']);
    expect(actions[0]!.summary).toContain('24.0 h');
  });

  it('keeps each kind independent', () => {
    const { actions } = run([
      { ...base, slaBreachRate: 0.1, mismatchRate: 0.1 },
      { ...base, slaBreachRate: 0.01, mismatchRate: 0.1 },
    ]);
    expect(actions.map((a) => `${a.action}:${a.kind}`)).toEqual([
      'trigger:slaBreaches',
      'trigger:reconciliation',
      'resolve:slaBreaches',
    ]);
  });
});

describe('kpiStatus', () => {
  it.each([
    [undefined, 'unknown'],
    [0, 'green'],
    [0.01, 'green'],
    [0.011, 'amber'],
    [0.02, 'amber'],
    [0.021, 'red'],
  ] as const)('%s against 2%% is %s', (v, status) => {
    expect(kpiStatus(v, 0.02)).toBe(status);
  });
});
