/** integrations/pipedrive/rate-gate.ts on a fake clock: when requests may go out. */
import { PipedriveRateGate, rateAnswerOf } from '../../../integrations/pipedrive/rate-gate';

function clocked() {
  let now = 0;
  const slept: number[] = [];
  const gate = new PipedriveRateGate({
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  return { gate, slept, at: () => now, advance: (ms: number) => (now += ms) };
}

describe('Pipedrive rate gate', () => {
  it('sends one request at a time until an answer has told the limit, then 80% of it per window', async () => {
    const c = clocked();
    await c.gate.acquire();
    // A second request waits for the first answer.
    const second = c.gate.acquire();
    await Promise.resolve();
    c.gate.observe({ status: 200, limit: 10, remaining: 9, resetSeconds: 2 });
    await second;
    expect(c.slept.length).toBeGreaterThan(0);
    const start = c.at();
    for (let i = 0; i < 6; i += 1) await c.gate.acquire();
    // 8 sent within the window (the two above and six more): the next one waits for the first to age out.
    expect(c.at()).toBe(start);
    await c.gate.acquire();
    expect(c.at()).toBeGreaterThanOrEqual(2_000);
  });

  it('pauses everyone until the reset when an answer says the window is spent, and after a 429', async () => {
    const c = clocked();
    await c.gate.acquire();
    c.gate.observe({ status: 200, limit: 100, remaining: 0, resetSeconds: 2 });
    await c.gate.acquire();
    expect(c.at()).toBe(2_000);
    c.gate.observe({ status: 429, limit: 100, retryAfterMs: 5_000 });
    await c.gate.acquire();
    expect(c.at()).toBe(7_000);
  });

  it('reads the x-ratelimit headers and Retry-After of an answer', () => {
    expect(
      rateAnswerOf(429, {
        'x-ratelimit-limit': '80',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '2',
        'retry-after': '3',
      }),
    ).toEqual({ status: 429, limit: 80, remaining: 0, resetSeconds: 2, retryAfterMs: 3_000 });
    expect(rateAnswerOf(undefined, undefined)).toEqual({});
  });
});
