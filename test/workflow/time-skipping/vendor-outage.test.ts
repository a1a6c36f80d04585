/**
 * Waiting out a vendor outage (workflows/vendor-wait.ts) on a time-skipping server: an activity that meets an open
 * breaker (VENDOR_DOWN) parks the onboarding in WAITING_FOR_VENDOR, which resumes at the same step on its own timer or
 * on `vendorRecovered`, and goes to review with reason `vendor_outage` only past the allowance (4 h by default).
 */
import { SEARCH_ATTRIBUTES } from '../../../domain/temporal-names';
import { VendorDownError } from '../../../integrations/vendor-health';
import { stateQuery } from '../../../workflows/messages';
import { vendorRecoveredSignal } from '../../../workflows/vendor-wait';
import { FakeNetSuite, FakePipedrive } from '../../helpers/fake-vendors';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { makeDeal } from '../../unit/domain/fixtures';
import { eventually, HOUR, MINUTE } from './clock';
import { ClockedReviewChannel, startOnboarding, waitForState, withOnboardingWorkers } from './onboarding-harness';

/** A NetSuite whose customer upsert meets an open breaker while `down`; counts the calls of the earlier steps. */
class OutageNetSuite extends FakeNetSuite {
  down = true;
  duplicateProbes = 0;
  override async upsertCustomer(externalId: string, body: Parameters<FakeNetSuite['upsertCustomer']>[1]) {
    if (!this.down) return super.upsertCustomer(externalId, body);
    this.upsertCalls += 1;
    // The breaker refuses before any HTTP call: what the activity sees is VendorDownError.
    throw new VendorDownError('netsuite', '2026-12-05T06:00:00.000Z');
  }
  override async findCustomersByEmailOrCompany(email?: string, companyName?: string) {
    this.duplicateProbes += 1;
    return super.findCustomersByEmailOrCompany(email, companyName);
  }
}

describe('vendor outage: park, resume at the step, review after the allowance', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  it('parks in WAITING_FOR_VENDOR without burning retries and resumes at the upsert on vendorRecovered', async () => {
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    const netsuite = new OutageNetSuite();
    const pipedrive = new FakePipedrive(makeDeal());
    let fetches = 0;
    const fetch = pipedrive.fetchResolvedDeal.bind(pipedrive);
    pipedrive.fetchResolvedDeal = async () => {
      fetches += 1;
      return fetch();
    };
    await withOnboardingWorkers(t, { netsuite, pipedrive, review }, async (tq) => {
      const handle = await startOnboarding(t, tq);
      const parked = await waitForState(handle, 'WAITING_FOR_VENDOR');
      // One attempt, not six: VENDOR_DOWN is not retried.
      expect(netsuite.upsertCalls).toBe(1);
      expect(parked.auditTrail.filter((e) => e.step === 'vendor-wait')).toHaveLength(1);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState)).toBe('WAITING_FOR_VENDOR');
      expect(described.memo?.waitingForVendor).toBe('netsuite');
      expect(review.cards).toEqual([]);

      netsuite.down = false;
      await handle.signal(vendorRecoveredSignal, { vendor: 'netsuite' });
      const done = await handle.result();
      expect(done.state).toBe('COMPLETED');
      expect(netsuite.customers.size).toBe(1);
      expect(netsuite.invoices.size).toBe(1);
      // Resumed at the upsert: the deal was not fetched again, the duplicate probe not repeated.
      expect(fetches).toBe(1);
      expect(netsuite.duplicateProbes).toBe(1);
      expect(netsuite.upsertCalls).toBe(2);
      expect(review.cards).toEqual([]);
      const states = done.auditTrail.filter((e) => e.step === 'state').map((e) => e.detail);
      expect(states).toContain('CUSTOMER_SYNCING → WAITING_FOR_VENDOR');
      expect(states).toContain('WAITING_FOR_VENDOR → CUSTOMER_SYNCING');
      expect(done.auditTrail.some((e) => e.step === 'vendor-recovered')).toBe(true);
    });
  });

  it('tries again on its own timer, backing off from 30 s, when nobody signals', async () => {
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    const netsuite = new OutageNetSuite();
    const pipedrive = new FakePipedrive(makeDeal());
    await withOnboardingWorkers(t, { netsuite, pipedrive, review }, async (tq) => {
      const handle = await startOnboarding(t, tq);
      await waitForState(handle, 'WAITING_FOR_VENDOR');
      const parkedAt = await t.env.currentTimeMs();
      // 30 s, 60 s, 120 s: three more tries within 3.6 min, each parking again.
      await t.env.sleep(3.6 * MINUTE);
      await eventually('three timer wake-ups', async () =>
        (await handle.query(stateQuery)).auditTrail.filter((e) => e.step === 'vendor-wait').length >= 4
          ? true
          : undefined,
      );
      expect(netsuite.upsertCalls).toBe(4);
      netsuite.down = false;
      const done = await handle.result();
      expect(done.state).toBe('COMPLETED');
      const waits = done.auditTrail.filter((e) => e.step === 'vendor-wait').map((e) => e.detail ?? '');
      expect(waits.slice(0, 4).map((d) => /next try in (\d+) s/.exec(d)?.[1])).toEqual(['30', '60', '120', '240']);
      // The customer came on the fifth try (30 + 60 + 120 + 240 s after parking), not minutes of busy polling later.
      const synced = Date.parse(done.auditTrail.find((e) => e.detail === 'CUSTOMER_SYNCING → CUSTOMER_SYNCED')!.at);
      expect(synced - parkedAt).toBeGreaterThanOrEqual(7 * MINUTE);
      expect(synced - parkedAt).toBeLessThan(8 * MINUTE);
      expect(review.cards).toEqual([]);
    });
  });

  it('goes to review with reason vendor_outage once the outage outlasts VENDOR_OUTAGE_REVIEW_AFTER (4 h)', async () => {
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    const netsuite = new OutageNetSuite();
    const pipedrive = new FakePipedrive(makeDeal());
    await withOnboardingWorkers(t, { netsuite, pipedrive, review }, async (tq) => {
      const handle = await startOnboarding(t, tq, { vendorOutageReviewAfterMs: 4 * HOUR });
      await waitForState(handle, 'WAITING_FOR_VENDOR');
      const parkedAt = await t.env.currentTimeMs();
      await t.env.sleep(3 * HOUR);
      expect((await handle.query(stateQuery)).state).not.toBe('NEEDS_REVIEW');
      await t.env.sleep(HOUR + 10 * MINUTE);
      const inReview = await waitForState(handle, 'NEEDS_REVIEW');
      expect(inReview.reviewReasons[0]?.code).toBe('vendor_outage');
      expect((await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.ReviewReason)).toBe('vendor_outage');
      await eventually('the review card', () => review.cards[0]);
      const reviewedAt = Date.parse(inReview.auditTrail.filter((e) => e.detail?.endsWith('→ NEEDS_REVIEW')).at(-1)!.at);
      expect(reviewedAt - parkedAt).toBeGreaterThanOrEqual(4 * HOUR - MINUTE);
      expect(reviewedAt - parkedAt).toBeLessThanOrEqual(4 * HOUR + 6 * MINUTE);
      // Timers backed off to 5 min: a bounded number of tries over 4 h, no busy loop.
      expect(netsuite.upsertCalls).toBeLessThan(60);
    });
  });
});
