/**
 * The unanswered-review escalation at its production period, 24 h (workflows/review-wait.ts), on a time-skipping
 * server: nothing before 24 h, the first escalation at 24 h, the next 24 h later, none once a reviewer answers.
 */
import { reviewSignal, stateQuery } from '../../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../../helpers/fake-vendors';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { makeDeal } from '../../unit/domain/fixtures';
import { DAY, eventually, MINUTE } from './clock';
import { ClockedReviewChannel, startOnboarding, waitForState, withOnboardingWorkers } from './onboarding-harness';

describe('review escalation at its real 24 h period', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  it('escalates an unanswered review after 24 h and again every 24 h, until the reviewer answers', async () => {
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    const netsuite = new FakeNetSuite();
    // No billing owner: validation sends the deal to review.
    const pipedrive = new FakePipedrive(
      makeDeal({ deal: { billingOwner: undefined, firstInvoiceDate: '2026-01-01' } }),
    );
    await withOnboardingWorkers(t, { netsuite, pipedrive, review }, async (tq) => {
      const handle = await startOnboarding(t, tq);
      const parked = await waitForState(handle, 'NEEDS_REVIEW');
      expect(parked.reviewKind).toBe('validation');
      await eventually('the review card', () => review.cards[0]);
      const parkedAt = await t.env.currentTimeMs();

      await t.env.sleep(DAY - MINUTE);
      // Give a premature escalation the time to show before asserting there is none.
      await new Promise((r) => setTimeout(r, 500));
      expect(review.escalations).toEqual([]);

      await t.env.sleep(2 * MINUTE);
      const first = await eventually('the first escalation', () => review.escalations[0]);
      expect(first.escalation).toBe(1);
      expect(first.at - parkedAt).toBeGreaterThanOrEqual(DAY - MINUTE);
      expect(first.at - parkedAt).toBeLessThanOrEqual(DAY + 2 * MINUTE);

      await t.env.sleep(DAY);
      const second = await eventually('the second escalation', () => review.escalations[1]);
      expect(second.escalation).toBe(2);
      expect(second.at - first.at).toBeGreaterThanOrEqual(DAY - MINUTE);
      expect(second.at - first.at).toBeLessThanOrEqual(DAY + MINUTE);
      // Both reminders say since when the review has waited: the moment it was parked, not the last reminder.
      expect(second.waitingSince).toBe(first.waitingSince);
      expect(Math.abs(Date.parse(first.waitingSince) - parkedAt)).toBeLessThan(MINUTE);

      const state = await handle.query(stateQuery);
      expect(state.state).toBe('NEEDS_REVIEW');
      expect(state.auditTrail.filter((e) => e.step === 'review-escalation').map((e) => e.detail)).toEqual([
        'unanswered for 1440 min',
        'unanswered for 2880 min',
      ]);

      await handle.signal(reviewSignal, {
        action: 'fix',
        actor: 'U0REVIEWER1',
        fields: { 'deal.billingOwner': 'Dana Finance' },
      });
      const done = await handle.result();
      expect(done.state).toBe('COMPLETED');
      expect(review.decisions).toEqual([{ action: 'fix', actor: 'U0REVIEWER1' }]);
      expect(netsuite.customers.size).toBe(1);
      expect(review.escalations).toHaveLength(2);
    });
  });
});
