/** SuiteQL: real SQL over NetSuite-named tables, read-only, with NetSuite's paging envelope. */
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { callNetSuite, firstError, type Stack } from './signed-client';

let sim: RunningNetSuiteSimulator;
let stack: Stack;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  stack = sim.stackEntry;
  for (let n = 1; n <= 5; n += 1) {
    await callNetSuite(stack, 'PUT', `record/v1/customer/eid:SQ-${n}`, {
      body: {
        companyName: `Query Co ${n}`,
        email: `ap${n}@query.example`,
        subsidiary: { id: String(n) },
        custentity_pd_deal_id: String(100 + n),
      },
    });
  }
});
afterAll(() => sim.close());

function suiteql(q: string, query = '', headers: Record<string, string> = { Prefer: 'transient' }) {
  return callNetSuite(stack, 'POST', `query/v1/suiteql${query}`, { body: { q }, headers });
}

type Page = {
  links: Array<{ rel: string; href: string }>;
  count: number;
  hasMore: boolean;
  offset: number;
  totalResults: number;
  items: Array<Record<string, unknown>>;
};

test('the lookup our activities use works (OR, LOWER, custom fields), values as strings, null columns left out', async () => {
  const r = await suiteql(
    "SELECT id, externalid, phone, custentity_pd_deal_id FROM customer WHERE email = 'nobody@x' OR LOWER(companyname) = LOWER('QUERY CO 3')",
  );
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toContain('application/vnd.oracle.resource+json; type=collection');
  const page = r.data as Page;
  expect(page.items).toEqual([
    { links: [], id: expect.stringMatching(/^\d+$/) as unknown, externalid: 'SQ-3', custentity_pd_deal_id: '103' },
  ]);
  const joined = await suiteql(
    "SELECT c.externalid, s.name AS subsidiaryname, s.country, NVL(c.phone, 'none') AS phone FROM customer c JOIN subsidiary s ON s.id = c.subsidiary WHERE c.externalid = 'SQ-4' FETCH FIRST 1 ROWS ONLY",
  );
  expect((joined.data as Page).items).toEqual([
    { links: [], externalid: 'SQ-4', subsidiaryname: 'Acme Canada Inc', country: 'CA', phone: 'none' },
  ]);
});

test('paging: limit/offset, count, hasMore, totalResults, self/first/previous/next/last links', async () => {
  const q = "SELECT externalid FROM customer WHERE externalid LIKE 'SQ-%' ORDER BY externalid";
  const base = `${stack.url}/services/rest/query/v1/suiteql`;
  const p0 = (await suiteql(q, '?limit=2&offset=0')).data as Page;
  expect(p0).toMatchObject({ count: 2, hasMore: true, offset: 0, totalResults: 5 });
  expect(p0.links).toEqual([
    { rel: 'first', href: `${base}?limit=2&offset=0` },
    { rel: 'self', href: `${base}?limit=2&offset=0` },
    { rel: 'next', href: `${base}?limit=2&offset=2` },
    { rel: 'last', href: `${base}?limit=2&offset=4` },
  ]);
  const p1 = (await suiteql(q, '?limit=2&offset=2')).data as Page;
  expect(p1.items.map((i) => i.externalid)).toEqual(['SQ-3', 'SQ-4']);
  expect(p1.links.map((l) => l.rel)).toEqual(['first', 'self', 'previous', 'next', 'last']);
  const p2 = (await suiteql(q, '?limit=2&offset=4')).data as Page;
  expect(p2).toMatchObject({ count: 1, hasMore: false, offset: 4, totalResults: 5 });
  expect(p2.links.map((l) => l.rel)).toEqual(['first', 'self', 'previous', 'last']);
  const all = (await suiteql(q)).data as Page;
  expect(all).toMatchObject({
    count: 5,
    hasMore: false,
    totalResults: 5,
    links: [{ rel: 'self', href: `${base}?limit=1000&offset=0` }],
  });

  const tooBig = await suiteql(q, '?limit=1001');
  expect(tooBig.status).toBe(400);
  expect(firstError(tooBig)).toMatchObject({ 'o:errorCode': 'INVALID_PARAMETER', 'o:errorQueryParam': 'limit' });
});

test.each([
  ["UPDATE customer SET companyname = 'Hacked'"],
  ['DELETE FROM customer'],
  ["INSERT INTO term (id, name, daysuntilnetdue) VALUES (9, 'Net 9', 9)"],
  ['WITH doomed AS (SELECT id FROM customer) DELETE FROM customer WHERE id IN (SELECT id FROM doomed)'],
  ['DROP TABLE customer'],
  ['SELECT 1; DELETE FROM customer'],
  ['SELECT * FROM sim_record'],
])('read-only: %s ⇒ 400 INVALID_PARAMETER on q, data untouched', async (q) => {
  const r = await suiteql(q);
  expect(r.status).toBe(400);
  expect(firstError(r)).toMatchObject({ 'o:errorCode': 'INVALID_PARAMETER', 'o:errorQueryParam': 'q' });
  const count = (await suiteql("SELECT COUNT(*) AS n FROM customer WHERE companyname LIKE 'Query Co %'")).data as Page;
  expect(count.items[0]?.n).toBe('5');
});

test('missing Prefer: transient ⇒ 400; SQL errors ⇒ 400 INVALID_PARAMETER', async () => {
  const noPrefer = await suiteql('SELECT id FROM customer', '', {});
  expect(noPrefer.status).toBe(400);
  expect(firstError(noPrefer)).toMatchObject({ 'o:errorHeader': 'Prefer' });
  const badColumn = await suiteql('SELECT nosuchcolumn FROM customer');
  expect(badColumn.status).toBe(400);
  expect(firstError(badColumn)).toMatchObject({ 'o:errorCode': 'INVALID_PARAMETER', 'o:errorQueryParam': 'q' });
});
