/** `untilNextTick`: how long a run handed over mid-wait still waits before its first tick. */
import { untilNextTick } from '../../../ops/model/ops-watch-state';

describe('untilNextTick', () => {
  const at = Date.UTC(2026, 10, 27, 12, 0, 0);
  const iso = (ms: number): string => new Date(ms).toISOString();

  it('is the rest of the interval that began at the last tick', () => {
    expect(untilNextTick(iso(at - 15_000), 60_000, at)).toBe(45_000);
    expect(untilNextTick(iso(at), 60_000, at)).toBe(60_000);
  });

  it('is undefined (tick now) with no last tick, an interval already over, a last tick in the future or garbage', () => {
    expect(untilNextTick(undefined, 60_000, at)).toBeUndefined();
    expect(untilNextTick(iso(at - 60_000), 60_000, at)).toBeUndefined();
    expect(untilNextTick(iso(at - 90_000), 60_000, at)).toBeUndefined();
    expect(untilNextTick(iso(at + 5_000), 60_000, at)).toBeUndefined();
    expect(untilNextTick('not a time', 60_000, at)).toBeUndefined();
  });
});
