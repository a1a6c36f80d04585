/** Account concurrency limit ⇒ 429 CONCURRENCY_LIMIT_EXCEEDED; injected 5xx, 429 bursts and dropped connections. */
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { admin, callNetSuite, firstError, type Stack } from './signed-client';

let sim: RunningNetSuiteSimulator;
let stack: Stack;

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ concurrencyLimit: 3, faults: { seed: 42 } });
  stack = sim.stackEntry;
});
afterAll(() => sim.close());
afterEach(async () => {
  await admin(stack, 'POST', 'reset');
});

test('parallel load over the account limit ⇒ 429 CONCURRENCY_LIMIT_EXCEEDED; never more than the limit in flight', async () => {
  // Latency far above connection set-up time, so all ten arrive while the first three still hold their slots.
  await admin(stack, 'PUT', 'faults', { latency: { minMs: 400, maxMs: 450 } });
  const responses = await Promise.all(Array.from({ length: 10 }, () => callNetSuite(stack, 'GET', 'record/v1/term/2')));
  const statuses = responses.map((r) => r.status);
  const ok = statuses.filter((s) => s === 200).length;
  const throttled = responses.filter((r) => r.status === 429);
  expect(ok).toBeGreaterThanOrEqual(3);
  expect(throttled.length).toBeGreaterThanOrEqual(5);
  expect(ok + throttled.length).toBe(10);
  expect(throttled[0]?.data).toMatchObject({ status: 429, title: 'Too Many Requests' });
  expect(firstError(throttled[0] as never)).toEqual({
    detail: 'Concurrent request limit exceeded. Request blocked.',
    'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
  });

  const stats = (await admin(stack, 'GET', 'stats')).data as {
    peakConcurrency: number;
    throttled: number;
    requests: Record<string, number>;
  };
  expect(stats.peakConcurrency).toBe(3);
  expect(stats.throttled).toBe(throttled.length);
  expect(stats.requests['GET record/v1/term/{id} 429']).toBe(throttled.length);

  // Slots are released: the next request goes through.
  await admin(stack, 'PUT', 'faults', { latency: null });
  expect((await callNetSuite(stack, 'GET', 'record/v1/term/2')).status).toBe(200);
  const limits = (await callNetSuite(stack, 'GET', 'system/v1/governanceLimits')).data;
  expect(limits).toMatchObject({ accountConcurrencyLimit: 3 });
});

test('an injected 5xx rate is roughly honoured, with NetSuite error bodies', async () => {
  await admin(stack, 'PUT', 'faults', { errorRate: 0.3, errorStatuses: [500, 503], seed: 7 });
  const n = 120;
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = await callNetSuite(stack, 'GET', 'record/v1/subsidiary/1');
    statuses.push(r.status);
    if (r.status >= 500) expect(firstError(r)['o:errorCode']).toBe('UNEXPECTED_ERROR');
  }
  const failed = statuses.filter((s) => s >= 500);
  expect(failed.length / n).toBeGreaterThan(0.2);
  expect(failed.length / n).toBeLessThan(0.4);
  expect(new Set(failed)).toEqual(new Set([500, 503]));
  expect(statuses.filter((s) => s !== 200 && s < 500)).toEqual([]);
});

test('a 429 burst hits exactly the next N requests', async () => {
  await admin(stack, 'PUT', 'faults', { throttleNext: 2, retryAfterSeconds: 3 });
  const responses = [];
  for (let i = 0; i < 4; i += 1) responses.push(await callNetSuite(stack, 'GET', 'record/v1/term/1'));
  expect(responses.map((r) => r.status)).toEqual([429, 429, 200, 200]);
  expect(responses[0]?.headers['retry-after']).toBe('3');
  expect(firstError(responses[0] as never)['o:errorCode']).toBe('CONCURRENCY_LIMIT_EXCEEDED');
});

test('an injected timeout holds the request, then drops the socket without an answer', async () => {
  await admin(stack, 'PUT', 'faults', { timeoutRate: 1, timeoutMs: 100 });
  const started = Date.now();
  const outcome = await callNetSuite(stack, 'GET', 'record/v1/term/1').then(
    (r) => `answered ${r.status}`,
    (err: { code?: string }) => err.code,
  );
  expect(outcome).toBe('ECONNRESET');
  expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  expect(((await admin(stack, 'GET', 'stats')).data as { injectedTimeouts: number }).injectedTimeouts).toBe(1);
});

test('drop-after-handling applies the write, then loses the answer (the ambiguous failure eid: upserts exist for)', async () => {
  await admin(stack, 'PUT', 'faults', { dropAfterHandlingRate: 1 });
  const outcome = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-LOST-ANSWER', {
    body: { companyName: 'Lost Answer Co', subsidiary: { id: '1' } },
  }).then(
    (r) => `answered ${r.status}`,
    (err: { code?: string }) => err.code,
  );
  expect(outcome).toBe('ECONNRESET');
  await admin(stack, 'PUT', 'faults', { dropAfterHandlingRate: 0 });
  const retried = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-LOST-ANSWER', {
    body: { companyName: 'Lost Answer Co', subsidiary: { id: '1' } },
  });
  expect(retried.status).toBe(204);
  const rows = await callNetSuite(stack, 'POST', 'query/v1/suiteql', {
    body: { q: "SELECT COUNT(*) AS n FROM customer WHERE externalid = 'PD-LOST-ANSWER'" },
    headers: { Prefer: 'transient' },
  });
  expect((rows.data as { items: Array<{ n: string }> }).items[0]?.n).toBe('1');
});

test('faults can be read back and reset', async () => {
  await admin(stack, 'PUT', 'faults', { errorRate: 0.5, latency: { medianMs: 20, p99Ms: 80 } });
  expect((await admin(stack, 'GET', 'faults')).data).toMatchObject({
    errorRate: 0.5,
    latency: { medianMs: 20, p99Ms: 80 },
  });
  await admin(stack, 'POST', 'reset');
  expect((await admin(stack, 'GET', 'faults')).data).toMatchObject({ errorRate: 0, latency: null, seed: 42 });
});
