/**
 * Human review over Slack's Socket Mode, with a user group as reviewers: the real workflow on the run's dev server,
 * the real app (buildApp with SLACK_SOCKET_MODE=true, so Bolt's SocketModeReceiver connects to the simulator with the
 * app-level token), clicks delivered by the simulator as Socket Mode envelopes. A member of the reviewer group
 * decides; someone neither listed nor in the group is refused privately and recorded; the card names its owner.
 */
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import { createSlackReviewActivities } from '../../activities/slack-review-activities';
import { SlackReviewNotifier } from '../../activities/slack-review-notifier';
import type { TransactionState } from '../../domain/transaction';
import { parseConfig, type Config } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { startSlackSimulator, type RunningSlackSimulator } from '../../sandbox/slack';
import { buildApp } from '../../starters/http/app';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { makeDeal } from '../unit/domain/fixtures';

interface SimMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  blocks?: Array<Record<string, unknown>>;
}

describe('Slack review over Socket Mode with a reviewer user group (real workflow, real app, Slack simulator)', () => {
  let t: TestTemporal;
  let sim: RunningSlackSimulator;
  let app: FastifyInstance;
  let config: Config;
  let appUrl: string;

  const simCall = async <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSlackSimulator({ port: 0, socketMode: true });
    await simCall('PUT', '/__sim/usergroups/S0LEADS', { handle: 'billing-leads', users: ['U0OUTSIDER'] });
    config = parseConfig({
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: t.address,
      TEMPORAL_NAMESPACE: t.namespace,
      SLACK_API_URL: sim.stackEntry.url,
      SLACK_BOT_TOKEN: sim.stackEntry.botToken,
      SLACK_SIGNING_SECRET: sim.stackEntry.signingSecret,
      SLACK_REVIEW_CHANNEL: sim.stackEntry.reviewChannel,
      SLACK_REVIEWER_IDS: 'U0REVIEWER1',
      SLACK_REVIEWER_GROUPS: 'S0LEADS',
      SLACK_SOCKET_MODE: 'true',
      SLACK_APP_TOKEN: sim.stackEntry.appToken,
    });
    app = buildApp({
      config,
      log: createLogger('slack-socket-test', 'silent'),
      connection: t.connection,
      client: t.client,
      registry: new Registry(),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await waitFor('the app to open its Socket Mode connection', async () => {
      const c = await simCall<{ socketConnections: number }>('GET', '/__sim/config');
      return c.socketConnections > 0 ? c : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await t?.close();
  });

  it('rejects SLACK_SOCKET_MODE=true without an app token', () => {
    expect(() =>
      parseConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        SLACK_REVIEW_CHANNEL: 'C1',
        SLACK_SOCKET_MODE: 'true',
      }),
    ).toThrow(/SLACK_APP_TOKEN/);
    expect(() =>
      parseConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        SLACK_REVIEW_CHANNEL: 'C1',
        SLACK_REVIEWER_GROUPS: 'U123',
      }),
    ).toThrow(/SLACK_REVIEWER_GROUPS/);
  });

  it('answers POST /slack/events with 404 socket_mode', async () => {
    const res = await fetch(`${appUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'payload={}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'socket_mode' });
  });

  it('a group member decides over the socket; someone outside list and group is refused and recorded; the card names its owner', async () => {
    const taskQueue = uniqueTaskQueue('slack-socket');
    const activities = createOnboardingActivities({
      pipedrive: new FakePipedrive(
        makeDeal({ organization: { taxId: undefined }, deal: { firstInvoiceDate: '2026-11-27' } }),
      ),
      netsuite: new FakeNetSuite(),
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: createSlackReviewActivities(SlackReviewNotifier.fromConfig(config.slack!)),
    });
    await runOnboardingWorkers(t, taskQueue, activities, async () => {
      const externalId = `sock-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
        { externalId, pipedriveDealId: '746', eventId: 'evt', receivedAt: '2026-11-27T10:00:00Z' },
        { taskQueue },
      );
      const handle = t.client.workflow.getHandle(externalId);
      const stateWhere = (ok: (s: TransactionState) => boolean) =>
        waitFor('workflow state', async () => {
          const s = await handle.query(stateQuery);
          return ok(s) ? s : undefined;
        });
      const cards = async () =>
        (await simCall<{ messages: SimMessage[] }>('GET', '/__sim/messages?channel=C0REVIEW')).messages.filter(
          (m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(externalId),
        );
      const nthCard = (n: number) => waitFor(`card #${n}`, async () => (await cards())[n - 1]);
      const click = (card: SimMessage, action: string, user: string) =>
        simCall<{ status: number; ackedInTime: boolean }>('POST', '/__sim/click', {
          channel: 'C0REVIEW',
          message_ts: card.ts,
          action_id: action,
          user_id: user,
        });

      // The owner: the deal owner has no Slack account here, so the first listed reviewer.
      const inReview = await stateWhere((s) => s.state === 'NEEDS_REVIEW' && s.reviewOwner !== undefined);
      expect(inReview.reviewOwner).toEqual({ kind: 'user', id: 'U0REVIEWER1', via: 'first-reviewer' });
      const first = await nthCard(1);
      expect(JSON.stringify(first.blocks)).toContain('*Owner:* <@U0REVIEWER1> (first reviewer on duty)');

      // Neither listed nor in S0LEADS: acked over the socket, refused privately, recorded.
      const outsider = await click(first, 'review_retry', 'U0REVIEWER2');
      expect(outsider).toMatchObject({ status: 200, ackedInTime: true });
      await waitFor('refusal ephemeral', async () =>
        (
          await simCall<{ ephemeral: Array<{ user: string; text: string }> }>('GET', '/__sim/messages?channel=C0REVIEW')
        ).ephemeral.find((e) => e.user === 'U0REVIEWER2' && e.text.includes('Only onboarding reviewers')),
      );
      const refused = await stateWhere((s) =>
        s.auditTrail.some((e) => e.step === 'review-refused' && e.actor === 'U0REVIEWER2'),
      );
      expect(refused.state).toBe('NEEDS_REVIEW');
      expect(refused.auditTrail.filter((e) => e.step === 'review')).toEqual([]);

      // U0OUTSIDER is not listed, but is in S0LEADS: the click over the socket resumes the workflow (retry → review again).
      expect(await click(first, 'review_retry', 'U0OUTSIDER')).toMatchObject({ status: 200, ackedInTime: true });
      await stateWhere((s) =>
        s.auditTrail.some((e) => e.step === 'review' && e.actor === 'U0OUTSIDER' && e.detail === 'retry'),
      );
      const second = await nthCard(2);
      await stateWhere((s) => s.state === 'NEEDS_REVIEW' && s.reviewOwner !== undefined);

      // A listed reviewer cancels over the socket.
      expect((await click(second, 'review_cancel', 'U0REVIEWER1')).status).toBe(200);
      const done = await handle.result();
      expect(done.state).toBe('CANCELLED');
      expect(done.reviewOwner).toBeUndefined();
      expect(done.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'review', actor: 'U0REVIEWER1', detail: 'cancel' }),
      );
      const deliveries = await simCall<{ deliveries: Array<{ type: string; status: number }> }>(
        'GET',
        '/__sim/deliveries',
      );
      expect(
        deliveries.deliveries.filter((d) => d.type === 'block_actions' && d.status === 200).length,
      ).toBeGreaterThanOrEqual(3);
    });
  });
});
