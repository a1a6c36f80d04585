/** The vendor's own npm client (ehmad11/netsuite-rest, OAuth 1.0a TBA over got) works unchanged against the simulator. */
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';

interface GotLikeResponse {
  statusCode: number;
  rawHeaders: string[];
  data: unknown;
}

/**
 * netsuite-rest's afterResponse hook spreads got's response into a plain object; on Node ≥ 16 `headers` is a prototype
 * getter and is lost, so the Location header is read from the own `rawHeaders` list instead.
 */
function header(response: GotLikeResponse, name: string): string | undefined {
  const i = response.rawHeaders.findIndex((h, n) => n % 2 === 0 && h.toLowerCase() === name.toLowerCase());
  return i < 0 ? undefined : response.rawHeaders[i + 1];
}
interface NetsuiteRestClient {
  request(opts: {
    path: string;
    method?: string;
    body?: string;
    heads?: Record<string, string>;
  }): Promise<GotLikeResponse>;
}
type NetsuiteRestCtor = new (options: Record<string, string>) => NetsuiteRestClient;

// netsuite-rest ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NetsuiteRest = require('netsuite-rest') as NetsuiteRestCtor;

let sim: RunningNetSuiteSimulator;
let client: NetsuiteRestClient;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  const s = sim.stackEntry;
  client = new NetsuiteRest({
    consumer_key: s.consumerKey,
    consumer_secret_key: s.consumerSecret,
    token: s.tokenId,
    token_secret: s.tokenSecret,
    realm: s.accountId,
    // The client's documented override of https://<account>.suitetalk.api.netsuite.com; it appends /services/rest/.
    base_url: s.url,
  });
});
afterAll(() => sim.close());

test('creates a customer, reads it back by internal id and by eid:', async () => {
  const created = await client.request({
    path: 'record/v1/customer',
    method: 'POST',
    body: JSON.stringify({
      externalId: 'PD-DEAL-123',
      companyName: 'Acme Ltd',
      isPerson: false,
      email: 'ap@acme.example',
      subsidiary: { id: '1' },
      terms: { id: '2' },
      custentity_pd_deal_id: '123',
    }),
  });
  expect(created.statusCode).toBe(204);
  expect(created.data).toBeNull();
  const location = header(created, 'location') ?? '';
  expect(location).toMatch(new RegExp(`^${sim.url}/services/rest/record/v1/customer/\\d+$`));
  const id = location.slice(location.lastIndexOf('/') + 1);

  const byId = await client.request({ path: `record/v1/customer/${id}` });
  expect(byId.statusCode).toBe(200);
  expect(byId.data).toMatchObject({
    id,
    externalId: 'PD-DEAL-123',
    companyName: 'Acme Ltd',
    email: 'ap@acme.example',
    isPerson: false,
    custentity_pd_deal_id: '123',
    subsidiary: { id: '1', refName: 'Parent Company' },
    terms: { id: '2', refName: 'Net 30' },
    links: [{ rel: 'self', href: location }],
  });

  const byEid = await client.request({ path: 'record/v1/customer/eid:PD-DEAL-123' });
  expect(byEid.data).toEqual(byId.data);
});

test('runs a SuiteQL query and pages through it with limit/offset', async () => {
  for (const n of [1, 2, 3, 4]) {
    await client.request({
      path: 'record/v1/customer',
      method: 'POST',
      body: JSON.stringify({ externalId: `PAGE-${n}`, companyName: `Paging Co ${n}`, subsidiary: { id: '2' } }),
    });
  }
  const q = JSON.stringify({
    q: "SELECT id, externalid, companyname FROM customer WHERE externalid LIKE 'PAGE-%' ORDER BY externalid",
  });
  // The client adds `Prefer: transient` itself whenever a body is sent.
  const first = await client.request({ path: 'query/v1/suiteql?limit=3&offset=0', method: 'POST', body: q });
  expect(first.statusCode).toBe(200);
  const page1 = first.data as {
    count: number;
    hasMore: boolean;
    totalResults: number;
    offset: number;
    items: Array<Record<string, unknown>>;
    links: Array<{ rel: string; href: string }>;
  };
  expect(page1).toMatchObject({ count: 3, hasMore: true, totalResults: 4, offset: 0 });
  expect(page1.items.map((i) => i.externalid)).toEqual(['PAGE-1', 'PAGE-2', 'PAGE-3']);
  expect(page1.items[0]).toMatchObject({ links: [], companyname: 'Paging Co 1' });
  const next = page1.links.find((l) => l.rel === 'next')?.href ?? '';
  expect(next).toBe(`${sim.url}/services/rest/query/v1/suiteql?limit=3&offset=3`);

  const second = await client.request({
    path: next.slice(`${sim.url}/services/rest/`.length),
    method: 'POST',
    body: q,
  });
  expect(second.data).toMatchObject({
    count: 1,
    hasMore: false,
    totalResults: 4,
    offset: 3,
    items: [{ externalid: 'PAGE-4' }],
  });
});

test('errors surface through the client as NetSuite error bodies', async () => {
  const failure = await client.request({ path: 'record/v1/customer/eid:NOPE' }).then(
    () => undefined,
    (err: { response?: { statusCode: number; body: string } }) => err.response,
  );
  expect(failure?.statusCode).toBe(404);
  expect(JSON.parse(failure?.body ?? '{}')).toMatchObject({
    status: 404,
    'o:errorDetails': [
      {
        'o:errorCode': 'NONEXISTENT_ID',
        detail: 'The record instance does not exist. Provide a valid record instance ID.',
      },
    ],
  });
});
