/** Auth failures, the burst rate limit and list paging answer with Pipedrive's envelopes and headers. */
import { v2 } from 'pipedrive';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { http } from './pipedrive-http';

const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

describe('pipedrive simulator auth, rate limit and paging', () => {
  let sim: RunningPipedriveSimulator;
  let token: Record<string, string>;

  beforeAll(async () => {
    sim = await startPipedriveSimulator({
      apiToken: 'test-token-0123456789',
      burstLimit: { requests: 5, windowMs: 60_000 },
    });
    token = { 'x-api-token': sim.stackEntry.apiToken };
  });

  afterAll(async () => {
    await sim.close();
  });

  test('a missing or wrong token gets 401 with the error envelope, on v1 and v2', async () => {
    for (const [url, headers] of [
      [`${sim.url}/api/v2/deals`, {}],
      [`${sim.url}/api/v2/deals`, { 'x-api-token': 'wrong' }],
      [`${sim.url}/v1/deals?api_token=wrong`, {}],
    ] as const) {
      const res = await http('GET', url, undefined, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        success: false,
        error: 'unauthorized access',
        error_info: ERROR_INFO,
        data: null,
        additional_data: null,
      });
    }
    // The official client surfaces the same body.
    const client = new v2.DealsApi(new v2.Configuration({ apiKey: 'wrong', basePath: `${sim.url}/api/v2` }));
    await expect(client.getDeals()).rejects.toMatchObject({ success: false, error: 'unauthorized access' });
  });

  test('cursor paging walks every v2 deal once; v1 pages with start/limit', async () => {
    const fresh = await startPipedriveSimulator();
    try {
      const auth = { 'x-api-token': fresh.stackEntry.apiToken };
      for (let i = 0; i < 5; i += 1) await http('POST', `${fresh.url}/api/v2/deals`, { title: `Paged ${i}` }, auth);
      const all = (await http('GET', `${fresh.url}/api/v2/deals?limit=500`, undefined, auth)).body.data as Array<{
        id: number;
      }>;
      expect(all.length).toBe(11);

      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await http('GET', `${fresh.url}/api/v2/deals?${query}`, undefined, auth);
        expect(res.status).toBe(200);
        expect(res.body.success).toBe(true);
        seen.push(...(res.body.data as Array<{ id: number }>).map((d) => d.id));
        cursor = res.body.additional_data.next_cursor as string | null;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(all.map((d) => d.id));

      const v1Page = await http('GET', `${fresh.url}/v1/deals?start=8&limit=2`, undefined, auth);
      expect(v1Page.body.additional_data.pagination).toEqual({
        start: 8,
        limit: 2,
        more_items_in_collection: true,
        next_start: 10,
      });
      expect(v1Page.body.data).toHaveLength(2);

      const missing = await http('GET', `${fresh.url}/api/v2/deals/9999`, undefined, auth);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ success: false, error_info: ERROR_INFO, data: null });
    } finally {
      await fresh.close();
    }
  });

  test('over the burst limit the token gets 429 with x-ratelimit headers; they are on normal answers too', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof http>> | undefined;
    let firstOk: Awaited<ReturnType<typeof http>> | undefined;
    for (let i = 0; i < 7; i += 1) {
      last = await http('GET', `${sim.url}/api/v2/stages`, undefined, token);
      statuses.push(last.status);
      if (i === 0) firstOk = last;
    }
    // The 401 test above spent no budget: only valid tokens are counted.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(firstOk?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(firstOk?.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(last?.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60);
    expect(last?.body).toMatchObject({ success: false, error_info: ERROR_INFO, data: null, additional_data: null });
    expect(typeof last?.body.error).toBe('string');
  });
});
