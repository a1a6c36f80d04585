/**
 * The simulator's Socket Mode against Bolt's own SocketModeReceiver (@slack/socket-mode over undici's WebSocket):
 * apps.connections.open with the app-level token only, the hello, a click as an `interactive` envelope acked by
 * envelope_id, a view submission whose ack carries a response_action; plus user groups and users.lookupByEmail.
 */
import {
  App,
  LogLevel,
  SocketModeReceiver,
  type BlockAction,
  type ButtonAction,
  type ViewSubmitAction,
} from '@slack/bolt';
import { startSlackSimulator, type RunningSlackSimulator } from '../../../sandbox/slack';
import { acceptKey } from '../../../sandbox/slack/websocket-server';
import { deferred, reviewCardBlocks, simGet, simPost, webClient } from './harness';

interface Delivery {
  status: number;
  body: string;
  ackedInTime: boolean;
  trigger_id: string;
  view_status?: string;
  error?: string;
}

describe('Slack simulator: Socket Mode, user groups, users.lookupByEmail', () => {
  let sim: RunningSlackSimulator;
  let app: App;
  let clicks: BlockAction<ButtonAction>[] = [];
  let clicked = deferred<void>();

  beforeAll(async () => {
    sim = await startSlackSimulator({ socketMode: true });
    const receiver = new SocketModeReceiver({
      appToken: sim.stackEntry.appToken,
      logLevel: LogLevel.ERROR,
      installerOptions: { clientOptions: { slackApiUrl: sim.stackEntry.url, retryConfig: { retries: 0 } } },
    });
    app = new App({
      token: sim.stackEntry.botToken,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: sim.stackEntry.url, retryConfig: { retries: 0 } },
    });
    app.action<BlockAction<ButtonAction>>('review_retry', async ({ ack, body, client }) => {
      await ack();
      clicks.push(body);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'fix',
          title: { type: 'plain_text', text: 'Fix' },
          submit: { type: 'plain_text', text: 'Go' },
          blocks: [
            {
              type: 'input',
              block_id: 'tax',
              label: { type: 'plain_text', text: 'Tax id' },
              element: { type: 'plain_text_input', action_id: 'v' },
            },
          ],
        },
      });
      clicked.resolve();
    });
    app.view<ViewSubmitAction>('fix', async ({ ack, view }) => {
      const value = view.state.values.tax?.v?.value ?? '';
      await ack(value === 'bad' ? { response_action: 'errors', errors: { tax: 'Not a tax id' } } : undefined);
    });
    await app.start();
  });
  afterAll(async () => {
    await app?.stop();
    await sim?.close();
  });

  it('hands out a ws:// URL only for the app-level token', async () => {
    const opened = (await webClient(sim, sim.stackEntry.appToken).apps.connections.open()) as {
      ok: boolean;
      url?: string;
    };
    expect(opened.ok).toBe(true);
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0SANDBOX$/);
    await expect(webClient(sim).apps.connections.open()).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    await expect(webClient(sim, sim.stackEntry.appToken).auth.test()).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    await expect(webClient(sim, 'xapp-1-wrong').apps.connections.open()).rejects.toMatchObject({
      data: { error: 'invalid_auth' },
    });
  });

  it('refuses a WebSocket upgrade without a valid ticket, and computes the RFC 6455 accept key', async () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const res = await fetch(`${sim.url}/link/?ticket=nope`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'x', 'sec-websocket-version': '13' },
    }).catch((err: unknown) => err as Error);
    // fetch refuses to speak WebSocket; what matters is the simulator never reports the connection as open.
    expect(res).toBeDefined();
    const config = await simGet<{ socketMode: boolean; socketConnections: number }>(sim, '/__sim/config');
    expect(config).toMatchObject({ socketMode: true, socketConnections: 1 });
  });

  it('delivers a click as an interactive envelope the app acks on the socket; a view submission ack carries its response_action', async () => {
    clicks = [];
    clicked = deferred<void>();
    const posted = await webClient(sim).chat.postMessage({
      channel: 'C0REVIEW',
      text: 'card',
      blocks: reviewCardBlocks('PD-9'),
    });
    const click = await simPost<Delivery>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: posted.ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
    });
    expect(click.status).toBe(200);
    expect(click.json).toMatchObject({ status: 200, ackedInTime: true });
    await clicked.promise;
    expect(clicks[0]).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0REVIEWER1' },
      trigger_id: click.json.trigger_id,
    });

    const { views } = await simGet<{ views: Array<{ id: string; status: string }> }>(sim, '/__sim/views');
    const view = views.find((v) => v.status === 'open')!;
    const refused = await simPost<Delivery>(sim, '/__sim/submit-view', {
      view_id: view.id,
      values: { tax: { v: { type: 'plain_text_input', value: 'bad' } } },
    });
    expect(refused.json).toMatchObject({ status: 200, view_status: 'open' });
    expect(JSON.parse(refused.json.body)).toEqual({ response_action: 'errors', errors: { tax: 'Not a tax id' } });
    const accepted = await simPost<Delivery>(sim, '/__sim/submit-view', {
      view_id: view.id,
      values: { tax: { v: { type: 'plain_text_input', value: 'DE123' } } },
    });
    expect(accepted.json).toMatchObject({ status: 200, view_status: 'closed' });

    // Forgeries are an HTTP notion; over the socket they are refused as a bad admin request.
    const forged = await simPost<Delivery>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: posted.ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
      signWith: 'x',
    });
    expect(forged).toMatchObject({ status: 400, json: { error: 'forgery_needs_http' } });
  });

  it('serves user groups seeded through the admin route, and finds people by e-mail', async () => {
    expect(
      (
        await fetch(`${sim.url}/__sim/usergroups/S0BILLING`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ handle: 'billing-leads', users: ['U0OUTSIDER'] }),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await fetch(`${sim.url}/__sim/usergroups/S0BAD`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ users: ['U0NOBODY'] }),
        })
      ).status,
    ).toBe(404);
    const web = webClient(sim);
    expect(await web.usergroups.users.list({ usergroup: 'S0BILLING' })).toMatchObject({
      ok: true,
      users: ['U0OUTSIDER'],
    });
    await expect(web.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
    expect(await web.usergroups.list()).toMatchObject({
      usergroups: [expect.objectContaining({ id: 'S0BILLING', handle: 'billing-leads', user_count: 1 })],
    });
    // Groups are workspace configuration: a reset keeps them.
    await simPost(sim, '/__sim/reset', {});
    expect((await web.usergroups.users.list({ usergroup: 'S0BILLING' })).users).toEqual(['U0OUTSIDER']);

    expect(await web.users.lookupByEmail({ email: 'bea.billing@acme-sandbox.example' })).toMatchObject({
      ok: true,
      user: { id: 'U0REVIEWER2' },
    });
    await expect(web.users.lookupByEmail({ email: 'nobody@acme-sandbox.example' })).rejects.toMatchObject({
      data: { error: 'users_not_found' },
    });
  });
});
