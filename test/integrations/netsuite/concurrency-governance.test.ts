/**
 * NetSuite's account-wide concurrency limit: a burst through the client's semaphore queues in-process and never meets a
 * 429, while the same burst without the limiter does. The simulator's peak concurrency is the witness.
 */
import type { NetSuiteRequestEvent } from '../../../integrations/netsuite';
import { VendorError } from '../../../integrations/vendor-error';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { clientFor, simAdmin } from './fixtures';

const LIMIT = 3;
const BURST = 30;
let sim: RunningNetSuiteSimulator;

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ concurrencyLimit: LIMIT, faults: { latency: { minMs: 45, maxMs: 55 } } });
});
afterAll(() => sim.close());
beforeEach(() => simAdmin.reset(sim));

test(`${BURST} parallel calls through a client limited to ${LIMIT}: zero 429s, simulator peak ≤ ${LIMIT}`, async () => {
  const events: NetSuiteRequestEvent[] = [];
  const client = clientFor(sim, { concurrencyLimit: LIMIT, onRequest: (e) => events.push(e) });
  let maxInFlight = 0;
  let maxQueued = 0;
  const sample = setInterval(() => {
    maxInFlight = Math.max(maxInFlight, client.inFlight);
    maxQueued = Math.max(maxQueued, client.queued);
  }, 5);

  const started = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: BURST }, (_, i) =>
      i % 2 === 0 ? client.getCustomerByExternalId(`PD-BURST-${i}`) : client.suiteql('SELECT id FROM term'),
    ),
  );
  clearInterval(sample);

  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  const stats = await simAdmin.stats(sim);
  expect(stats.throttled).toBe(0);
  expect(stats.total).toBe(BURST);
  expect(stats.peakConcurrency).toBeLessThanOrEqual(LIMIT);
  expect(maxInFlight).toBeLessThanOrEqual(LIMIT);
  expect(maxQueued).toBeGreaterThan(0);
  // Queued, not parallel: at least BURST / LIMIT rounds of the ~50 ms latency.
  expect(Date.now() - started).toBeGreaterThanOrEqual(Math.floor(BURST / LIMIT) * 45);
  expect(events).toHaveLength(BURST);
  expect(events.some((e) => e.queuedMs > 0)).toBe(true);
  expect(client.inFlight).toBe(0);
  expect(client.queued).toBe(0);
});

test('the same burst without the limiter (semaphore as wide as the burst) is throttled by NetSuite', async () => {
  const unlimited = clientFor(sim, { concurrencyLimit: BURST });
  const results = await Promise.allSettled(
    Array.from({ length: BURST }, () => unlimited.suiteql('SELECT id FROM term')),
  );
  const throttled = results.filter(
    (r) =>
      r.status === 'rejected' &&
      r.reason instanceof VendorError &&
      r.reason.extra.code === 'CONCURRENCY_LIMIT_EXCEEDED',
  );
  expect(throttled.length).toBeGreaterThan(0);
  for (const r of throttled)
    expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: 'transient', extra: { status: 429 } });
  expect((await simAdmin.stats(sim)).throttled).toBe(throttled.length);
});
