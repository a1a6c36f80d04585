/**
 * The workflow's own logic on a real Temporal dev server: the real activities over in-memory vendor ports, so each
 * test can make a vendor fail exactly as it wants. End-to-end runs against the simulators live in test/e2e.
 */
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import type { OnboardingState } from '../../domain/states';
import type { ReviewDecision, TransactionState } from '../../domain/transaction';
import type { ReviewActivities } from '../../activities/slack-review-activities';
import type { ReviewCardInput, ReviewCardRef } from '../../domain/review-card';
import { VendorError } from '../../integrations/vendor-error';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { pauseSignal, resumeSignal, reviewSignal, stateQuery } from '../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { makeDeal } from '../unit/domain/fixtures';

class FakeReviewChannel implements ReviewActivities {
  cards: ReviewCardInput[] = [];
  decisions: Array<{ ref: ReviewCardRef; action: string; actor: string }> = [];
  escalations: number[] = [];
  async postReviewCard(card: ReviewCardInput) {
    this.cards.push(card);
    return { channel: 'C0REVIEW', ts: `${this.cards.length}.0001` };
  }
  async recordReviewDecision(ref: ReviewCardRef, _card: ReviewCardInput, decision: ReviewDecision) {
    this.decisions.push({ ref, action: decision.action, actor: decision.actor });
  }
  async escalateReview(_ref: ReviewCardRef, _card: ReviewCardInput, escalation: number) {
    this.escalations.push(escalation);
  }
}

describe('onboardDeal workflow logic', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  async function withWorkers<T>(
    netsuite: FakeNetSuite,
    pipedrive: FakePipedrive,
    fn: (taskQueue: string) => Promise<T>,
    alerts: string[] = [],
    reviewChannel: FakeReviewChannel = new FakeReviewChannel(),
  ): Promise<T> {
    const taskQueue = uniqueTaskQueue('logic');
    const activities = createOnboardingActivities({
      pipedrive,
      netsuite,
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: reviewChannel,
      alerts: { alert: async (e) => void alerts.push(e.kind) },
    });
    return runOnboardingWorkers(t, taskQueue, activities, () => fn(taskQueue));
  }

  const start = async (
    taskQueue: string,
    externalId = `logic-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    settings = {},
  ) => {
    await new OnboardingStarter(t.connection, t.namespace, settings).startOnboarding(
      { externalId, pipedriveDealId: '746', eventId: 'evt', receivedAt: '2026-11-27T10:00:00Z' },
      { taskQueue },
    );
    return t.client.workflow.getHandle(externalId);
  };

  const waitForState = async (
    externalId: string,
    state: OnboardingState,
    timeoutMs = 30_000,
  ): Promise<TransactionState> => {
    const handle = t.client.workflow.getHandle(externalId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await handle.query(stateQuery);
      if (s.state === state) return s;
      if (Date.now() > deadline)
        throw new Error(
          `still ${s.state} after ${timeoutMs} ms, wanted ${state}: ${JSON.stringify({ reasons: s.reviewReasons, audit: s.auditTrail.slice(-5) })}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('completes a valid deal: one customer, one invoice, external_id written back, deal annotated', async () => {
    const netsuite = new FakeNetSuite();
    const pipedrive = new FakePipedrive(makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } }));
    const result = await withWorkers(netsuite, pipedrive, async (tq) => {
      const handle = await start(tq);
      await waitForState(handle.workflowId, 'COMPLETED');
      return handle.result();
    });

    expect(result.state).toBe('COMPLETED');
    expect(netsuite.customers.size).toBe(1);
    expect(netsuite.invoices.size).toBe(1);
    const [externalId, customer] = [...netsuite.customers.entries()][0]!;
    expect(customer.body.externalId).toBe(externalId);
    expect(result.netsuiteCustomerId).toBe(customer.id);
    expect([...netsuite.invoices.values()][0]!.body.entity).toEqual({ id: customer.id });
    expect(pipedrive.fields.get('746')).toMatchObject({
      'External ID': externalId,
      'Onboarding status': 'Onboarded',
      'Needs remediation': 'No',
    });
    const steps = result.auditTrail
      .filter((e: { outcome: string }) => e.outcome === 'ok')
      .map((e: { step: string }) => e.step);
    expect(steps).toEqual([
      'fetch',
      'write-back-external-id',
      'validate',
      'duplicate-probe',
      'check-external-id-owner',
      'upsert-customer',
      'upsert-contact',
      'plan-invoice',
      'create-invoice',
      'annotate-deal',
    ]);
    expect(
      result.auditTrail.every(
        (e: { outcome: string; latencyMs?: number }) => e.outcome !== 'ok' || typeof e.latencyMs === 'number',
      ),
    ).toBe(true);
  });

  it('parks a deal without a tax id in review, and a fix from the reviewer completes it', async () => {
    const netsuite = new FakeNetSuite();
    const pipedrive = new FakePipedrive(
      makeDeal({ organization: { taxId: undefined }, deal: { firstInvoiceDate: '2026-11-27' } }),
    );
    const channel = new FakeReviewChannel();
    await withWorkers(
      netsuite,
      pipedrive,
      async (tq) => {
        const handle = await start(tq);
        const review = await waitForState(handle.workflowId, 'NEEDS_REVIEW');
        expect(review.reviewKind).toBe('validation');
        expect(review.reviewReasons.map((r) => r.field)).toContain('organization.taxId');
        expect(netsuite.upsertCalls).toBe(0);
        // The deal is flagged right after the transaction enters review.
        for (let i = 0; i < 100 && pipedrive.notes.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(pipedrive.fields.get('746')).toMatchObject({ 'Needs remediation': 'Yes' });
        expect(pipedrive.notes.join()).toContain('Onboarding needs review');

        await handle.signal(reviewSignal, {
          action: 'fix',
          actor: 'U0REVIEWER1',
          fields: { 'organization.taxId': '94-1234567' },
        });
        const done = await handle.result();
        expect(done.state).toBe('COMPLETED');
        expect(netsuite.customers.size).toBe(1);
        expect(done.auditTrail).toContainEqual(
          expect.objectContaining({ step: 'review', actor: 'U0REVIEWER1', detail: 'fix' }),
        );
        expect(channel.cards).toHaveLength(1);
        expect(channel.cards[0]).toMatchObject({
          kind: 'validation',
          pipedriveDealId: '746',
          dealTitle: 'Acme onboarding',
          organization: 'Acme Inc',
        });
        expect(channel.cards[0]!.reasons.map((r) => r.field)).toContain('organization.taxId');
        expect(channel.decisions).toEqual([
          { ref: { channel: 'C0REVIEW', ts: '1.0001' }, action: 'fix', actor: 'U0REVIEWER1' },
        ]);
      },
      [],
      channel,
    );
  });

  it('escalates an unanswered review on a durable timer, again every period', async () => {
    const channel = new FakeReviewChannel();
    await withWorkers(
      new FakeNetSuite(),
      new FakePipedrive(makeDeal({ deal: { billingOwner: undefined } })),
      async (tq) => {
        const handle = await start(tq, undefined, { reviewEscalationAfterMs: 1_000 });
        await waitForState(handle.workflowId, 'NEEDS_REVIEW');
        for (let i = 0; i < 100 && channel.escalations.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
        expect(channel.escalations.slice(0, 2)).toEqual([1, 2]);
        const state = await handle.query(stateQuery);
        expect(
          state.auditTrail.filter((e: { step: string }) => e.step === 'review-escalation').length,
        ).toBeGreaterThanOrEqual(2);
        await handle.signal(reviewSignal, { action: 'cancel', actor: 'ops' });
        expect((await handle.result()).state).toBe('CANCELLED');
      },
      [],
      channel,
    );
  });

  it('retries a throttled NetSuite on its Retry-After, then goes to review when retries run out', async () => {
    const netsuite = new FakeNetSuite();
    netsuite.upsertFailure = () =>
      new VendorError('netsuite', 'transient', 'Concurrent request limit exceeded', {
        status: 429,
        code: 'CONCURRENCY_LIMIT_EXCEEDED',
        retryAfterMs: 50,
      });
    const pipedrive = new FakePipedrive(makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } }));
    await withWorkers(netsuite, pipedrive, async (tq) => {
      const handle = await start(tq);
      const review = await waitForState(handle.workflowId, 'NEEDS_REVIEW');
      // 1 try + 5 retries, each after the 50 ms Retry-After instead of the 1 s, 2 s, 4 s… backoff.
      expect(netsuite.upsertCalls).toBe(6);
      expect(review.reviewKind).toBe('transient');
      expect(review.reviewReasons[0]?.code).toBe('retries_exhausted');

      netsuite.upsertFailure = undefined;
      await handle.signal(reviewSignal, { action: 'retry', actor: 'ops' });
      expect((await handle.result()).state).toBe('COMPLETED');
      expect(netsuite.customers.size).toBe(1);
    });
  });

  it('sends rejected credentials to review at once and alerts on-call', async () => {
    const netsuite = new FakeNetSuite();
    netsuite.upsertFailure = () =>
      new VendorError('netsuite', 'auth', 'Invalid login attempt.', { status: 401, code: 'INVALID_LOGIN' });
    const alerts: string[] = [];
    await withWorkers(
      netsuite,
      new FakePipedrive(makeDeal()),
      async (tq) => {
        const handle = await start(tq);
        const review = await waitForState(handle.workflowId, 'NEEDS_REVIEW');
        expect(netsuite.upsertCalls).toBe(1);
        expect(review.reviewKind).toBe('auth');
        for (let i = 0; i < 100 && alerts.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(alerts).toEqual(['auth']);
        await handle.signal(reviewSignal, { action: 'cancel', actor: 'ops' });
        expect((await handle.result()).state).toBe('CANCELLED');
      },
      alerts,
    );
  });

  it('stops on a possible duplicate and links to the existing customer instead of creating one', async () => {
    const netsuite = new FakeNetSuite();
    const deal = makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } });
    netsuite.existing = [
      { id: '55', externalId: 'OLD-CONNECTOR-1', email: 'other@example.com', companyName: deal.organization!.name },
    ];
    await withWorkers(netsuite, new FakePipedrive(deal), async (tq) => {
      const handle = await start(tq);
      const review = await waitForState(handle.workflowId, 'NEEDS_REVIEW');
      expect(review.reviewKind).toBe('possible_duplicate');
      expect(review.duplicateCandidates).toEqual([
        { id: '55', externalId: 'OLD-CONNECTOR-1', matchedOn: ['companyName'] },
      ]);
      await handle.signal(reviewSignal, { action: 'link', actor: 'U0REVIEWER2', netsuiteCustomerId: '55' });
      const done = await handle.result();
      expect(done.state).toBe('COMPLETED');
      expect(done.netsuiteCustomerId).toBe('55');
      expect(netsuite.upsertCalls).toBe(0);
      expect([...netsuite.invoices.values()][0]!.body.entity).toEqual({ id: '55' });
    });
  });

  it('pauses between steps, resumes, and honours cancel at any time', async () => {
    const netsuite = new FakeNetSuite();
    const pipedrive = new FakePipedrive(makeDeal({ organization: { taxId: undefined } }));
    // The pause lands while the first step runs; it takes effect at the next step boundary.
    pipedrive.fetchDelayMs = 1_500;
    await withWorkers(netsuite, pipedrive, async (tq) => {
      const handle = await start(tq);
      await handle.signal(pauseSignal, { actor: 'ops', reason: 'month-end close' });
      await waitForState(handle.workflowId, 'PAUSED');
      await handle.signal(resumeSignal, { actor: 'ops' });
      await waitForState(handle.workflowId, 'NEEDS_REVIEW');
      await handle.signal(reviewSignal, { action: 'cancel', actor: 'ops', reason: 'deal lost' });
      const done = await handle.result();
      expect(done.state).toBe('CANCELLED');
      expect(done.auditTrail.map((e: { step: string }) => e.step)).toEqual(
        expect.arrayContaining(['pause', 'resume', 'review']),
      );
    });
  });
});
