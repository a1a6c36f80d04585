import { IdleRecycleDecision, recycleIdleMs } from '../../../workers/idle-recycle';
import { parseConfig } from '../../../runtime/config';

const MB = 1024 * 1024;
const idle = (rssMb: number) => ({ inFlight: 0, cachedWorkflows: 0, utilisation: 0.01, rssBytes: rssMb * MB });
const working = { inFlight: 3, cachedWorkflows: 0, utilisation: 0.6, rssBytes: 400 * MB };

/** A decision that has seen the worker work once, at time -1. */
function afterWork(): IdleRecycleDecision {
  const d = new IdleRecycleDecision({ rssLimitMb: 300, idleMs: 30_000 });
  d.observe(working, -1);
  return d;
}

describe('idle recycling of a worker', () => {
  it('waits at least three idle-GC periods, and never less than 30 s', () => {
    expect(recycleIdleMs(10)).toBe(30_000);
    expect(recycleIdleMs(0)).toBe(30_000);
    expect(recycleIdleMs(60)).toBe(180_000);
  });

  it('recycles only after the whole idle window above the limit', () => {
    const d = afterWork();
    expect(d.observe(idle(400), 0)).toBe(false);
    expect(d.observe(idle(400), 28_000)).toBe(false);
    expect(d.observe(idle(400), 30_000)).toBe(true);
  });

  it('restarts the idle window on any work in flight or a busy event loop', () => {
    const d = afterWork();
    d.observe(idle(400), 0);
    expect(d.observe({ inFlight: 1, cachedWorkflows: 0, utilisation: 0, rssBytes: 400 * MB }, 20_000)).toBe(false);
    expect(d.observe(idle(400), 40_000)).toBe(false);
    expect(d.observe({ inFlight: 0, cachedWorkflows: 5, utilisation: 0.2, rssBytes: 400 * MB }, 60_000)).toBe(false);
    expect(d.observe(idle(400), 62_000)).toBe(false);
    expect(d.observe(idle(400), 92_000)).toBe(true);
  });

  it('never recycles a process that has not worked yet (its replacement would be no fresher)', () => {
    const d = new IdleRecycleDecision({ rssLimitMb: 300, idleMs: 30_000 });
    d.observe(idle(400), 0);
    expect(d.observe(idle(400), 600_000)).toBe(false);
    // Workflows in its cache are work it did between two samples.
    expect(d.observe({ ...idle(400), cachedWorkflows: 1 }, 600_002)).toBe(false);
    expect(d.observe({ ...idle(400), cachedWorkflows: 1 }, 630_002)).toBe(true);
  });

  it('keeps a worker that is idle within its limit', () => {
    const d = afterWork();
    d.observe(idle(290), 0);
    expect(d.observe(idle(290), 120_000)).toBe(false);
    expect(d.observe(idle(301), 121_000)).toBe(true);
  });

  it('is on (300 MB) only where something restarts the worker: under npm start or WORKER_SUPERVISED', () => {
    expect(parseConfig({}).worker).toMatchObject({ recycleIdleRssMb: 300, supervised: false });
    expect(parseConfig({ STACK_PARENT_PID: '4242' }).worker.supervised).toBe(true);
    expect(parseConfig({ WORKER_SUPERVISED: 'true', WORKER_RECYCLE_IDLE_RSS_MB: '0' }).worker).toMatchObject({ recycleIdleRssMb: 0, supervised: true });
  });
});
