/**
 * The durable timer to the first invoice date (workflows/onboarding.ts) with the deployment's delay of 30 days after
 * signature, on a time-skipping server: the customer is created at once, the invoice not a moment before its date.
 */
import { stateQuery } from '../../../workflows/messages';
import { FakeNetSuite, FakePipedrive } from '../../helpers/fake-vendors';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { makeDeal } from '../../unit/domain/fixtures';
import { DAY, HOUR } from './clock';
import { ClockedReviewChannel, startOnboarding, waitForState, withOnboardingWorkers } from './onboarding-harness';

describe('first invoice 30 days after signature', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  it('creates the customer now and the invoice on its date, 30 days out, after a durable wait', async () => {
    const signedAt = new Date(await t.env.currentTimeMs()).toISOString();
    const invoiceDate = new Date(Date.parse(`${signedAt.slice(0, 10)}T00:00:00Z`) + 30 * DAY)
      .toISOString()
      .slice(0, 10);
    const invoiceAt = Date.parse(`${invoiceDate}T00:00:00Z`);
    const netsuite = new FakeNetSuite();
    const pipedrive = new FakePipedrive(makeDeal({ deal: { signedAt, expectedTimeToValue: invoiceDate } }));
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    await withOnboardingWorkers(
      t,
      { netsuite, pipedrive, review, netsuiteOptions: { defaultInvoiceDelayDays: 30 } },
      async (tq) => {
        const handle = await startOnboarding(t, tq);
        const scheduled = await waitForState(handle, 'INVOICE_SCHEDULED');
        expect(scheduled.invoiceDate).toBe(invoiceDate);
        expect(netsuite.customers.size).toBe(1);
        expect(netsuite.invoices.size).toBe(0);

        // To an hour before the date: still waiting, nothing invoiced.
        await t.env.sleep(invoiceAt - HOUR - (await t.env.currentTimeMs()));
        await new Promise((r) => setTimeout(r, 500));
        expect((await handle.query(stateQuery)).state).toBe('INVOICE_SCHEDULED');
        expect(netsuite.invoices.size).toBe(0);

        const done = await handle.result();
        expect(done.state).toBe('COMPLETED');
        const invoices = [...netsuite.invoices.values()];
        expect(invoices).toHaveLength(1);
        expect(invoices[0]!.body.tranDate).toBe(invoiceDate);
        expect(invoices[0]!.body.entity).toEqual({ id: done.netsuiteCustomerId });
        // Created on the date's first minutes in the workflow's own clock, 29-30 days after the customer.
        const createdAt = Date.parse(done.invoiceCreatedAt!);
        expect(createdAt).toBeGreaterThanOrEqual(invoiceAt);
        expect(createdAt).toBeLessThan(invoiceAt + HOUR);
        expect(createdAt - Date.parse(done.customerSyncedAt!)).toBeGreaterThan(29 * DAY);
        const steps = done.auditTrail.filter((e) => e.outcome === 'ok').map((e) => e.step);
        expect(steps.indexOf('create-invoice')).toBeGreaterThan(steps.indexOf('plan-invoice'));
        expect(steps.at(-1)).toBe('annotate-deal');
      },
    );
  });
});
