import { IdleRecycleDecision, recycleIdleMs, type RecycleSample } from '../../../workers/idle-recycle';
import { parseConfig } from '../../../runtime/config';

const MB = 1024 * 1024;
const idle = (rssMb: number): RecycleSample => ({ inFlight: 0, utilisation: 0.01, rssBytes: rssMb * MB });
const working = (rssMb: number): RecycleSample => ({ inFlight: 3, utilisation: 0.6, rssBytes: rssMb * MB });
const policy = { growthMb: 150, idleMs: 30_000 };
const SAMPLE_MS = 2_000;

/** Feeds one sample every 2 s from `fromMs` to `toMs` (exclusive); returns the times at which it said recycle. */
function run(d: IdleRecycleDecision, fromMs: number, toMs: number, sample: (t: number) => RecycleSample): number[] {
  const recycledAt: number[] = [];
  for (let t = fromMs; t < toMs; t += SAMPLE_MS) if (d.observe(sample(t), t).kind === 'recycle') recycledAt.push(t);
  return recycledAt;
}

/**
 * A fresh worker as `npm start` runs it: ops-watch ticks once a minute (a workflow task and an activity on the ops
 * queue: one sample in flight and busy) and the ledger shards sit in the ops worker's cache. Its RSS wanders a little.
 */
const freshWithOpsTicks =
  (rssMb: number) =>
  (t: number): RecycleSample =>
    t % 60_000 < SAMPLE_MS
      ? { inFlight: 1, utilisation: 0.2, rssBytes: (rssMb + 4) * MB }
      : idle(rssMb + ((t / SAMPLE_MS) % 5));

describe('idle recycling of a worker', () => {
  it('waits at least three idle-GC periods, and never less than 30 s', () => {
    expect(recycleIdleMs(10)).toBe(30_000);
    expect(recycleIdleMs(0)).toBe(30_000);
    expect(recycleIdleMs(60)).toBe(180_000);
  });

  it('never recycles a fresh worker idling at 330 MB through ten minutes of ops-watch ticks', () => {
    const d = new IdleRecycleDecision(policy, 320 * MB);
    expect(run(d, 0, 600_000, freshWithOpsTicks(330))).toEqual([]);
    expect(d.baselineMb).toBe(320);
  });

  it('never recycles a fresh worker whose idle RSS creeps up by tens of MB over its first minutes', () => {
    const d = new IdleRecycleDecision(policy);
    expect(
      run(d, 0, 600_000, (t) => ({ ...freshWithOpsTicks(330)(t), rssBytes: (330 + (t / 600_000) * 60) * MB })),
    ).toEqual([]);
  });

  it('recycles a worker that sits idle 200 MB above its settled baseline, once the whole idle window has passed', () => {
    const d = new IdleRecycleDecision(policy);
    expect(run(d, 0, 60_000, () => idle(180))).toEqual([]);
    expect(d.baselineMb).toBe(180);
    // A burst of onboardings, then quiet with what the burst left behind.
    expect(run(d, 60_000, 120_000, () => working(420))).toEqual([]);
    expect(d.observe(idle(380), 120_000).kind).toBe('settling');
    expect(d.observe(idle(380), 148_000).kind).toBe('settling');
    expect(d.observe(idle(380), 150_000)).toEqual({ kind: 'recycle', baselineMb: 180, rssMb: 380 });
  });

  it('measures a worker busy from its first seconds (restarted into a backlog) from its RSS when it started', () => {
    const d = new IdleRecycleDecision(policy, 175 * MB);
    expect(run(d, 0, 120_000, () => working(420))).toEqual([]);
    expect(d.observe(idle(380), 120_000).kind).toBe('settling');
    expect(d.observe(idle(380), 150_000)).toEqual({ kind: 'baseline', baselineMb: 175 });
    expect(d.observe(idle(380), 152_000)).toEqual({ kind: 'recycle', baselineMb: 175, rssMb: 380 });
  });

  it('keeps a worker that grew less than WORKER_RECYCLE_GROWTH_MB over its baseline', () => {
    const d = new IdleRecycleDecision(policy);
    run(d, 0, 40_000, () => idle(180));
    run(d, 40_000, 60_000, () => working(300));
    expect(run(d, 60_000, 600_000, () => idle(329))).toEqual([]);
    expect(d.observe(idle(331), 600_000).kind).toBe('recycle');
  });

  it('measures growth from the lowest settled figure, and restarts the idle window on any work', () => {
    const d = new IdleRecycleDecision(policy);
    expect(d.observe(idle(260), 0).kind).toBe('settling');
    expect(d.observe(idle(260), 30_000)).toEqual({ kind: 'baseline', baselineMb: 260 });
    expect(d.observe(idle(200), 32_000).kind).toBe('within');
    expect(d.baselineMb).toBe(200);
    expect(d.observe({ inFlight: 1, utilisation: 0, rssBytes: 400 * MB }, 40_000).kind).toBe('busy');
    expect(d.observe(idle(400), 42_000).kind).toBe('settling');
    expect(d.observe({ inFlight: 0, utilisation: 0.2, rssBytes: 400 * MB }, 60_000).kind).toBe('busy');
    expect(d.observe(idle(400), 62_000).kind).toBe('settling');
    expect(d.observe(idle(400), 92_000).kind).toBe('recycle');
  });

  it('never recycles with WORKER_RECYCLE_GROWTH_MB=0', () => {
    const d = new IdleRecycleDecision({ ...policy, growthMb: 0 });
    run(d, 0, 40_000, () => idle(180));
    expect(run(d, 40_000, 600_000, () => idle(900))).toEqual([]);
  });

  it('is on (150 MB of growth) only where something restarts the worker: under npm start or WORKER_SUPERVISED', () => {
    expect(parseConfig({}).worker).toMatchObject({ recycleGrowthMb: 150, supervised: false });
    expect(parseConfig({ STACK_PARENT_PID: '4242' }).worker.supervised).toBe(true);
    expect(parseConfig({ WORKER_SUPERVISED: 'true', WORKER_RECYCLE_GROWTH_MB: '0' }).worker).toMatchObject({
      recycleGrowthMb: 0,
      supervised: true,
    });
  });

  it('refuses the fixed limit it replaced, naming the variable to use instead', () => {
    expect(() => parseConfig({ WORKER_RECYCLE_IDLE_RSS_MB: '300' })).toThrow(
      /WORKER_RECYCLE_IDLE_RSS_MB.*WORKER_RECYCLE_GROWTH_MB/s,
    );
    expect(() => parseConfig({ WORKER_RECYCLE_GROWTH_MB: '-1' })).toThrow(/WORKER_RECYCLE_GROWTH_MB/);
  });
});
