/**
 * An edit after onboarding (`syncDealEdit`) waits out a vendor outage as an onboarding does (workflows/vendor-wait.ts),
 * on a time-skipping server: VENDOR_DOWN parks it in WAITING_FOR_VENDOR instead of sending it to review, it resumes on
 * `vendorRecovered` and writes the edit, and it goes to review with reason `vendor_outage` only past the allowance.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { CustomerPatch, NetSuiteCustomerSnapshot } from '../../../domain/deal-edit';
import type { NetSuiteCustomerBody } from '../../../domain/netsuite-records';
import { SEARCH_ATTRIBUTES } from '../../../domain/temporal-names';
import type { OnboardingSettings } from '../../../domain/transaction';
import { VendorDownError } from '../../../integrations/vendor-health';
import { OnboardingStarter } from '../../../starters/start-onboarding';
import type { syncDealEdit } from '../../../workflows';
import { vendorRecoveredSignal } from '../../../workflows/vendor-wait';
import { FakeNetSuite, FakePipedrive } from '../../helpers/fake-vendors';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { makeDeal } from '../../unit/domain/fixtures';
import { historyToProtoJson } from '../fixtures/history-json';
import { eventually, HOUR, MINUTE } from './clock';
import { ClockedReviewChannel, startOnboarding, waitForState, withOnboardingWorkers } from './onboarding-harness';

/**
 * `RECORD_EDIT_HISTORIES=v<N> npx jest test/workflow/time-skipping/deal-edit-vendor-outage.test.ts` writes the first
 * test's history to fixtures/histories/<v>-edit-vendor-wait.json for the replay test (record from committed code).
 */
const RECORD_VERSION = process.env.RECORD_EDIT_HISTORIES;

/** The snapshot NetSuite would answer for a customer written with this body. */
function snapshotOf(id: string, body: NetSuiteCustomerBody): NetSuiteCustomerSnapshot {
  const address =
    body.addressBook.items.find((i) => i.defaultBilling)?.addressBookAddress ??
    body.addressBook.items[0]?.addressBookAddress;
  const customFields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body))
    if (k.startsWith('custentity_') && typeof v === 'string') customFields[k] = v;
  return {
    id,
    externalId: body.externalId,
    companyName: body.companyName,
    email: body.email,
    phone: body.phone,
    subsidiary: body.subsidiary,
    terms: body.terms,
    ...(address ? { billingAddress: address } : {}),
    taxRegistrations: body.taxRegistration.items,
    customFields,
  };
}

/** A NetSuite whose customer read meets an open breaker while `down`. */
class OutageEditNetSuite extends FakeNetSuite {
  down = false;
  snapshotCalls = 0;
  patches: CustomerPatch[] = [];
  async getCustomerSnapshot(externalId: string): Promise<NetSuiteCustomerSnapshot | undefined> {
    this.snapshotCalls += 1;
    if (this.down) throw new VendorDownError('netsuite', '2026-12-05T06:00:00.000Z');
    const c = this.customers.get(externalId);
    return c ? snapshotOf(c.id, c.body) : undefined;
  }
  async patchCustomer(externalId: string, patch: CustomerPatch): Promise<{ customerId: string }> {
    this.patches.push(patch);
    const c = this.customers.get(externalId)!;
    c.body = { ...c.body, ...(patch as Partial<NetSuiteCustomerBody>) };
    return { customerId: c.id };
  }
}

describe('edit after onboarding: a vendor outage is waited out, not reviewed', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  /** Onboards the deal, renames its organization in Pipedrive, and starts the edit with NetSuite down. */
  async function editDuringOutage(
    tq: string,
    netsuite: OutageEditNetSuite,
    pipedrive: FakePipedrive,
    settings: OnboardingSettings = {},
  ): Promise<WorkflowHandle<typeof syncDealEdit>> {
    const onboarding = await startOnboarding(t, tq);
    expect((await onboarding.result()).state).toBe('COMPLETED');
    const externalId = onboarding.workflowId;
    pipedrive.deal = { ...pipedrive.deal, organization: { ...pipedrive.deal.organization!, name: 'Acme Renamed Inc' } };
    netsuite.down = true;
    const started = await new OnboardingStarter(t.env.connection, t.namespace, settings).startDealEdit(
      {
        externalId,
        pipedriveDealId: '746',
        eventId: 'evt-edit-1',
        receivedAt: new Date(await t.env.currentTimeMs()).toISOString(),
        changedFields: ['org_name'],
      },
      { taskQueue: tq },
    );
    return t.env.client.workflow.getHandle<typeof syncDealEdit>(started.workflowId);
  }

  it('parks in WAITING_FOR_VENDOR and writes the edit once NetSuite is back', async () => {
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    const netsuite = new OutageEditNetSuite();
    const pipedrive = new FakePipedrive(makeDeal());
    await withOnboardingWorkers(t, { netsuite, pipedrive, review }, async (tq) => {
      const edit = await editDuringOutage(tq, netsuite, pipedrive);
      const parked = await waitForState(edit, 'WAITING_FOR_VENDOR');
      // One read, not six: VENDOR_DOWN is not retried, and nothing went to review.
      expect(netsuite.snapshotCalls).toBe(1);
      expect(parked.auditTrail.filter((e) => e.step === 'vendor-wait')).toHaveLength(1);
      const described = await edit.describe();
      expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState)).toBe('WAITING_FOR_VENDOR');
      expect(described.memo?.waitingForVendor).toBe('netsuite');
      expect(review.cards).toEqual([]);

      netsuite.down = false;
      await edit.signal(vendorRecoveredSignal, { vendor: 'netsuite' });
      const done = await edit.result();
      expect(done.state).toBe('COMPLETED');
      expect(done.edit.outcome).toBe('applied');
      expect(done.edit.applied).toEqual(['companyName']);
      expect(netsuite.patches).toEqual([{ companyName: 'Acme Renamed Inc' }]);
      expect(review.cards).toEqual([]);
      expect(done.auditTrail.some((e) => e.step === 'vendor-recovered')).toBe(true);
      if (RECORD_VERSION && /^v\d+[a-z]?$/.test(RECORD_VERSION))
        writeFileSync(
          join(__dirname, '..', 'fixtures', 'histories', `${RECORD_VERSION}-edit-vendor-wait.json`),
          `${JSON.stringify(historyToProtoJson(await edit.fetchHistory()), null, 1)}\n`,
        );
    });
  });

  it('goes to review with reason vendor_outage once the outage outlasts the allowance (4 h)', async () => {
    const review = new ClockedReviewChannel(() => t.env.currentTimeMs());
    const netsuite = new OutageEditNetSuite();
    const pipedrive = new FakePipedrive(makeDeal());
    await withOnboardingWorkers(t, { netsuite, pipedrive, review }, async (tq) => {
      const edit = await editDuringOutage(tq, netsuite, pipedrive, { vendorOutageReviewAfterMs: 4 * HOUR });
      await waitForState(edit, 'WAITING_FOR_VENDOR');
      const parkedAt = await t.env.currentTimeMs();
      await t.env.sleep(3 * HOUR);
      expect((await edit.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState)).toBe(
        'WAITING_FOR_VENDOR',
      );
      await t.env.sleep(HOUR + 10 * MINUTE);
      const inReview = await waitForState(edit, 'NEEDS_REVIEW');
      expect(inReview.reviewReasons[0]?.code).toBe('vendor_outage');
      await eventually('the review card', () => review.cards[0]);
      const reviewedAt = Date.parse(inReview.auditTrail.filter((e) => e.detail?.endsWith('→ NEEDS_REVIEW')).at(-1)!.at);
      expect(reviewedAt - parkedAt).toBeGreaterThanOrEqual(4 * HOUR - MINUTE);
      expect(reviewedAt - parkedAt).toBeLessThanOrEqual(4 * HOUR + 6 * MINUTE);
      // Timers backed off to 5 min: a bounded number of reads over 4 h, no busy loop.
      expect(netsuite.snapshotCalls).toBeLessThan(60);
      await edit.terminate('test done');
    });
  });
});
