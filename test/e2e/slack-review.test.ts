/**
 * Human review in Slack, end to end: the real workflow on the run's Temporal dev server (NetSuite and Pipedrive as
 * in-memory ports, the real SlackReviewNotifier through its activities), the real Slack simulator, and the real HTTP
 * app (buildApp on a free port) as the simulator's interactivity URL. Clicks and modal submissions are signed and
 * delivered by the simulator exactly as Slack delivers them; assertions are on the simulator's messages, ephemerals
 * and views, on the workflow's state and audit trail, and on the app's metrics.
 */
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import { createSlackReviewActivities } from '../../activities/slack-review-activities';
import { SlackReviewNotifier } from '../../activities/slack-review-notifier';
import type { OnboardingState } from '../../domain/states';
import type { TransactionState } from '../../domain/transaction';
import { parseConfig, type Config } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { startSlackSimulator, type RunningSlackSimulator } from '../../sandbox/slack';
import { buildApp } from '../../starters/http/app';
import { SLACK_ACTIONS_COUNTER } from '../../starters/slack/slack-metrics';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { makeDeal } from '../unit/domain/fixtures';

const REVIEW = 'C0REVIEW';
const PIPEDRIVE_BASE = 'https://acme-sandbox.pipedrive.com';
const NETSUITE_BASE = 'https://1234567.app.netsuite.com';

interface SimMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  edited?: unknown;
  blocks?: Array<Record<string, unknown>>;
}
interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
}
interface SimView {
  id: string;
  user_id: string;
  status: 'open' | 'closed';
  view: {
    private_metadata?: string;
    callback_id?: string;
    blocks?: Array<{ type: string; block_id?: string; element?: { initial_value?: string } }>;
  };
}
interface DeliveryAnswer {
  status: number;
  body: string;
  ackedInTime: boolean;
  view_status?: string;
}

describe('human review in Slack (real workflow, real app, Slack simulator)', () => {
  let t: TestTemporal;
  let sim: RunningSlackSimulator;
  let app: FastifyInstance;
  let registry: Registry;
  let config: Config;

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startSlackSimulator({ port: 0 });
    config = parseConfig({
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: t.address,
      TEMPORAL_NAMESPACE: t.namespace,
      SLACK_API_URL: sim.stackEntry.url,
      SLACK_BOT_TOKEN: sim.stackEntry.botToken,
      SLACK_SIGNING_SECRET: sim.stackEntry.signingSecret,
      SLACK_REVIEW_CHANNEL: sim.stackEntry.reviewChannel,
      SLACK_ESCALATION_CHANNEL: 'C0ESCAL',
      SLACK_REVIEWER_IDS: sim.stackEntry.reviewerIds.join(','),
    });
    registry = new Registry();
    app = buildApp({
      config,
      log: createLogger('slack-review-test', 'silent'),
      connection: t.connection,
      client: t.client,
      registry,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    sim.setInteractivityUrl(
      `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`,
    );
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await t?.close();
  });

  // ---- the simulator's admin API ----
  const simCall = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const channelLog = () =>
    simCall<{ messages: SimMessage[]; ephemeral: SimEphemeral[] }>('GET', `/__sim/messages?channel=${REVIEW}`);
  const click = (message: SimMessage, actionId: string, userId: string, extra: Record<string, unknown> = {}) =>
    simCall<DeliveryAnswer>('POST', '/__sim/click', {
      channel: message.channel,
      message_ts: message.ts,
      action_id: actionId,
      user_id: userId,
      ...extra,
    });

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Review cards (top-level messages in the review channel) for one onboarding, oldest first. */
  const cardsOf = async (externalId: string): Promise<SimMessage[]> =>
    (await channelLog()).messages.filter((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(externalId));
  const nthCard = (externalId: string, n: number) =>
    waitFor(`review card #${n} for ${externalId}`, async () => (await cardsOf(externalId))[n - 1]);
  const ephemeralsFor = async (user: string): Promise<SimEphemeral[]> =>
    (await channelLog()).ephemeral.filter((e) => e.user === user);
  const buttonsOf = (m: SimMessage) =>
    (m.blocks ?? [])
      .filter((b) => b.type === 'actions')
      .flatMap(
        (b) => b.elements as Array<{ action_id: string; value: string; text: { text: string }; confirm?: unknown }>,
      );
  const counted = async (action: string, outcome: string): Promise<number> => {
    const metric = await registry.getSingleMetric(SLACK_ACTIONS_COUNTER)?.get();
    return metric?.values.find((v) => v.labels.action === action && v.labels.outcome === outcome)?.value ?? 0;
  };

  // ---- the workflow ----
  async function withWorkers<T>(
    netsuite: FakeNetSuite,
    pipedrive: FakePipedrive,
    fn: (taskQueue: string) => Promise<T>,
  ): Promise<T> {
    const taskQueue = uniqueTaskQueue('slack-review');
    const notifier = SlackReviewNotifier.fromConfig(config.slack!, {
      pipedriveBaseUrl: PIPEDRIVE_BASE,
      netsuiteBaseUrl: NETSUITE_BASE,
    });
    const activities = createOnboardingActivities({
      pipedrive,
      netsuite,
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: createSlackReviewActivities(notifier),
    });
    return runOnboardingWorkers(t, taskQueue, activities, () => fn(taskQueue));
  }

  const start = async (taskQueue: string) => {
    const externalId = `slack-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
      { externalId, pipedriveDealId: '746', eventId: 'evt', receivedAt: '2026-11-27T10:00:00Z' },
      { taskQueue },
    );
    return t.client.workflow.getHandle(externalId);
  };
  const stateOf = (externalId: string) => t.client.workflow.getHandle(externalId).query(stateQuery);
  const waitForState = (externalId: string, state: OnboardingState): Promise<TransactionState> =>
    waitFor(`${externalId} in ${state}`, async () => {
      const s = await stateOf(externalId);
      return s.state === state ? s : undefined;
    });

  const missingTaxId = () =>
    new FakePipedrive(makeDeal({ organization: { taxId: undefined }, deal: { firstInvoiceDate: '2026-11-27' } }));

  it('posts a card with the reasons, links and buttons; retry returns to review, the fix modal completes, the cards record who decided', async () => {
    await withWorkers(new FakeNetSuite(), missingTaxId(), async (tq) => {
      const { workflowId: externalId } = await start(tq);
      await waitForState(externalId, 'NEEDS_REVIEW');

      // The card: header with deal and organization, the tax id reason with its suggestion, the Pipedrive link, buttons.
      const first = await nthCard(externalId, 1);
      const blocks = JSON.stringify(first.blocks);
      expect(first.blocks![0]).toMatchObject({
        type: 'header',
        text: { text: expect.stringContaining('Acme onboarding') },
      });
      expect((first.blocks![0] as { text: { text: string } }).text.text).toContain('Acme Inc');
      const reason = (await stateOf(externalId)).reviewReasons.find((r) => r.field === 'organization.taxId')!;
      expect(reason).toBeDefined();
      expect(blocks).toContain('organization.taxId');
      expect(blocks).toContain(reason.code);
      const reasonText = first
        .blocks!.map((b) => (b.text as { text?: string } | undefined)?.text ?? '')
        .find((text) => text.includes('organization.taxId'))!;
      expect(reasonText).toContain(reason.message);
      expect(reasonText).toContain(`Suggested fix: ${reason.suggestion!}`);
      expect(blocks).toContain(`${PIPEDRIVE_BASE}/deal/746`);
      expect(blocks).toContain('Payload:');
      const buttons = buttonsOf(first);
      expect(buttons.map((b) => b.action_id)).toEqual(['review_retry', 'review_fix', 'review_cancel']);
      expect(buttons.map((b) => b.text.text)).toEqual(['Mark reviewed – Retry', 'Fix fields…', 'Cancel onboarding']);
      expect(buttons.every((b) => JSON.parse(b.value).externalId === externalId)).toBe(true);
      expect(buttons.find((b) => b.action_id === 'review_cancel')!.confirm).toBeDefined();

      // Retry by a reviewer: acked at once, the workflow re-validates and (still no tax id) is back in review.
      const retried = await click(first, 'review_retry', 'U0REVIEWER1');
      expect(retried.status).toBe(200);
      expect(retried.ackedInTime).toBe(true);
      const second = await nthCard(externalId, 2);
      const afterRetry = await waitForState(externalId, 'NEEDS_REVIEW');
      expect(afterRetry.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'review', actor: 'U0REVIEWER1', detail: 'retry' }),
      );
      // The first card now says who decided, in place, without buttons.
      const firstUpdated = await waitFor('first card updated', async () =>
        (await cardsOf(externalId)).find((m) => m.ts === first.ts && m.edited),
      );
      expect(buttonsOf(firstUpdated)).toEqual([]);
      expect(JSON.stringify(firstUpdated.blocks)).toMatch(/Retry\* by <@U0REVIEWER1> at <!date\^\d+\^/);

      // A click on the first card as a stale client still shows it (its buttons carry the first review's id): refused
      // privately, recorded on the workflow, and the second review still waits.
      const firstCancel = buttons.find((b) => b.action_id === 'review_cancel')!.value;
      expect((await click(firstUpdated, 'review_cancel', 'U0REVIEWER2', { value: firstCancel })).status).toBe(200);
      const staleNotice = await waitFor('stale-card ephemeral', async () =>
        (await ephemeralsFor('U0REVIEWER2')).find((e) => e.text.includes('earlier review')),
      );
      expect(staleNotice.text).toBe(
        'This card is from an earlier review of this onboarding; nothing was done. Use the latest card in this channel.',
      );
      const afterStale = await waitFor('stale click audited', async () => {
        const s = await stateOf(externalId);
        return s.auditTrail.some(
          (e) =>
            e.step === 'review-refused' &&
            e.actor === 'U0REVIEWER2' &&
            e.detail === 'cancel refused: card of an earlier review',
        )
          ? s
          : undefined;
      });
      expect(afterStale.state).toBe('NEEDS_REVIEW');

      // "Fix fields…" opens a modal (trigger_id from the click) with one input per failing field.
      expect((await click(second, 'review_fix', 'U0REVIEWER1')).status).toBe(200);
      const modal = await waitFor('fix modal', async () => {
        const { views } = await simCall<{ views: SimView[] }>('GET', '/__sim/views');
        // The modal carries the card's external id and review id back (integrations/slack/review-action-ids.ts).
        return views.find(
          (v) => v.status === 'open' && v.view.private_metadata?.includes(`"externalId":"${externalId}"`),
        );
      });
      expect(modal.user_id).toBe('U0REVIEWER1');
      expect(modal.view.blocks!.filter((b) => b.type === 'input').map((b) => b.block_id)).toContain(
        'organization.taxId',
      );

      // Submitting a valid tax id completes the onboarding; the modal closes; the second card records the fix.
      const submitted = await simCall<DeliveryAnswer>('POST', '/__sim/submit-view', {
        view_id: modal.id,
        user_id: 'U0REVIEWER1',
        values: { 'organization.taxId': { value: { type: 'plain_text_input', value: '94-1234567' } } },
      });
      expect(submitted.status).toBe(200);
      expect(submitted.view_status).toBe('closed');
      const done = await t.client.workflow.getHandle(externalId).result();
      expect(done.state).toBe('COMPLETED');
      expect(done.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'review', actor: 'U0REVIEWER1', detail: 'fix' }),
      );
      const secondUpdated = await waitFor('second card updated', async () =>
        (await cardsOf(externalId)).find((m) => m.ts === second.ts && m.edited),
      );
      expect(buttonsOf(secondUpdated)).toEqual([]);
      expect(JSON.stringify(secondUpdated.blocks)).toContain('Fix* by <@U0REVIEWER1>');
      expect(JSON.stringify(secondUpdated.blocks)).toContain('organization.taxId');
      expect(await cardsOf(externalId)).toHaveLength(2);

      // A late click on a finished onboarding: acked, nothing signalled, a private "already COMPLETED".
      const late = await click(secondUpdated, 'review_retry', 'U0REVIEWER2', { value: JSON.stringify({ externalId }) });
      expect(late.status).toBe(200);
      const notice = await waitFor('late-click ephemeral', async () =>
        (await ephemeralsFor('U0REVIEWER2')).find((e) => e.text.includes('already COMPLETED')),
      );
      expect(notice.text).toBe('This onboarding is already COMPLETED; nothing to do.');
      expect(await counted('retry', 'closed')).toBeGreaterThanOrEqual(1);
      expect(await counted('fix_submit', 'signalled')).toBeGreaterThanOrEqual(1);
    });
  });

  it('refuses forged and stale requests with 401, refuses non-reviewers privately and records it, and cancels on a reviewer confirm', async () => {
    await withWorkers(new FakeNetSuite(), missingTaxId(), async (tq) => {
      const { workflowId: externalId } = await start(tq);
      await waitForState(externalId, 'NEEDS_REVIEW');
      const card = await nthCard(externalId, 1);
      const unverifiedBefore = await counted('none', 'unverified');

      const forged = await click(card, 'review_cancel', 'U0REVIEWER1', { signWith: 'not-the-signing-secret' });
      expect(forged.status).toBe(401);
      expect(JSON.parse(forged.body)).toMatchObject({ error: 'invalid_signature' });
      const stale = await click(card, 'review_cancel', 'U0REVIEWER1', { timestampSkewSec: -11 * 60 });
      expect(stale.status).toBe(401);
      expect(JSON.parse(stale.body).message).toMatch(/stale/);
      expect(await counted('none', 'unverified')).toBe(unverifiedBefore + 2);

      // An outsider: acked, told privately, the refusal lands in the audit trail, the review still waits.
      const outsider = await click(card, 'review_retry', 'U0OUTSIDER');
      expect(outsider.status).toBe(200);
      const refusal = await waitFor('refusal ephemeral', async () => (await ephemeralsFor('U0OUTSIDER'))[0]);
      expect(refusal.text).toContain('Only onboarding reviewers');
      const refused = await waitFor('reviewRefused audit entry', async () => {
        const s = await stateOf(externalId);
        return s.auditTrail.some((e) => e.step === 'review-refused' && e.actor === 'U0OUTSIDER') ? s : undefined;
      });
      expect(refused.state).toBe('NEEDS_REVIEW');
      // Neither the forgeries nor the outsider reached the review signal.
      expect(refused.auditTrail.filter((e) => e.step === 'review')).toEqual([]);
      expect(await counted('retry', 'refused')).toBeGreaterThanOrEqual(1);

      // A reviewer's cancel (Slack showed the confirm dialog) ends it; the card says who cancelled.
      expect((await click(card, 'review_cancel', 'U0REVIEWER2')).status).toBe(200);
      const done = await t.client.workflow.getHandle(externalId).result();
      expect(done.state).toBe('CANCELLED');
      expect(done.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'review', actor: 'U0REVIEWER2', detail: 'cancel' }),
      );
      const updated = await waitFor('card updated', async () =>
        (await cardsOf(externalId)).find((m) => m.ts === card.ts && m.edited),
      );
      expect(JSON.stringify(updated.blocks)).toContain('Cancel* by <@U0REVIEWER2>');
    });
  });

  it('offers "Link to existing customer" for a possible duplicate and links on click', async () => {
    const netsuite = new FakeNetSuite();
    const deal = makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } });
    netsuite.existing = [
      { id: '55', externalId: 'OLD-CONNECTOR-1', email: 'other@example.com', companyName: deal.organization!.name },
    ];
    await withWorkers(netsuite, new FakePipedrive(deal), async (tq) => {
      const { workflowId: externalId } = await start(tq);
      await waitForState(externalId, 'NEEDS_REVIEW');
      const card = await nthCard(externalId, 1);
      const buttons = buttonsOf(card);
      expect(buttons.map((b) => b.action_id)).toEqual(['review_retry', 'review_fix', 'review_link', 'review_cancel']);
      expect(JSON.parse(buttons.find((b) => b.action_id === 'review_link')!.value)).toEqual({
        externalId,
        candidateId: '55',
        reviewId: (await stateOf(externalId)).reviewId,
      });
      expect(JSON.stringify(card.blocks)).toContain('OLD-CONNECTOR-1');

      expect((await click(card, 'review_link', 'U0REVIEWER1')).status).toBe(200);
      const done = await t.client.workflow.getHandle(externalId).result();
      expect(done.state).toBe('COMPLETED');
      expect(done.netsuiteCustomerId).toBe('55');
      expect(netsuite.upsertCalls).toBe(0);
      const updated = await waitFor('card updated', async () =>
        (await cardsOf(externalId)).find((m) => m.ts === card.ts && m.edited),
      );
      expect(JSON.stringify(updated.blocks)).toContain('NetSuite customer 55');
    });
  });
});
