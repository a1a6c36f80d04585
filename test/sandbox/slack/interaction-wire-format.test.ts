import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { startSlackSimulator, type RunningSlackSimulator } from '../../../sandbox/slack';
import { reviewCardBlocks, simGet, simPost, webClient } from './harness';

interface Captured {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** What the app's Request URL receives, byte for byte, checked without any Slack library in between. */
describe('Slack simulator interaction requests on the wire', () => {
  let sim: RunningSlackSimulator;
  let app: Server;
  let captured: Captured[] = [];
  beforeAll(async () => {
    sim = await startSlackSimulator({ signingSecret: 'test-signing-secret' });
    app = createServer((req, res) => {
      let rawBody = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (rawBody += chunk));
      req.on('end', () => {
        captured.push({ headers: req.headers, rawBody });
        res.end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    await fetch(`${sim.url}/__sim/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        interactivityUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}/slack/events`,
      }),
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => app.close(resolve));
    await sim.close();
  });
  beforeEach(async () => {
    await simPost(sim, '/__sim/reset', {});
    captured = [];
  });

  function payloadOf(c: Captured): Record<string, unknown> {
    const params = new URLSearchParams(c.rawBody);
    expect([...params.keys()]).toEqual(['payload']);
    return JSON.parse(params.get('payload') ?? '') as Record<string, unknown>;
  }

  it('posts payload=<json> as exactly application/x-www-form-urlencoded, with a v0 signature Bolt accepts', async () => {
    const posted = await webClient(sim).chat.postMessage({
      channel: 'C0REVIEW',
      text: 'review',
      blocks: reviewCardBlocks('PD-401'),
    });
    const click = await simPost<{ status: number; response_url: string; trigger_id: string }>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: posted.ts,
      action_id: 'review_cancel',
      user_id: 'U0REVIEWER1',
    });
    expect(click.json.status).toBe(200);
    const [c] = captured;
    if (!c) throw new Error('nothing delivered');
    expect(c.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const timestamp = Number(c.headers['x-slack-request-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(c.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    const verification = {
      body: c.rawBody,
      headers: { 'x-slack-signature': String(c.headers['x-slack-signature']), 'x-slack-request-timestamp': timestamp },
    };
    expect(isValidSlackRequest({ signingSecret: 'test-signing-secret', ...verification })).toBe(true);
    expect(isValidSlackRequest({ signingSecret: 'another-secret', ...verification })).toBe(false);

    expect(payloadOf(c)).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0REVIEWER1', username: 'rita.reviewer', name: 'rita.reviewer', team_id: 'T0SANDBOX' },
      api_app_id: 'A0SANDBOX',
      token: expect.any(String),
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0REVIEW', is_ephemeral: false },
      trigger_id: click.json.trigger_id,
      team: { id: 'T0SANDBOX', domain: 'acme-sandbox' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0REVIEW', name: 'onboarding-review' },
      message: { ts: posted.ts, text: 'review', blocks: reviewCardBlocks('PD-401') },
      state: { values: {} },
      response_url: click.json.response_url,
      actions: [
        {
          action_id: 'review_cancel',
          block_id: 'review:PD-401',
          text: { type: 'plain_text', text: 'Cancel' },
          value: 'cancel:PD-401',
          type: 'button',
          action_ts: expect.stringMatching(/^\d+\.\d{6}$/),
        },
      ],
    });
  });

  it('sends no message body for a click on an ephemeral message, like Slack', async () => {
    const eph = await webClient(sim).chat.postEphemeral({
      channel: 'C0REVIEW',
      user: 'U0REVIEWER1',
      text: 'just you',
      blocks: reviewCardBlocks('PD-402'),
    });
    await simPost(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: eph.message_ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
    });
    const payload = payloadOf(captured[0] as Captured);
    expect(payload.container).toMatchObject({ message_ts: eph.message_ts, is_ephemeral: true });
    expect(payload.message).toBeUndefined();
    expect(payload.actions).toEqual([expect.objectContaining({ value: 'retry:PD-402' })]);
  });

  it('serves response_url up to 5 times: in_channel posts, delete_original removes, then used_url', async () => {
    const posted = await webClient(sim).chat.postMessage({
      channel: 'C0REVIEW',
      text: 'review',
      blocks: reviewCardBlocks('PD-403'),
    });
    const click = await simPost<{ response_url: string }>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: posted.ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER2',
    });
    const respond = (body: unknown) =>
      fetch(click.json.response_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const inChannel = await respond({ response_type: 'in_channel', text: 'Bea asked for a retry' });
    expect(inChannel.status).toBe(200);
    expect(await inChannel.json()).toEqual({ ok: true });
    let history = await webClient(sim).conversations.history({ channel: 'C0REVIEW' });
    expect(history.messages?.map((m) => m.text)).toEqual(['Bea asked for a retry', 'review']);
    expect((await respond({ delete_original: true })).status).toBe(200);
    history = await webClient(sim).conversations.history({ channel: 'C0REVIEW' });
    expect(history.messages?.map((m) => m.text)).toEqual(['Bea asked for a retry']);
    for (let i = 0; i < 3; i++) expect((await respond({ text: `note ${i}` })).status).toBe(200);
    const sixth = await respond({ text: 'one too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    const admin = await simGet<{ responses: { effect: string }[] }>(sim, '/__sim/messages?channel=C0REVIEW');
    expect(admin.responses.map((r) => r.effect)).toEqual([
      'in_channel',
      'deleted',
      'ephemeral',
      'ephemeral',
      'ephemeral',
    ]);
  });

  it('reports a missing interactivity URL instead of pretending to deliver', async () => {
    const bare = await startSlackSimulator();
    try {
      const posted = await webClient(bare).chat.postMessage({ channel: 'C0REVIEW', text: 'x' });
      const res = await simPost(bare, '/__sim/click', {
        channel: 'C0REVIEW',
        message_ts: posted.ts,
        action_id: 'a',
        user_id: 'U0REVIEWER1',
      });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ ok: false, error: 'no_interactivity_url' });
    } finally {
      await bare.close();
    }
  });
});
