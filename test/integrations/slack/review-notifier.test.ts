/**
 * SlackReviewNotifier and SlackClient against the Slack simulator over real HTTP: the card, its update in place, the
 * escalation (thread reminder + escalation channel), and every Slack failure arriving as the right VendorError —
 * and, through the activity wrapper, as the right Temporal failure type.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ReviewCardInput } from '../../../domain/review-card';
import { createSlackReviewActivities } from '../../../activities/slack-review-activities';
import { SlackReviewNotifier, describeWait } from '../../../activities/slack-review-notifier';
import { FAILURE } from '../../../domain/failure-types';
import { SlackClient } from '../../../integrations/slack';
import { VendorError } from '../../../integrations/vendor-error';
import { startSlackSimulator, type RunningSlackSimulator } from '../../../sandbox/slack';

interface SimMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  edited?: unknown;
  blocks?: Array<{ type: string; elements?: unknown[] }>;
}

const card: ReviewCardInput = {
  externalId: 'pd-746-abc',
  pipedriveDealId: '746',
  dealTitle: 'Acme onboarding',
  organization: 'Acme Inc',
  kind: 'validation',
  reasons: [
    {
      field: 'organization.taxId',
      code: 'tax_id.missing',
      message: 'Tax ID is required for billing.',
      suggestion: 'Fill the Tax ID field.',
    },
  ],
  netsuiteCustomerId: '812',
  payload: { deal: { id: '746', apiToken: 'must-not-appear' } },
};

describe('SlackReviewNotifier against the Slack simulator', () => {
  let sim: RunningSlackSimulator;
  beforeAll(async () => {
    sim = await startSlackSimulator({ port: 0 });
  });
  afterAll(async () => sim.close());

  const messages = async (channel: string): Promise<SimMessage[]> =>
    ((await (await fetch(`${sim.url}/__sim/messages?channel=${channel}`)).json()) as { messages: SimMessage[] })
      .messages;
  const client = (token = sim.stackEntry.botToken) => new SlackClient({ apiUrl: sim.stackEntry.url, botToken: token });
  const notifier = (opts: { escalationChannel?: string; now?: () => number } = {}) =>
    new SlackReviewNotifier({
      client: client(),
      reviewChannel: 'C0REVIEW',
      pipedriveBaseUrl: 'https://acme.pipedrive.com',
      netsuiteBaseUrl: 'https://1234567.app.netsuite.com',
      ...opts,
    });

  it('posts the card, updates it in place with the decision, and escalates in the thread and the escalation channel', async () => {
    const waitingSince = '2026-11-27T08:00:00Z';
    const n = notifier({ escalationChannel: 'C0ESCAL', now: () => Date.parse('2026-11-28T10:30:00Z') });
    const ref = await n.postReviewCard(card);
    expect(ref.channel).toBe('C0REVIEW');

    let posted = (await messages('C0REVIEW')).find((m) => m.ts === ref.ts)!;
    const text = JSON.stringify(posted.blocks);
    expect(text).toContain('https://acme.pipedrive.com/deal/746');
    expect(text).toContain('https://1234567.app.netsuite.com/app/common/entity/custjob.nl?id=812');
    expect(text).toContain('Fill the Tax ID field.');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('must-not-appear');
    expect(posted.blocks!.some((b) => b.type === 'actions')).toBe(true);

    await n.escalate(ref, card, 1, waitingSince);
    const thread = (await messages('C0REVIEW')).filter((m) => m.thread_ts === ref.ts && m.ts !== ref.ts);
    expect(thread).toHaveLength(1);
    expect(thread[0]!.text).toContain('1 d 2 h');
    const escalated = (await messages('C0ESCAL')).at(-1)!;
    expect(escalated.text).toContain('has waited 1 d 2 h for review (escalation 1)');
    expect(escalated.text).toContain('pd-746-abc');

    await n.recordDecision(ref, card, { action: 'retry', actor: 'U0REVIEWER1' }, '2026-11-28T10:31:00Z');
    posted = (await messages('C0REVIEW')).find((m) => m.ts === ref.ts)!;
    expect(posted.edited).toBeDefined();
    expect(posted.blocks!.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(posted.blocks)).toContain(
      `*Retry* by <@U0REVIEWER1> at <!date^${Date.parse('2026-11-28T10:31:00Z') / 1000}^`,
    );
  });

  it('escalates into the review channel when no escalation channel is set', async () => {
    const n = notifier();
    const ref = await n.postReviewCard(card);
    await n.escalate(ref, card, 2, new Date(Date.now() - 3 * 3600_000).toISOString());
    const top = (await messages('C0REVIEW')).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    expect(top.at(-1)!.text).toContain('has waited 3 h for review (escalation 2)');
  });

  it.each([
    [
      'a revoked or wrong token',
      () => client('xoxb-wrong').postMessage({ channel: 'C0REVIEW', text: 'x' }),
      'auth',
      'invalid_auth',
    ],
    [
      'an unknown channel',
      () => client().postMessage({ channel: 'C0NOPE', text: 'x' }),
      'validation',
      'channel_not_found',
    ],
    [
      'an unknown message',
      () => client().updateMessage({ channel: 'C0REVIEW', ts: '1.000001' }, 'x', []),
      'not_found',
      'message_not_found',
    ],
  ])('maps %s to a VendorError', async (_name, call, kind, code) => {
    const err = await call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ vendor: 'slack', kind, extra: expect.objectContaining({ code }) });
  });

  it('reports a rate limit at once as transient with Slack’s Retry-After (no client-side waiting)', async () => {
    const limited = await startSlackSimulator({ port: 0, rateLimit: { requestsPerMinute: 1 } });
    try {
      const c = new SlackClient({ apiUrl: limited.stackEntry.url, botToken: limited.stackEntry.botToken });
      await c.postMessage({ channel: 'C0REVIEW', text: 'first' });
      const started = Date.now();
      const err = (await c
        .postMessage({ channel: 'C0REVIEW', text: 'second' })
        .catch((e: unknown) => e)) as VendorError;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(err).toBeInstanceOf(VendorError);
      expect(err.kind).toBe('transient');
      expect(err.extra.status).toBe(429);
      expect(err.extra.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('reports an unreachable Slack as transient', async () => {
    const dead = await startSlackSimulator({ port: 0 });
    const url = dead.stackEntry.url;
    await dead.close();
    const err = await new SlackClient({ apiUrl: url, botToken: 'xoxb-x', timeoutMs: 2_000 })
      .postMessage({ channel: 'C0REVIEW', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ vendor: 'slack', kind: 'transient' });
  });

  it('leaves the activities with classified failures: auth and validation non-retryable, rate limits retryable after Retry-After', async () => {
    const bad = createSlackReviewActivities(
      new SlackReviewNotifier({ client: client('xoxb-wrong'), reviewChannel: 'C0REVIEW' }),
    );
    const authFailure = (await bad.postReviewCard(card).catch((e: unknown) => e)) as ApplicationFailure;
    expect(authFailure).toBeInstanceOf(ApplicationFailure);
    expect(authFailure.type).toBe(FAILURE.auth);
    expect(authFailure.nonRetryable).toBe(true);

    const wrongChannel = createSlackReviewActivities(
      new SlackReviewNotifier({ client: client(), reviewChannel: 'C0NOPE' }),
    );
    const validation = (await wrongChannel.postReviewCard(card).catch((e: unknown) => e)) as ApplicationFailure;
    expect(validation.type).toBe(FAILURE.validation);

    const limited = await startSlackSimulator({ port: 0, rateLimit: { requestsPerMinute: 1 } });
    try {
      const acts = createSlackReviewActivities(
        new SlackReviewNotifier({
          client: new SlackClient({ apiUrl: limited.stackEntry.url, botToken: limited.stackEntry.botToken }),
          reviewChannel: 'C0REVIEW',
        }),
      );
      await acts.postReviewCard(card);
      const throttled = (await acts.postReviewCard(card).catch((e: unknown) => e)) as ApplicationFailure;
      expect(throttled.type).toBe(FAILURE.transient);
      expect(throttled.nonRetryable).toBe(false);
      expect(throttled.nextRetryDelay).toBeDefined();
    } finally {
      await limited.close();
    }
  });

  it('says how long a review has waited in words a person reads', () => {
    expect(describeWait(45 * 60_000)).toBe('45 min');
    expect(describeWait(3 * 3600_000 + 20 * 60_000)).toBe('3 h 20 min');
    expect(describeWait(24 * 3600_000)).toBe('1 d');
    expect(describeWait(50 * 3600_000)).toBe('2 d 2 h');
  });
});
