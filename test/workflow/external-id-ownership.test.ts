/**
 * External ID ownership (issue 21 item 1), on the real dev server with the real workers, activities and clients
 * against the simulators: a NetSuite customer created for deal A is never written by a run of another deal B that
 * carries A's External ID (a copied deal), neither by the onboarding's upsert (A's run past retention, so the intake
 * could not tell) nor by an edit after onboarding. Both runs stop in review naming deal A.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PIPEDRIVE_DEAL_ID_FIELD } from '../../domain/external-id';
import { BELONGS_TO_DEAL } from '../../domain/external-id-owner';
import type { NetSuiteCustomerBody } from '../../domain/netsuite-records';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { waitUntil } from '../helpers/wait-until';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { historyToProtoJson } from './fixtures/history-json';
import {
  createSyntheticDeal,
  startRealVendors,
  uniqueExternalId,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

describe('an External ID that belongs to another deal is never used to write', () => {
  let t: TestTemporal;
  let v: RealVendors;

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
  });
  afterAll(async () => {
    await v?.close();
    await t?.close();
  });

  /** Deal A's customer, as A's onboarding left it: created under `externalId`, recording deal A. */
  async function customerOfDealA(
    externalId: string,
    dealA: string,
  ): Promise<{ customerId: string; body: NetSuiteCustomerBody }> {
    const body: NetSuiteCustomerBody = {
      externalId,
      entityId: `Original Co ${externalId}`,
      companyName: `Original Co ${externalId}`,
      isPerson: false,
      email: 'ap@original.example.com',
      subsidiary: { id: '1' },
      terms: { id: '2' },
      addressBook: { items: [] },
      taxRegistration: { items: [] },
      custentity_onboarding_code: 'STARTER',
      [PIPEDRIVE_DEAL_ID_FIELD]: dealA,
      custentity_csm: '',
      custentity_billing_owner: '',
    };
    const { customerId } = await v.netsuite.upsertCustomer(externalId, body);
    return { customerId, body };
  }

  it("the copy's onboarding stops in review naming deal A, and deal A's customer keeps its name and e-mail", async () => {
    const taskQueue = uniqueTaskQueue('eid-owner-onboarding');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const externalId = uniqueExternalId('copied');
        const { customerId } = await customerOfDealA(externalId, '900001');
        // The simulator returns the field as NetSuite does: the original's owner is readable by eid.
        expect((await v.netsuite.getCustomerByExternalId(externalId))?.[PIPEDRIVE_DEAL_ID_FIELD]).toBe('900001');
        const copy = await createSyntheticDeal(v);

        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          { externalId, pipedriveDealId: copy.dealId, eventId: 'evt-copy', receivedAt: new Date().toISOString() },
          { taskQueue },
        );
        const parked = await waitForState(t.client, externalId, 'NEEDS_REVIEW', 60_000);
        expect(parked.reviewReasons).toEqual([
          expect.objectContaining({ code: BELONGS_TO_DEAL, value: '900001', field: 'deal.externalId' }),
        ]);
        expect(parked.reviewReasons[0]?.message).toContain('deal 900001');
        expect(parked.reviewReasons[0]?.suggestion).toMatch(/clear the External ID on deal \d+/i);
        expect(parked.netsuiteCustomerId).toBeUndefined();

        const after = await v.netsuite.getCustomerSnapshot(externalId);
        expect(after).toMatchObject({
          id: customerId,
          companyName: `Original Co ${externalId}`,
          email: 'ap@original.example.com',
        });
        expect(after?.customFields[PIPEDRIVE_DEAL_ID_FIELD]).toBe('900001');

        // A retry cannot make it write either: the customer still belongs to deal A.
        await t.client.workflow.getHandle(externalId).signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1' });
        const again = await waitUntil('a second refused upsert', async () => {
          const s = await t.client.workflow.getHandle(externalId).query(stateQuery);
          const refusals = s.auditTrail.filter(
            (e) => e.step === 'check-external-id-owner' && e.outcome === 'failed',
          ).length;
          return s.state === 'NEEDS_REVIEW' && refusals >= 2 ? s : undefined;
        });
        expect(again.reviewReasons.map((r) => r.code)).toEqual([BELONGS_TO_DEAL]);
        expect((await v.netsuite.getCustomerSnapshot(externalId))?.companyName).toBe(`Original Co ${externalId}`);
        await t.client.workflow
          .getHandle(externalId)
          .signal(reviewSignal, { action: 'cancel', actor: 'U0REVIEWER1', reason: 'copied deal' });
        expect((await t.client.workflow.getHandle(externalId).result()).state).toBe('CANCELLED');
      },
    );
  }, 120_000);

  it("an edit of the copy stops in review naming deal A and patches nothing of A's customer", async () => {
    const taskQueue = uniqueTaskQueue('eid-owner-edit');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const externalId = uniqueExternalId('copied-edit');
        await customerOfDealA(externalId, '900002');
        const copy = await createSyntheticDeal(v);
        const started = await new OnboardingStarter(t.connection, t.namespace).startDealEdit(
          {
            externalId,
            pipedriveDealId: copy.dealId,
            eventId: 'evt-rename',
            receivedAt: new Date().toISOString(),
            changedFields: ['title'],
          },
          { taskQueue },
        );
        const parked = await waitForState(t.client, started.workflowId, 'NEEDS_REVIEW', 60_000);
        expect(parked.reviewReasons).toEqual([expect.objectContaining({ code: BELONGS_TO_DEAL, value: '900002' })]);
        const after = await v.netsuite.getCustomerSnapshot(externalId);
        expect(after).toMatchObject({ companyName: `Original Co ${externalId}`, email: 'ap@original.example.com' });
        await t.client.workflow
          .getHandle(started.workflowId)
          .signal(reviewSignal, { action: 'cancel', actor: 'U0REVIEWER1' });
        await t.client.workflow.getHandle(started.workflowId).result();
        // `RECORD_EDIT_HISTORIES=v<N>` (as test/workflow/deal-edit.test.ts): the replay test's syncDealEdit history with
        // the ownership check's patch marker.
        const version = process.env.RECORD_EDIT_HISTORIES;
        if (version && /^v\d+[a-z]?$/.test(version)) {
          const history = await t.client.workflow.getHandle(started.workflowId).fetchHistory();
          writeFileSync(
            join(__dirname, 'fixtures', 'histories', `${version}-edit-foreign-owner.json`),
            `${JSON.stringify(historyToProtoJson(history), null, 1)}\n`,
          );
        }
      },
    );
  }, 120_000);

  it("deal A's own runs still write: the owner check lets the customer's own deal through", async () => {
    const taskQueue = uniqueTaskQueue('eid-owner-own');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        const externalId = uniqueExternalId('own');
        await customerOfDealA(externalId, deal.dealId);
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          { externalId, pipedriveDealId: deal.dealId, eventId: 'evt-own', receivedAt: new Date().toISOString() },
          { taskQueue },
        );
        const done = await t.client.workflow.getHandle(externalId).result();
        expect(done.state).toBe('COMPLETED');
        expect((await v.netsuite.getCustomerSnapshot(externalId))?.companyName).toBe(deal.orgName);
      },
    );
  }, 120_000);
});
