/** Every /services/rest request is checked as NetSuite TBA does; each failure is the same 401 INVALID_LOGIN. */
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { callNetSuite, firstError, signRequest, type Stack } from './signed-client';
import axios from 'axios';

let sim: RunningNetSuiteSimulator;
let stack: Stack;

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ credentials: { accountId: '7654321_SB2' } });
  stack = sim.stackEntry;
});
afterAll(() => sim.close());

function expectInvalidLogin(response: { status: number; headers: Record<string, unknown>; data: unknown }): void {
  expect(response.status).toBe(401);
  expect(response.headers['www-authenticate']).toBe(
    'OAuth realm="7654321_SB2", error="token_rejected", error_description="Invalid login attempt."',
  );
  expect(response.headers['content-type']).toContain('application/vnd.oracle.resource+json; type=error');
  expect(response.data).toMatchObject({
    status: 401,
    title: 'Unauthorized',
    type: expect.stringContaining('rfc9110') as unknown,
  });
  expect(firstError(response as never)['o:errorCode']).toBe('INVALID_LOGIN');
}

test('a correctly signed request passes, including signed query parameters', async () => {
  const ok = await callNetSuite(stack, 'GET', 'record/v1/subsidiary/2?expandSubResources=true');
  expect(ok.status).toBe(200);
  expect(ok.data).toMatchObject({ id: '2', name: 'Acme UK Ltd', country: 'GB' });
});

test.each([
  ['wrong consumer secret', { consumerSecret: 'not-the-secret' }],
  ['wrong token secret', { tokenSecret: 'not-the-secret' }],
  ['unknown consumer key', { consumerKey: 'someone-else' }],
  ['unknown token', { tokenId: 'someone-else' }],
  ['realm that is not the account id', { accountId: '7654321-sb2' }],
  ['HMAC-SHA1 (retired in 2023.1)', { signatureMethod: 'HMAC-SHA1' }],
  ['stale timestamp (6 minutes old)', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
  ['timestamp from the future', { timestamp: Math.floor(Date.now() / 1000) + 360 }],
])('%s ⇒ 401 INVALID_LOGIN', async (_name, signer) => {
  expectInvalidLogin(await callNetSuite(stack, 'GET', 'record/v1/subsidiary/1', { signer }));
});

test('a signature over a different URL or query ⇒ 401', async () => {
  const signedFor = `${stack.url}/services/rest/query/v1/suiteql?limit=5`;
  const authorization = signRequest(stack, 'POST', signedFor);
  const tampered = await callNetSuite(stack, 'POST', 'query/v1/suiteql?limit=6', {
    authorization,
    body: { q: 'SELECT id FROM subsidiary' },
    headers: { Prefer: 'transient' },
  });
  expectInvalidLogin(tampered);
  const otherMethod = await callNetSuite(stack, 'GET', 'query/v1/suiteql?limit=5', {
    authorization: signRequest(stack, 'POST', signedFor),
  });
  expectInvalidLogin(otherMethod);
});

test('query values with spaces and quotes are signed decoded and re-encoded once (RFC 5849); double encoding fails', async () => {
  const path = 'record/v1/customer?q=externalId%20IS%20%22NOBODY%22&limit=5';
  const ok = await callNetSuite(stack, 'GET', path);
  expect(ok.status).toBe(200);
  expect(ok.data).toMatchObject({ totalResults: 0, items: [] });
  const doubleEncoded = await callNetSuite(stack, 'GET', path, {
    authorization: signRequest(
      stack,
      'GET',
      `${stack.url}/services/rest/record/v1/customer?q=externalId%2520IS%2520%2522NOBODY%2522&limit=5`,
    ),
  });
  expectInvalidLogin(doubleEncoded);
});

test('a replayed nonce ⇒ 401, even with a valid signature', async () => {
  const authorization = signRequest(stack, 'GET', `${stack.url}/services/rest/record/v1/term/2`);
  expect((await callNetSuite(stack, 'GET', 'record/v1/term/2', { authorization })).status).toBe(200);
  expectInvalidLogin(await callNetSuite(stack, 'GET', 'record/v1/term/2', { authorization }));
});

test('no Authorization header, or a Bearer one ⇒ 401', async () => {
  const url = `${stack.url}/services/rest/record/v1/term/1`;
  expectInvalidLogin(await axios.get(url, { validateStatus: () => true }));
  expectInvalidLogin(await axios.get(url, { headers: { Authorization: 'Bearer abc' }, validateStatus: () => true }));
});
