/** The public listener's per-address token buckets (starters/http/token-buckets.ts), on a clock the test moves. */
import { TokenBuckets } from '../../../starters/http/token-buckets';

function clocked(
  ratePerSec: number,
  o: { maxKeys?: number } = {},
): { buckets: TokenBuckets; advance: (ms: number) => void } {
  let now = 0;
  return { buckets: new TokenBuckets({ ratePerSec, now: () => now, ...o }), advance: (ms) => (now += ms) };
}

/** Sends `count` requests from `key`, evenly spread over `ms`; how many passed. */
function spread(
  b: { buckets: TokenBuckets; advance: (ms: number) => void },
  key: string,
  count: number,
  ms: number,
): number {
  let passed = 0;
  for (let i = 0; i < count; i++) {
    if (b.buckets.take(key)) passed += 1;
    b.advance(ms / count);
  }
  return passed;
}

describe('TokenBuckets', () => {
  it('lets a Pipedrive burst through at the default 1000/s: 200 at once, then 200/s for a minute', () => {
    const b = clocked(1000);
    expect(spread(b, '10.0.0.1', 200, 0)).toBe(200);
    expect(spread(b, '10.0.0.1', 200 * 60, 60_000)).toBe(200 * 60);
  });

  it('refuses a flood beyond the burst, and passes the rate once the burst is spent', () => {
    const b = clocked(1000);
    // 5,000 in one instant: the saved-up second passes, the rest is refused.
    expect(spread(b, '203.0.113.9', 5_000, 0)).toBe(1000);
    // Then 10,000 over 2 s: about 2,000 refilled tokens pass.
    const passed = spread(b, '203.0.113.9', 10_000, 2_000);
    expect(passed).toBeGreaterThanOrEqual(1_999);
    expect(passed).toBeLessThanOrEqual(2_001);
    expect(b.buckets.retryAfterSeconds('203.0.113.9')).toBe(1);
  });

  it('keys by address: one address flooding leaves another untouched', () => {
    const b = clocked(100);
    expect(spread(b, 'flood', 1_000, 0)).toBe(100);
    expect(b.buckets.take('flood')).toBe(false);
    expect(spread(b, 'pipedrive', 100, 0)).toBe(100);
  });

  it('says how long until the next token when the rate is below one a second', () => {
    const b = clocked(0.25);
    expect(b.buckets.take('slow')).toBe(true);
    expect(b.buckets.take('slow')).toBe(false);
    expect(b.buckets.retryAfterSeconds('slow')).toBe(4);
  });

  it('forgets refilled buckets and stays within maxKeys under a flood from many addresses', () => {
    const b = clocked(1, { maxKeys: 1_000 });
    for (let i = 0; i < 5_000; i++) b.buckets.take(`198.51.100.${i}`);
    expect(b.buckets.size).toBeLessThanOrEqual(1_000);
    // The most recent address is still known with its one token spent: not evicted, so still refused.
    expect(b.buckets.take('198.51.100.4999')).toBe(false);
    b.advance(11_000);
    b.buckets.take('other');
    expect(b.buckets.size).toBe(1);
  });
});
