/**
 * What the Pipedrive client accepts from the other end (integrations/pipedrive/response-limits.ts), against plain
 * local HTTP servers playing a hostile or broken Pipedrive: a redirect is not followed (the token would go with it),
 * an oversized answer is refused, an endless or looping listing stops, an id that is not digits never becomes a URL
 * path, and a vendor's Retry-After is clamped (integrations/vendor-error.ts) before it pauses anything.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PipedriveClient } from '../../../integrations/pipedrive';
import { PipedriveRateGate, rateAnswerOf } from '../../../integrations/pipedrive/rate-gate';
import { MAX_RESPONSE_BYTES } from '../../../integrations/pipedrive/response-limits';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, VendorError } from '../../../integrations/vendor-error';
import { toSlackVendorError } from '../../../integrations/slack/slack-error';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

async function serve(
  handler: (url: string, res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    handler(req.url ?? '', res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const json = (res: import('node:http').ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const client = (apiUrl: string) =>
  new PipedriveClient({ apiUrl, apiToken: 'SECRET-TOKEN', rateGate: false, timeoutMs: 20_000 });

describe('Pipedrive client limits', () => {
  it('does not follow a redirect: the token never reaches the host the redirect names', async () => {
    const elsewhere = await serve((_url, res) => json(res, { success: true, data: { id: 1 } }));
    const pipedrive = await serve((url, res) => {
      res.writeHead(302, { location: `${elsewhere.url}${url}` });
      res.end();
    });
    try {
      const err = await client(pipedrive.url)
        .getCurrentUserId()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect(err).toMatchObject({
        kind: 'validation',
        extra: expect.objectContaining({ status: 302, code: 'redirect_refused' }),
      });
      expect(pipedrive.seen).toHaveLength(1);
      expect(elsewhere.seen).toEqual([]);
    } finally {
      await elsewhere.close();
      await pipedrive.close();
    }
  });

  it('refuses an answer larger than it accepts, as a non-retryable failure', async () => {
    const big = `{"success":true,"data":{"id":1,"pad":"${'x'.repeat(MAX_RESPONSE_BYTES)}"}}`;
    const pipedrive = await serve((_url, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
    });
    try {
      await expect(client(pipedrive.url).getCurrentUserId()).rejects.toMatchObject({
        kind: 'validation',
        extra: expect.objectContaining({ code: 'response_too_large' }),
      });
    } finally {
      await pipedrive.close();
    }
  });

  it('stops a listing whose cursor comes back, and one that never ends', async () => {
    const looping = await serve((_url, res) =>
      json(res, { success: true, data: [], additional_data: { next_cursor: 'same' } }),
    );
    let n = 0;
    const endless = await serve((_url, res) =>
      json(res, { success: true, data: [], additional_data: { next_cursor: `c${(n += 1)}` } }),
    );
    try {
      await expect(client(looping.url).findStageIdsByName('Contract Signed')).rejects.toMatchObject({
        extra: expect.objectContaining({ code: 'cursor_loop' }),
      });
      expect(looping.seen).toHaveLength(2);
      await expect(client(endless.url).findStageIdsByName('Contract Signed')).rejects.toMatchObject({
        extra: expect.objectContaining({ code: 'too_many_pages' }),
      });
      expect(endless.seen).toHaveLength(101);
    } finally {
      await looping.close();
      await endless.close();
    }
  });

  it('an id of ".", ".." or a path never becomes a URL path: refused before any request', async () => {
    const pipedrive = await serve((_url, res) => json(res, { success: true, data: {} }));
    try {
      const c = client(pipedrive.url);
      for (const id of ['.', '..', '../users/me', '1/../../v1/webhooks', '', '1e3']) {
        await expect(c.fetchResolvedDeal(id)).rejects.toMatchObject({
          kind: 'validation',
          extra: expect.objectContaining({ code: 'invalid_id' }),
        });
        await expect(c.updateRecord('persons', id, { name: 'x' })).rejects.toMatchObject({
          extra: expect.objectContaining({ code: 'invalid_id' }),
        });
        await expect(c.addDealNote(id, 'x')).rejects.toMatchObject({
          extra: expect.objectContaining({ code: 'invalid_id' }),
        });
      }
      expect(pipedrive.seen).toEqual([]);
    } finally {
      await pipedrive.close();
    }
  });
});

describe('Retry-After is clamped', () => {
  it('to MAX_RETRY_AFTER_MS, as seconds and as an HTTP date', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(300_000);
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter('86400')).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('1e12')).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', Date.UTC(2026, 0, 1))).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.UTC(2026, 0, 1))).toBe(10_000);
  });

  it('so a 429 saying "a day" pauses the Pipedrive rate gate for at most that', async () => {
    let now = 0;
    const gate = new PipedriveRateGate({ now: () => now, sleep: async (ms) => void (now += ms) });
    await gate.acquire();
    gate.observe(rateAnswerOf(429, { 'retry-after': '86400', 'x-ratelimit-reset': '86400' }));
    await gate.acquire();
    expect(now).toBe(MAX_RETRY_AFTER_MS);
  });

  it("and Slack's rate-limit wait too", () => {
    const err = toSlackVendorError(
      Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 7 * 24 * 3600 }),
      'chat.postMessage',
    );
    expect(err.extra.retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
  });
});
