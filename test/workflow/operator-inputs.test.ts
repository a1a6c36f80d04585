/**
 * Operator inputs the workflow must not trust (issue 21, item 5), on a real Temporal dev server with the real
 * activities over in-memory vendor ports: a decision from an earlier review's card is ignored, a card's link only
 * reaches a candidate of that review, and a fix's refused paths and invalid values are audited and never written back
 * to Pipedrive.
 */
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import type { ReviewActivities } from '../../activities/slack-review-activities';
import type { ReviewCardInput, ReviewCardRef } from '../../domain/review-card';
import type { OnboardingState } from '../../domain/states';
import type { TransactionState } from '../../domain/transaction';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { makeDeal } from '../unit/domain/fixtures';

class Cards implements ReviewActivities {
  cards: ReviewCardInput[] = [];
  async postReviewCard(card: ReviewCardInput): Promise<ReviewCardRef> {
    this.cards.push(card);
    return { channel: 'C0REVIEW', ts: `${this.cards.length}.0001` };
  }
  async recordReviewDecision(): Promise<void> {}
  async escalateReview(): Promise<void> {}
}

describe('operator inputs (workflow)', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  const withWorkers = <T>(
    netsuite: FakeNetSuite,
    pipedrive: FakePipedrive,
    cards: Cards,
    fn: (tq: string) => Promise<T>,
  ): Promise<T> => {
    const taskQueue = uniqueTaskQueue('operator-inputs');
    const activities = createOnboardingActivities({
      pipedrive,
      netsuite,
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: cards,
      alerts: { alert: async () => undefined },
    });
    return runOnboardingWorkers(t, taskQueue, activities, () => fn(taskQueue));
  };

  const start = async (taskQueue: string) => {
    const externalId = `ops-in-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
      { externalId, pipedriveDealId: '746', eventId: 'evt', receivedAt: '2026-11-27T10:00:00Z' },
      { taskQueue },
    );
    return t.client.workflow.getHandle(externalId);
  };

  const until = async (
    externalId: string,
    ok: (s: TransactionState) => boolean,
    what: string,
  ): Promise<TransactionState> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const s = await t.client.workflow.getHandle(externalId).query(stateQuery);
      if (ok(s)) return s;
      if (Date.now() > deadline)
        throw new Error(`${what}: still ${s.state}; audit ${JSON.stringify(s.auditTrail.slice(-4))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const inState = (state: OnboardingState) => (s: TransactionState) => s.state === state;

  it('binds card buttons to their review: an earlier card and a link to a non-candidate are ignored and audited', async () => {
    const netsuite = new FakeNetSuite();
    const deal = makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } });
    netsuite.existing = [
      { id: '55', externalId: 'OLD-CONNECTOR-1', email: 'other@example.com', companyName: deal.organization!.name },
    ];
    const cards = new Cards();
    await withWorkers(netsuite, new FakePipedrive(deal), cards, async (tq) => {
      const handle = await start(tq);
      const review = await until(handle.workflowId, inState('NEEDS_REVIEW'), 'review');
      expect(review.reviewId).toMatch(/^[0-9a-f]{8}-1$/);
      await until(handle.workflowId, () => cards.cards.length === 1, 'card posted');
      expect(cards.cards[0]!.reviewId).toBe(review.reviewId);

      await handle.signal(reviewSignal, { action: 'cancel', actor: 'U0REVIEWER2', reviewId: 'deadbeef-0' });
      await handle.signal(reviewSignal, {
        action: 'link',
        actor: 'U0REVIEWER2',
        reviewId: review.reviewId,
        netsuiteCustomerId: '99',
      });
      const still = await until(
        handle.workflowId,
        (s) => s.auditTrail.filter((e) => e.step === 'review').length >= 2,
        'both audited',
      );
      expect(still.state).toBe('NEEDS_REVIEW');
      expect(still.auditTrail).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            step: 'review',
            actor: 'U0REVIEWER2',
            detail: 'cancel ignored: card of an earlier review (deadbeef-0)',
          }),
          expect.objectContaining({
            step: 'review',
            actor: 'U0REVIEWER2',
            detail: 'link ignored: customer 99 is not a candidate of this review',
          }),
        ]),
      );

      await handle.signal(reviewSignal, {
        action: 'link',
        actor: 'U0REVIEWER2',
        reviewId: review.reviewId,
        netsuiteCustomerId: '55',
      });
      const done = await handle.result();
      expect(done.state).toBe('COMPLETED');
      expect(done.netsuiteCustomerId).toBe('55');
      expect(netsuite.upsertCalls).toBe(0);
    });
  });

  it('a CLI link to a customer the review did not offer is verified: missing, other subsidiary, other deal refused; a fitting one taken', async () => {
    const netsuite = new FakeNetSuite();
    const deal = makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } });
    netsuite.existing = [
      { id: '55', externalId: 'OLD-CONNECTOR-1', email: 'other@example.com', companyName: deal.organization!.name },
    ];
    netsuite.byId.set('77', { id: '77', subsidiary: { id: '2' } });
    netsuite.byId.set('78', { id: '78', subsidiary: { id: '1' }, custentity_pd_deal_id: '999' });
    netsuite.byId.set('79', { id: '79', subsidiary: { id: '1' } });
    await withWorkers(netsuite, new FakePipedrive(deal), new Cards(), async (tq) => {
      const handle = await start(tq);
      let review = await until(handle.workflowId, inState('NEEDS_REVIEW'), 'review');
      for (const [id, why] of [
        ['404', 'NetSuite customer 404 does not exist'],
        ['77', 'NetSuite customer 77 is in subsidiary 2, the deal in 1'],
        ['78', 'NetSuite customer 78 belongs to Pipedrive deal 999'],
      ] as const) {
        await handle.signal(reviewSignal, { action: 'link', actor: 'cli:alice', netsuiteCustomerId: id });
        const next = await until(
          handle.workflowId,
          (s) => s.state === 'NEEDS_REVIEW' && s.reviewId !== review.reviewId,
          `review after link to ${id}`,
        );
        expect(next.auditTrail).toContainEqual(
          expect.objectContaining({ step: 'verify-link', detail: `link to ${id} refused: ${why}` }),
        );
        expect(next.reviewReasons[0]).toMatchObject({ field: 'netsuite.customerId', code: 'link.refused', value: id });
        expect(next.netsuiteCustomerId).toBeUndefined();
        review = next;
      }
      await handle.signal(reviewSignal, { action: 'link', actor: 'cli:alice', netsuiteCustomerId: '79' });
      const done = await handle.result();
      expect(done.state).toBe('COMPLETED');
      expect(done.netsuiteCustomerId).toBe('79');
      expect(netsuite.upsertCalls).toBe(0);
    });
  });

  it('a fix: prototype paths and invalid values are refused in the audit trail and never written back to Pipedrive', async () => {
    const netsuite = new FakeNetSuite();
    const pipedrive = new FakePipedrive(makeDeal({ organization: { taxId: undefined } }));
    const cards = new Cards();
    await withWorkers(netsuite, pipedrive, cards, async (tq) => {
      const handle = await start(tq);
      const first = await until(handle.workflowId, inState('NEEDS_REVIEW'), 'first review');
      await handle.signal(reviewSignal, {
        action: 'fix',
        actor: 'U0REVIEWER1',
        reviewId: first.reviewId,
        fields: {
          'deal.__proto__.polluted': 'yes',
          'person.email': 'bob@@acme',
          'organization.name': 'Acme Renamed GmbH',
        },
      });
      // Still no tax id: the run comes back to review, under a new review id.
      const second = await until(
        handle.workflowId,
        (s) => s.state === 'NEEDS_REVIEW' && s.reviewId !== first.reviewId,
        'second review',
      );
      expect(second.reviewId).toMatch(/-2$/);
      expect(second.auditTrail).toContainEqual(
        expect.objectContaining({
          step: 'review',
          detail: expect.stringMatching(
            /^fix refused: deal\.__proto__\.polluted: not a field a fix may change; person\.email: value /,
          ),
        }),
      );
      expect(pipedrive.updates).toEqual([
        expect.objectContaining({ entity: 'organizations', body: { name: 'Acme Renamed GmbH' } }),
      ]);
      expect(JSON.stringify(pipedrive.updates)).not.toContain('bob@@acme');
      // The first card's buttons no longer decide anything.
      await handle.signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1', reviewId: first.reviewId });
      await until(
        handle.workflowId,
        (s) => s.auditTrail.some((e) => e.detail === `retry ignored: card of an earlier review (${first.reviewId})`),
        'stale retry audited',
      );
      await handle.signal(reviewSignal, { action: 'cancel', actor: 'U0REVIEWER1', reviewId: second.reviewId });
      expect((await handle.result()).state).toBe('CANCELLED');
    });
  });
});
