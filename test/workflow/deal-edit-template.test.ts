/**
 * After onboarding, a Pipedrive edit to a field the mapping template targets with the company's own custom field
 * (attribution here) is compared and, Pipedrive owning it per the template, written to NetSuite at once; NetSuite
 * keeps what the template does not hand to Pipedrive. Real dev server, workers, clients and simulators.
 */
import type { TransactionState } from '../../domain/transaction';
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { DealEditState } from '../../workflows/deal-edit';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  startRealVendors,
  uniqueExternalId,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

jest.setTimeout(120_000);

describe("syncDealEdit with the template's custom targets", () => {
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

  it('a new campaign in Pipedrive reaches custentity_campaign without a review', async () => {
    const taskQueue = uniqueTaskQueue('edit-template');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        const externalId = uniqueExternalId('edit-tpl');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          { externalId, pipedriveDealId: deal.dealId, eventId: 'evt-signed', receivedAt: new Date().toISOString() },
          { taskQueue },
        );
        expect(((await t.client.workflow.getHandle(externalId).result()) as TransactionState).state).toBe('COMPLETED');
        expect((await v.netsuite.getCustomerSnapshot(externalId))?.customFields.custentity_campaign).toBe(
          'Spring launch',
        );

        const res = await fetch(`${v.pipedriveSim.url}/__sim/deals/${deal.dealId}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ custom_fields: { Campaign: 'Autumn webinar' } }),
        });
        expect(res.ok).toBe(true);
        const started = await new OnboardingStarter(t.connection, t.namespace).startDealEdit(
          {
            externalId,
            pipedriveDealId: deal.dealId,
            eventId: 'evt-campaign',
            receivedAt: new Date().toISOString(),
            changedFields: ['Campaign'],
          },
          { taskQueue },
        );
        const result = (await t.client.workflow.getHandle(started.workflowId).result()) as DealEditState;
        expect(result).toMatchObject({
          state: 'COMPLETED',
          edit: { outcome: 'applied', applied: ['custentity_campaign'], held: [] },
        });
        expect((await v.netsuite.getCustomerSnapshot(externalId))?.customFields.custentity_campaign).toBe(
          'Autumn webinar',
        );
      },
    );
  });
});
