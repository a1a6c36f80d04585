import type { BlockAction, ButtonAction } from '@slack/bolt';
import { startSlackSimulator, type RunningSlackSimulator } from '../../../sandbox/slack';
import { deferred, reviewCardBlocks, simGet, simPost, startBolt, webClient, type RunningBolt } from './harness';

interface ClickResult {
  status: number;
  body: string;
  durationMs: number;
  ackedInTime: boolean;
  trigger_id: string;
  response_url: string;
}

describe('Slack simulator interactivity reaching a Bolt app over HTTP', () => {
  let sim: RunningSlackSimulator;
  let bolt: RunningBolt;
  let seen: BlockAction<ButtonAction>[] = [];
  let handled = deferred<void>();

  beforeAll(async () => {
    sim = await startSlackSimulator();
    bolt = await startBolt(sim, (app) => {
      app.action<BlockAction<ButtonAction>>('review_retry', async ({ ack, body, action, client, respond }) => {
        await ack();
        seen.push(body);
        try {
          const channel = body.channel?.id ?? '';
          const ts = body.message?.ts ?? '';
          await client.chat.update({ channel, ts, text: `Retry requested by <@${body.user.id}>`, blocks: [] });
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: `Retrying ${action.value ?? ''}`,
          });
          handled.resolve();
        } catch (err) {
          handled.reject(err);
        }
      });
      app.action<BlockAction<ButtonAction>>('review_cancel', async ({ ack, body, respond }) => {
        await ack();
        seen.push(body);
        await respond({
          replace_original: true,
          text: 'Cancelled',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Cancelled' } }],
        });
        handled.resolve();
      });
    });
  });
  afterAll(async () => {
    await bolt.stop();
    await sim.close();
  });
  beforeEach(async () => {
    await simPost(sim, '/__sim/reset', {});
    seen = [];
    handled = deferred<void>();
  });

  async function postCard(dealId: string): Promise<string> {
    const posted = await webClient(sim).chat.postMessage({
      channel: 'C0REVIEW',
      text: `Deal ${dealId} needs review`,
      blocks: reviewCardBlocks(dealId),
    });
    return posted.ts as string;
  }

  it('delivers a signed block_actions click; the handler acks in time, updates the card and responds via response_url', async () => {
    const ts = await postCard('PD-201');
    const click = await simPost<ClickResult>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
    });
    expect(click.status).toBe(200);
    expect(click.json).toMatchObject({ status: 200, ackedInTime: true });
    expect(click.json.durationMs).toBeLessThan(3000);
    await handled.promise;

    expect(seen).toHaveLength(1);
    const body = seen[0] as BlockAction<ButtonAction>;
    expect(body.user).toMatchObject({ id: 'U0REVIEWER1', team_id: 'T0SANDBOX' });
    expect(body.channel).toEqual({ id: 'C0REVIEW', name: 'onboarding-review' });
    expect(body.actions[0]).toMatchObject({
      action_id: 'review_retry',
      block_id: 'review:PD-201',
      value: 'retry:PD-201',
      text: { type: 'plain_text', text: 'Retry' },
      type: 'button',
    });
    expect(body.message).toMatchObject({ ts, blocks: reviewCardBlocks('PD-201') });
    expect(body.container).toMatchObject({
      type: 'message',
      message_ts: ts,
      channel_id: 'C0REVIEW',
      is_ephemeral: false,
    });
    expect(body.trigger_id).toBe(click.json.trigger_id);

    const history = await webClient(sim).conversations.history({ channel: 'C0REVIEW' });
    expect(history.messages?.[0]).toMatchObject({ ts, text: 'Retry requested by <@U0REVIEWER1>' });
    const admin = await simGet<{ ephemeral: unknown[]; responses: unknown[] }>(sim, '/__sim/messages?channel=C0REVIEW');
    expect(admin.responses).toEqual([
      expect.objectContaining({ effect: 'ephemeral', user_id: 'U0REVIEWER1', message_ts: ts }),
    ]);
    expect(admin.ephemeral).toEqual([
      expect.objectContaining({ user: 'U0REVIEWER1', text: 'Retrying retry:PD-201', source: 'response_url' }),
    ]);
  });

  it('replaces the original message when respond() asks for replace_original', async () => {
    const ts = await postCard('PD-202');
    const click = await simPost<ClickResult>(sim, '/__sim/click', {
      channel: '#onboarding-review',
      message_ts: ts,
      action_id: 'review_cancel',
      user_id: 'U0REVIEWER2',
    });
    expect(click.json.status).toBe(200);
    await handled.promise;
    const history = await webClient(sim).conversations.history({ channel: 'C0REVIEW' });
    expect(history.messages?.[0]).toMatchObject({
      ts,
      text: 'Cancelled',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Cancelled' } }],
    });
    const admin = await simGet<{ responses: unknown[] }>(sim, '/__sim/messages');
    expect(admin.responses).toEqual([expect.objectContaining({ effect: 'replaced', user_id: 'U0REVIEWER2' })]);
  });

  it('lets the click name a value that overrides the button, as a forged or edited payload would', async () => {
    const ts = await postCard('PD-203');
    await simPost(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: ts,
      action_id: 'review_retry',
      user_id: 'U0OUTSIDER',
      value: 'retry:OTHER',
    });
    await handled.promise;
    expect(seen[0]?.actions[0]).toMatchObject({ value: 'retry:OTHER' });
    expect(seen[0]?.user.id).toBe('U0OUTSIDER');
  });

  it('refuses a click signed with the wrong secret (401) and it never reaches the handler', async () => {
    const ts = await postCard('PD-204');
    const click = await simPost<ClickResult>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
      signWith: 'wrong-secret',
    });
    expect(click.status).toBe(200);
    expect(click.json.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('refuses a click whose timestamp is 10 minutes old (401) and it never reaches the handler', async () => {
    const ts = await postCard('PD-205');
    const click = await simPost<ClickResult>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
      timestampSkewSec: -600,
    });
    expect(click.json.status).toBe(401);
    expect(seen).toEqual([]);
    const { deliveries } = await simGet<{ deliveries: { forged: boolean; status: number }[] }>(
      sim,
      '/__sim/deliveries',
    );
    expect(deliveries).toEqual([expect.objectContaining({ forged: true, status: 401 })]);
  });

  it('answers admin-route mistakes with clear statuses', async () => {
    const ts = await postCard('PD-206');
    expect(
      (
        await simPost(sim, '/__sim/click', {
          channel: 'C0REVIEW',
          message_ts: '1.000001',
          action_id: 'review_retry',
          user_id: 'U0REVIEWER1',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await simPost(sim, '/__sim/click', {
          channel: 'C0REVIEW',
          message_ts: ts,
          action_id: 'review_retry',
          user_id: 'U0NOBODY',
        })
      ).status,
    ).toBe(404);
    expect((await simPost(sim, '/__sim/click', { channel: 'C0REVIEW' })).status).toBe(400);
  });
});
