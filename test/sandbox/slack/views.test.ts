import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BlockAction, ButtonAction, ViewOutput } from '@slack/bolt';
import { ErrorCode } from '@slack/web-api';
import { startSlackSimulator, type RunningSlackSimulator } from '../../../sandbox/slack';
import { deferred, reviewCardBlocks, simGet, simPost, startBolt, webClient, type RunningBolt } from './harness';

interface Submitted {
  user: string;
  view: ViewOutput;
}

const fixModal = (dealId: string) => ({
  type: 'modal' as const,
  callback_id: 'apply_fix',
  private_metadata: JSON.stringify({ dealId }),
  title: { type: 'plain_text' as const, text: 'Apply fix' },
  submit: { type: 'plain_text' as const, text: 'Apply' },
  blocks: [
    {
      type: 'input',
      block_id: 'tax_id',
      label: { type: 'plain_text', text: 'Tax id' },
      element: { type: 'plain_text_input', action_id: 'value' },
    },
  ],
});

describe('Slack simulator modals: views.open from a click, then a view_submission to Bolt', () => {
  let sim: RunningSlackSimulator;
  let bolt: RunningBolt;
  let opened = deferred<string>();
  let submissions: Submitted[] = [];

  beforeAll(async () => {
    sim = await startSlackSimulator();
    bolt = await startBolt(sim, (app) => {
      app.action<BlockAction<ButtonAction>>('review_fix', async ({ ack, body, client, action }) => {
        await ack();
        try {
          const res = await client.views.open({ trigger_id: body.trigger_id, view: fixModal(String(action.value)) });
          opened.resolve(res.view?.id ?? '');
        } catch (err) {
          opened.reject(err);
        }
      });
      app.view('apply_fix', async ({ ack, view, body }) => {
        const taxId = view.state.values.tax_id?.value?.value ?? '';
        submissions.push({ user: body.user.id, view });
        if (!/^GB\d{9}$/.test(taxId)) {
          await ack({ response_action: 'errors', errors: { tax_id: 'Expected GB followed by 9 digits' } });
          return;
        }
        await ack();
      });
    });
  });
  afterAll(async () => {
    await bolt.stop();
    await sim.close();
  });
  beforeEach(async () => {
    await simPost(sim, '/__sim/reset', {});
    opened = deferred<string>();
    submissions = [];
  });

  async function clickFix(dealId: string): Promise<string> {
    const posted = await webClient(sim).chat.postMessage({
      channel: 'C0REVIEW',
      text: 'review',
      blocks: reviewCardBlocks(dealId),
    });
    const click = await simPost<{ status: number }>(sim, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: posted.ts,
      action_id: 'review_fix',
      user_id: 'U0REVIEWER2',
    });
    expect(click.json.status).toBe(200);
    return opened.promise;
  }

  it('opens the modal with the click trigger and delivers the submitted values, private_metadata and callback_id', async () => {
    const viewId = await clickFix('PD-301');
    expect(viewId).toMatch(/^V[A-Z0-9]+$/);
    const { views } = await simGet<{ views: { id: string; user_id: string; status: string }[] }>(sim, '/__sim/views');
    expect(views).toEqual([expect.objectContaining({ id: viewId, user_id: 'U0REVIEWER2', status: 'open' })]);

    const values = { tax_id: { value: { type: 'plain_text_input', value: 'GB123456789' } } };
    const submit = await simPost<{ status: number; view_status: string }>(sim, '/__sim/submit-view', {
      view_id: viewId,
      values,
    });
    expect(submit.json).toMatchObject({ status: 200, view_status: 'closed' });
    expect(submissions).toHaveLength(1);
    const got = submissions[0] as Submitted;
    expect(got.user).toBe('U0REVIEWER2');
    expect(got.view).toMatchObject({
      id: viewId,
      callback_id: 'apply_fix',
      private_metadata: JSON.stringify({ dealId: 'fix:PD-301' }),
      state: { values },
    });
  });

  it('keeps the modal open when the app answers response_action errors, and closes it on a valid resubmission', async () => {
    const viewId = await clickFix('PD-302');
    const bad = await simPost<{ status: number; view_status: string; json: unknown }>(sim, '/__sim/submit-view', {
      view_id: viewId,
      user_id: 'U0REVIEWER2',
      values: { tax_id: { value: { type: 'plain_text_input', value: 'nope' } } },
    });
    expect(bad.json).toMatchObject({
      status: 200,
      view_status: 'open',
      json: { response_action: 'errors', errors: { tax_id: expect.any(String) } },
    });
    const good = await simPost<{ view_status: string }>(sim, '/__sim/submit-view', {
      view_id: viewId,
      values: { tax_id: { value: { type: 'plain_text_input', value: 'GB987654321' } } },
    });
    expect(good.json.view_status).toBe('closed');
    expect(submissions).toHaveLength(2);
    expect((await simPost(sim, '/__sim/submit-view', { view_id: viewId, values: {} })).status).toBe(409);
  });

  it('refuses a forged view submission and a submission by someone other than the modal owner', async () => {
    const viewId = await clickFix('PD-303');
    const forged = await simPost<{ status: number; view_status: string }>(sim, '/__sim/submit-view', {
      view_id: viewId,
      values: {},
      signWith: 'wrong-secret',
    });
    expect(forged.json).toMatchObject({ status: 401, view_status: 'open' });
    expect(
      (await simPost(sim, '/__sim/submit-view', { view_id: viewId, user_id: 'U0OUTSIDER', values: {} })).status,
    ).toBe(409);
    expect(submissions).toEqual([]);
  });
});

describe('Slack simulator trigger_id rules', () => {
  let sim: RunningSlackSimulator;
  let app: Server;
  let appUrl = '';
  beforeAll(async () => {
    sim = await startSlackSimulator();
    // A bare app that acks everything: these tests are about views.open, not about the receiver.
    app = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/slack/events`;
    sim.setInteractivityUrl(appUrl);
  });
  afterAll(async () => {
    await new Promise((resolve) => app.close(resolve));
    await sim.close();
  });

  async function freshTrigger(on = sim): Promise<string> {
    const posted = await webClient(on).chat.postMessage({
      channel: 'C0REVIEW',
      text: 'review',
      blocks: reviewCardBlocks('PD-9'),
    });
    const click = await simPost<{ trigger_id: string }>(on, '/__sim/click', {
      channel: 'C0REVIEW',
      message_ts: posted.ts,
      action_id: 'review_fix',
      user_id: 'U0REVIEWER1',
    });
    return click.json.trigger_id;
  }
  const openWith = (trigger_id: string, on = sim) => webClient(on).views.open({ trigger_id, view: fixModal('PD-9') });
  const platformError = (error: string) => ({
    code: ErrorCode.PlatformError,
    data: expect.objectContaining({ ok: false, error }),
  });

  it('rejects unknown and reused trigger ids like Slack', async () => {
    await expect(openWith('123.456.deadbeef')).rejects.toMatchObject(platformError('invalid_trigger_id'));
    const trigger = await freshTrigger();
    await expect(openWith(trigger)).resolves.toMatchObject({
      ok: true,
      view: { callback_id: 'apply_fix', type: 'modal' },
    });
    await expect(openWith(trigger)).rejects.toMatchObject(platformError('exchanged_trigger_id'));
  });

  it('expires trigger ids after triggerTtlMs', async () => {
    const strict = await startSlackSimulator({ triggerTtlMs: 1, interactivityUrl: appUrl });
    try {
      const stale = await freshTrigger(strict);
      await new Promise((r) => setTimeout(r, 20));
      await expect(openWith(stale, strict)).rejects.toMatchObject(platformError('expired_trigger_id'));
    } finally {
      await strict.close();
    }
  });

  it('updates an open view with views.update and detects hash conflicts', async () => {
    const opened = await openWith(await freshTrigger());
    const id = opened.view?.id as string;
    const hash = opened.view?.hash as string;
    const updated = await webClient(sim).views.update({
      view_id: id,
      hash,
      view: { ...fixModal('PD-9'), title: { type: 'plain_text', text: 'Fix (2)' } },
    });
    expect(updated.view).toMatchObject({ id, title: { text: 'Fix (2)' } });
    await expect(webClient(sim).views.update({ view_id: id, hash, view: fixModal('PD-9') })).rejects.toMatchObject(
      platformError('hash_conflict'),
    );
  });
});
