import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { startSlackSimulator, type RunningSlackSimulator } from '../../../sandbox/slack';
import { reviewCardBlocks, simGet, simPost, webClient } from './harness';

describe('Slack simulator Web API, driven by @slack/web-api WebClient', () => {
  let sim: RunningSlackSimulator;
  beforeAll(async () => {
    sim = await startSlackSimulator();
  });
  afterAll(async () => sim.close());
  beforeEach(async () => {
    await simPost(sim, '/__sim/reset', {});
  });

  it('exposes the stack entry and answers auth.test as the sandbox bot', async () => {
    expect(sim.stackEntry).toEqual({
      url: `${sim.url}/api/`,
      botToken: expect.stringMatching(/^xoxb-/),
      signingSecret: expect.any(String),
      appToken: expect.stringMatching(/^xapp-/),
      reviewChannel: 'C0REVIEW',
      reviewerIds: ['U0REVIEWER1', 'U0REVIEWER2'],
    });
    const auth = await webClient(sim).auth.test();
    expect(auth).toMatchObject({
      ok: true,
      team: 'Acme Sandbox',
      team_id: 'T0SANDBOX',
      user_id: 'U0SANDBOT',
      bot_id: 'B0SANDBOT',
      is_enterprise_install: false,
    });
  });

  it('posts a card with blocks, reads it back, updates it, and threads a reply', async () => {
    const client = webClient(sim);
    const blocks = reviewCardBlocks('PD-101');
    const posted = await client.chat.postMessage({
      channel: '#onboarding-review',
      text: 'Deal PD-101 needs review',
      blocks,
    });
    expect(posted).toMatchObject({ ok: true, channel: 'C0REVIEW', ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(posted.message).toMatchObject({ text: 'Deal PD-101 needs review', blocks, bot_id: 'B0SANDBOT' });
    const ts = posted.ts as string;

    const history = await client.conversations.history({ channel: 'C0REVIEW' });
    expect(history.messages).toHaveLength(1);
    expect(history.messages?.[0]).toMatchObject({ ts, text: 'Deal PD-101 needs review', blocks });
    expect(history).toMatchObject({ has_more: false, response_metadata: { next_cursor: '' } });

    const updated = await client.chat.update({
      channel: 'C0REVIEW',
      ts,
      text: 'Deal PD-101: retried by Rita',
      blocks: blocks.slice(0, 1),
    });
    expect(updated).toMatchObject({ ok: true, channel: 'C0REVIEW', ts, text: 'Deal PD-101: retried by Rita' });
    const afterUpdate = await client.conversations.history({ channel: 'C0REVIEW' });
    expect(afterUpdate.messages?.[0]).toMatchObject({
      ts,
      text: 'Deal PD-101: retried by Rita',
      blocks: blocks.slice(0, 1),
      edited: { user: 'U0SANDBOT' },
    });

    const reply = await client.chat.postMessage({
      channel: 'C0REVIEW',
      thread_ts: ts,
      text: 'Audit: decision recorded',
    });
    const thread = await client.conversations.replies({ channel: 'C0REVIEW', ts });
    expect(thread.messages?.map((m) => m.ts)).toEqual([ts, reply.ts]);
    expect(thread.messages?.[1]).toMatchObject({ thread_ts: ts, parent_user_id: 'U0SANDBOT' });

    // History holds top-level messages only; the parent carries the thread summary.
    const withThread = await client.conversations.history({ channel: 'C0REVIEW' });
    expect(withThread.messages).toHaveLength(1);
    expect(withThread.messages?.[0]).toMatchObject({
      ts,
      thread_ts: ts,
      reply_count: 1,
      latest_reply: reply.ts,
      reply_users: ['U0SANDBOT'],
    });
  });

  it('pages history newest first with Slack-style cursors and honours oldest/latest', async () => {
    const client = webClient(sim);
    const ts: string[] = [];
    for (const n of [1, 2, 3])
      ts.push((await client.chat.postMessage({ channel: 'C0ESCAL', text: `escalation ${n}` })).ts as string);
    const first = await client.conversations.history({ channel: 'C0ESCAL', limit: 2 });
    expect(first.messages?.map((m) => m.text)).toEqual(['escalation 3', 'escalation 2']);
    expect(first.has_more).toBe(true);
    const cursor = first.response_metadata?.next_cursor as string;
    expect(Buffer.from(cursor, 'base64').toString()).toBe(`next_ts:${ts[0]}`);
    const second = await client.conversations.history({ channel: 'C0ESCAL', limit: 2, cursor });
    expect(second.messages?.map((m) => m.text)).toEqual(['escalation 1']);
    expect(second.has_more).toBe(false);
    const windowed = await client.conversations.history({ channel: 'C0ESCAL', oldest: ts[0], latest: ts[2] });
    expect(windowed.messages?.map((m) => m.text)).toEqual(['escalation 2']);
  });

  it('keeps ephemeral messages out of history and shows them on the admin route', async () => {
    const client = webClient(sim);
    const eph = await client.chat.postEphemeral({
      channel: 'C0REVIEW',
      user: 'U0REVIEWER1',
      text: 'Only you can see this',
    });
    expect(eph).toMatchObject({ ok: true, message_ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect((await client.conversations.history({ channel: 'C0REVIEW' })).messages).toEqual([]);
    const admin = await simGet<{ ephemeral: unknown[] }>(sim, '/__sim/messages?channel=C0REVIEW');
    expect(admin.ephemeral).toEqual([
      expect.objectContaining({ user: 'U0REVIEWER1', message_ts: eph.message_ts, source: 'chat.postEphemeral' }),
    ]);
  });

  it('serves users.info for the seeded people', async () => {
    const client = webClient(sim);
    const rita = await client.users.info({ user: 'U0REVIEWER1' });
    expect(rita.user).toMatchObject({
      id: 'U0REVIEWER1',
      real_name: 'Rita Reviewer',
      profile: { real_name: 'Rita Reviewer' },
    });
    const otto = await client.users.info({ user: 'U0OUTSIDER' });
    expect(otto.user?.real_name).toBe('Otto Outsider');
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'user_not_found' },
    });
  });

  it('reports Slack errors as platform errors: invalid_auth, channel_not_found, message_not_found', async () => {
    const expectPlatformError = async (call: Promise<unknown>, error: string) => {
      const err = (await call.then(
        () => undefined,
        (e: unknown) => e,
      )) as WebAPIPlatformError | undefined;
      expect(err?.code).toBe(ErrorCode.PlatformError);
      expect(err?.data).toMatchObject({ ok: false, error });
    };
    await expectPlatformError(
      webClient(sim, 'xoxb-wrong').chat.postMessage({ channel: 'C0REVIEW', text: 'x' }),
      'invalid_auth',
    );
    await expectPlatformError(
      webClient(sim).chat.postMessage({ channel: 'C0NOWHERE', text: 'x' }),
      'channel_not_found',
    );
    await expectPlatformError(
      webClient(sim).chat.update({ channel: 'C0REVIEW', ts: '1700000000.000100', text: 'x' }),
      'message_not_found',
    );
    await expectPlatformError(
      webClient(sim).conversations.history({ channel: '#no-such-channel' }),
      'channel_not_found',
    );
  });

  it('accepts JSON bodies and the token form field, and says not_authed without a token', async () => {
    const api = sim.stackEntry.url;
    const json = await fetch(`${api}chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${sim.stackEntry.botToken}`,
      },
      body: JSON.stringify({ channel: 'C0REVIEW', text: 'json body', blocks: reviewCardBlocks('PD-7') }),
    });
    expect(await json.json()).toMatchObject({ ok: true, message: { blocks: reviewCardBlocks('PD-7') } });
    const form = await fetch(`${api}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: sim.stackEntry.botToken }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true, user_id: 'U0SANDBOT' });
    const none = await fetch(`${api}auth.test`, { method: 'POST' });
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({ ok: false, error: 'not_authed' });
    const broken = await fetch(`${api}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.stackEntry.botToken}` },
      body: '{"channel":',
    });
    expect(await broken.json()).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('reports granted and accepted scopes the way WebClient surfaces them', async () => {
    const res = await webClient(sim).conversations.history({ channel: 'C0REVIEW' });
    expect(res.response_metadata).toMatchObject({
      scopes: expect.arrayContaining(['chat:write', 'channels:history']),
      acceptedScopes: expect.arrayContaining(['channels:history']),
    });
  });
});

describe('Slack simulator rate limiting', () => {
  it('answers 429 with Retry-After once the per-minute budget is spent, and WebClient raises a rate-limited error', async () => {
    const sim = await startSlackSimulator({ rateLimit: { requestsPerMinute: 2 } });
    try {
      const client = webClient(sim);
      await client.auth.test();
      await client.auth.test();
      const raw = await fetch(`${sim.stackEntry.url}auth.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.stackEntry.botToken}` },
      });
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
      // rejectRateLimitedCalls: with retries 0 alone WebClient would still sleep Retry-After seconds before failing.
      const strict = new (await import('@slack/web-api')).WebClient(sim.stackEntry.botToken, {
        slackApiUrl: sim.stackEntry.url,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      });
      const err = (await strict.auth.test().then(
        () => undefined,
        (e: unknown) => e,
      )) as WebAPIRateLimitedError | undefined;
      expect(err?.code).toBe(ErrorCode.RateLimitedError);
      expect(err?.retryAfter).toBeGreaterThanOrEqual(1);

      const off = await fetch(`${sim.url}/__sim/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rateLimit: null }),
      });
      expect(await off.json()).toMatchObject({ rateLimit: null });
      await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
    } finally {
      await sim.close();
    }
  });
});

describe('Slack simulator persistence', () => {
  it('keeps messages and secrets across a restart on the same data file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slack-sim-'));
    const dataFile = join(dir, 'slack.json');
    try {
      const first = await startSlackSimulator({ dataFile });
      const posted = await webClient(first).chat.postMessage({ channel: 'C0REVIEW', text: 'survives restarts' });
      await first.close();
      const second = await startSlackSimulator({ dataFile });
      try {
        expect(second.stackEntry.botToken).toBe(first.stackEntry.botToken);
        expect(second.stackEntry.signingSecret).toBe(first.stackEntry.signingSecret);
        const history = await webClient(second).conversations.history({ channel: 'C0REVIEW' });
        expect(history.messages?.map((m) => [m.ts, m.text])).toEqual([[posted.ts, 'survives restarts']]);
        const next = await webClient(second).chat.postMessage({ channel: 'C0REVIEW', text: 'later' });
        expect(Number(next.ts)).toBeGreaterThan(Number(posted.ts));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
