/**
 * A breaker report to ops-watch is fire-and-forget, yet bounded (ops/activities/vendor-outages.ts): with Temporal
 * unreachable the SDK's own gRPC back-off keeps a signal retrying for about 19 s on this machine, long after a stopping
 * worker has closed its connection. The report gives up at its deadline, and a stopping worker can await it.
 */
import { Client, Connection } from '@temporalio/client';
import { breakerReportsSettled, reportBreakerTransition } from '../../../ops/activities/vendor-outages';

describe('breaker report to ops-watch', () => {
  it('gives up at its deadline when Temporal cannot be reached, and breakerReportsSettled waits for it', async () => {
    // Port 1: nothing listens; the connection is lazy, so every attempt is a real gRPC call that fails UNAVAILABLE.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: 'default' });
    const startedAt = Date.now();
    let landed = false;
    const report = reportBreakerTransition(client, {
      vendor: 'netsuite',
      state: 'open',
      since: new Date(startedAt).toISOString(),
      at: new Date(startedAt).toISOString(),
    }).then(() => (landed = true));
    await breakerReportsSettled();
    const settledAfterMs = Date.now() - startedAt;
    await report;
    expect(landed).toBe(true);
    // The deadline is 5 s; one back-off step may run past it. Without a deadline this takes ~19 s.
    expect(settledAfterMs).toBeGreaterThanOrEqual(4_000);
    expect(settledAfterMs).toBeLessThan(12_000);
  }, 30_000);
});
