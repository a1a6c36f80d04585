/**
 * NetSuite's async customer job polled on durable timers for at most 5 minutes (workflows/onboarding.ts), on a
 * time-skipping server: a job that finishes inside the window completes the onboarding, one that does not goes to
 * review as `job.sla_exceeded` once the window closes.
 */
import { reviewSignal } from '../../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../../helpers/fake-vendors';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { makeDeal } from '../../unit/domain/fixtures';
import { eventually, MINUTE } from './clock';
import { ClockedReviewChannel, startOnboarding, waitForState, withOnboardingWorkers } from './onboarding-harness';

/** NetSuite's async upsert whose job finishes `finishAfterMs` of server time after it was submitted. */
class AsyncJobNetSuite extends FakeNetSuite {
  submittedAt?: number;
  polls: number[] = [];
  constructor(
    private readonly now: () => Promise<number>,
    private readonly finishAfterMs: number,
  ) {
    super();
  }
  // FakeNetSuite declares it without parameters (it throws there); the port passes (externalId, body, idempotencyKey).
  override async upsertCustomerAsync(...args: unknown[]) {
    const [externalId, body] = args as Parameters<FakeNetSuite['upsertCustomer']>;
    this.submittedAt = await this.now();
    await this.upsertCustomer(externalId, body);
    return { jobId: `job-${externalId}` };
  }
  override async getJob() {
    const at = await this.now();
    this.polls.push(at);
    const completed = at - this.submittedAt! >= this.finishAfterMs;
    return { completed, progress: completed ? 'succeeded' : 'running' };
  }
}

describe('the 5-minute limit on an async NetSuite job', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  const run = (netsuite: AsyncJobNetSuite, review: ClockedReviewChannel, fn: (tq: string) => Promise<void>) =>
    withOnboardingWorkers(
      t,
      {
        netsuite,
        pipedrive: new FakePipedrive(makeDeal({ deal: { firstInvoiceDate: '2026-01-01' } })),
        review,
        netsuiteOptions: { asyncUpserts: true },
      },
      fn,
    );

  it('completes when the job finishes at 4 min 30 s, polled every 2 s meanwhile', async () => {
    const now = () => t.env.currentTimeMs();
    const netsuite = new AsyncJobNetSuite(now, 4.5 * MINUTE);
    const review = new ClockedReviewChannel(now);
    await run(netsuite, review, async (tq) => {
      const done = await (await startOnboarding(t, tq)).result();
      expect(done.state).toBe('COMPLETED');
      expect(done.netsuiteCustomerId).toBe(netsuite.customers.values().next().value!.id);
      expect(review.cards).toEqual([]);
      const last = netsuite.polls.at(-1)! - netsuite.submittedAt!;
      expect(last).toBeGreaterThanOrEqual(4.5 * MINUTE);
      expect(last).toBeLessThan(4.5 * MINUTE + 10_000);
      // One look every 2 s of server time: 135 in 4 min 30 s, give or take the looks' own latency.
      expect(netsuite.polls.length).toBeGreaterThan(100);
      expect(netsuite.polls.length).toBeLessThanOrEqual(137);
    });
  });

  it('goes to review as job.sla_exceeded when the job is still running after 5 minutes', async () => {
    const now = () => t.env.currentTimeMs();
    const netsuite = new AsyncJobNetSuite(now, Number.POSITIVE_INFINITY);
    const review = new ClockedReviewChannel(now);
    await run(netsuite, review, async (tq) => {
      const handle = await startOnboarding(t, tq);
      await eventually('the job submitted', () => netsuite.submittedAt);
      await t.env.sleep(4 * MINUTE);
      await new Promise((r) => setTimeout(r, 500));
      expect(review.cards).toEqual([]);

      await t.env.sleep(2 * MINUTE);
      const parked = await waitForState(handle, 'NEEDS_REVIEW');
      expect(parked.reviewKind).toBe('sla');
      expect(parked.reviewReasons.map((r) => r.code)).toEqual(['job.sla_exceeded']);
      const lastLook = netsuite.polls.at(-1)! - netsuite.submittedAt!;
      expect(lastLook).toBeGreaterThanOrEqual(5 * MINUTE);
      expect(lastLook).toBeLessThan(5 * MINUTE + 10_000);
      expect((await eventually('the review card', () => review.cards[0])).kind).toBe('sla');

      await handle.signal(reviewSignal, { action: 'cancel', actor: 'ops' });
      expect((await handle.result()).state).toBe('CANCELLED');
    });
  });
});
