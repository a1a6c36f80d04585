/** TBA signing: the header NetSuite expects, and query strings signed exactly as sent (encoded once). */
import { createHmac } from 'node:crypto';
import { createTbaSigner } from '../../../integrations/netsuite';
import { NetSuiteHttp } from '../../../integrations/netsuite/netsuite-http';
import { startNetSuiteSimulator } from '../../../sandbox/netsuite';

const credentials = {
  accountId: '1234567_SB1',
  consumerKey: 'ck',
  consumerSecret: 'cs',
  tokenId: 'tk',
  tokenSecret: 'ts',
};

function headerParams(header: string): Record<string, string> {
  return Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', decodeURIComponent(m[2] ?? '')]),
  );
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

test('header: realm = account id, HMAC-SHA256, version 1.0, and a signature recomputable from RFC 5849', () => {
  const url = 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=10&offset=20';
  const header = createTbaSigner(credentials)('post', url);
  const p = headerParams(header);
  expect(header.startsWith('OAuth realm="1234567_SB1"')).toBe(true);
  expect(p).toMatchObject({
    oauth_consumer_key: 'ck',
    oauth_token: 'tk',
    oauth_signature_method: 'HMAC-SHA256',
    oauth_version: '1.0',
  });

  const params: Array<[string, string]> = [
    ['limit', '10'],
    ['offset', '20'],
    ...Object.entries(p).filter(([k]) => k.startsWith('oauth_') && k !== 'oauth_signature'),
  ];
  const normalized = params
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const base = `POST&${enc(url.split('?')[0] ?? '')}&${enc(normalized)}`;
  expect(p.oauth_signature).toBe(createHmac('sha256', 'cs&ts').update(base).digest('base64'));
});

test('two calls get different nonces', () => {
  const sign = createTbaSigner(credentials);
  const a = headerParams(sign('GET', 'http://h/x'));
  const b = headerParams(sign('GET', 'http://h/x'));
  expect(a.oauth_nonce).not.toBe(b.oauth_nonce);
});

test('a query with spaces, quotes and a colon is accepted by the simulator (signed as sent, encoded once)', async () => {
  const sim = await startNetSuiteSimulator();
  try {
    const { url, ...creds } = sim.stackEntry;
    const http = new NetSuiteHttp({ baseUrl: `${url}/`, ...creds, concurrencyLimit: 1 });
    const response = await http.request('GET', 'record/v1/customer', {
      query: { q: 'externalId IS "PD:A B"', limit: 5 },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ count: 0, totalResults: 0 });
  } finally {
    await sim.close();
  }
});
