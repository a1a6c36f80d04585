/** Every way a NetSuite call can fail, from the real simulator over HTTP, becomes a VendorError of the right kind. */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { VendorError } from '../../../integrations/vendor-error';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { clientFor, customerBody, simAdmin, thrown } from './fixtures';

let sim: RunningNetSuiteSimulator;

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ faults: { seed: 1 } });
});
afterAll(() => sim.close());
afterEach(() => simAdmin.reset(sim));

async function failure(run: () => Promise<unknown>): Promise<VendorError> {
  const err = await thrown(run);
  expect(err).toBeInstanceOf(VendorError);
  return err as VendorError;
}

test('a wrong token secret ⇒ auth (401 INVALID_LOGIN); no secret in the message', async () => {
  const client = clientFor(sim, { tokenSecret: 'f'.repeat(64) });
  const err = await failure(() => client.getCustomerByExternalId('PD-ANY'));
  expect(err.kind).toBe('auth');
  expect(err.extra).toMatchObject({ status: 401, code: 'INVALID_LOGIN' });
  for (const secret of [
    sim.stackEntry.consumerSecret,
    sim.stackEntry.tokenSecret,
    sim.stackEntry.tokenId,
    'f'.repeat(64),
  ]) {
    expect(err.message).not.toContain(secret);
  }
});

test('a wrong realm (account id) ⇒ auth', async () => {
  const err = await failure(() => clientFor(sim, { accountId: '7654321' }).suiteql('SELECT id FROM term'));
  expect(err.kind).toBe('auth');
});

test('an injected 503 ⇒ transient, with Retry-After honoured when sent', async () => {
  await simAdmin.faults(sim, { errorRate: 1, errorStatuses: [503], retryAfterSeconds: 2 });
  const err = await failure(() => clientFor(sim).upsertCustomer('PD-503', customerBody('PD-503')));
  expect(err.kind).toBe('transient');
  expect(err.extra).toMatchObject({ status: 503, code: 'UNEXPECTED_ERROR', retryAfterMs: 2000 });
});

test('429 CONCURRENCY_LIMIT_EXCEEDED ⇒ transient with retryAfterMs from Retry-After, and without it when absent', async () => {
  const client = clientFor(sim);
  await simAdmin.faults(sim, { throttleNext: 1, retryAfterSeconds: 3 });
  const withHeader = await failure(() => client.getJob('1'));
  expect(withHeader).toMatchObject({
    kind: 'transient',
    extra: { status: 429, code: 'CONCURRENCY_LIMIT_EXCEEDED', retryAfterMs: 3000 },
  });

  await simAdmin.faults(sim, { throttleNext: 1, retryAfterSeconds: null });
  const without = await failure(() => client.getJob('1'));
  expect(without.kind).toBe('transient');
  expect(without.extra.retryAfterMs).toBeUndefined();
});

test('no answer within timeoutMs ⇒ transient timeout', async () => {
  await simAdmin.faults(sim, { timeoutRate: 1, timeoutMs: 2_000 });
  const started = Date.now();
  const err = await failure(() => clientFor(sim, { timeoutMs: 200 }).getCustomerByExternalId('PD-SLOW'));
  expect(Date.now() - started).toBeLessThan(1_500);
  expect(err.kind).toBe('transient');
  expect(err.extra.code).toBe('ETIMEDOUT');
  expect(err.message).toContain('no answer within 200 ms');
});

test('a dropped connection (socket hang up) ⇒ transient ECONNRESET', async () => {
  await simAdmin.faults(sim, { timeoutRate: 1, timeoutMs: 20 });
  const err = await failure(() => clientFor(sim).getCustomerByExternalId('PD-DROP'));
  expect(err).toMatchObject({ kind: 'transient', extra: { code: 'ECONNRESET' } });
});

test('nobody listening ⇒ transient ECONNREFUSED', async () => {
  // A port that was free a moment ago and is now closed.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const client = clientFor(sim, { baseUrl: `http://127.0.0.1:${port}` });
  const err = await failure(() => client.suiteql('SELECT id FROM term'));
  expect(err).toMatchObject({ kind: 'transient', extra: { code: 'ECONNREFUSED' } });
});

test('a SuiteQL syntax error ⇒ validation naming the q parameter', async () => {
  const err = await failure(() => clientFor(sim).suiteql('SELEC nonsense'));
  expect(err.kind).toBe('validation');
  expect(err.extra.details?.[0]).toMatchObject({ code: 'INVALID_PARAMETER', path: 'q' });
});
