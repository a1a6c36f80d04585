/**
 * The deal's person as the NetSuite customer's billing contact, on the real Temporal dev server with the real
 * clients and simulators: created once, attached to the customer with the template's role, keyed by its own
 * externalId; a lost answer is retried onto the same contact; a NetSuite refusal of it goes to review.
 */
import type { NetSuitePort } from '../../domain/vendor-ports';
import { contactExternalId } from '../../domain/billing-contact';
import { VendorError } from '../../integrations/vendor-error';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  startRealVendors,
  uniqueExternalId,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

jest.setTimeout(120_000);

describe('billing contact', () => {
  let t: TestTemporal;
  let starter: OnboardingStarter;
  let v: RealVendors;

  beforeAll(async () => {
    t = await connectTestTemporal();
    starter = new OnboardingStarter(t.connection, t.namespace);
    v = await startRealVendors({ concurrencyLimit: 15 });
  });
  afterAll(async () => {
    await v?.close();
    await t?.close();
  });

  /** The real client; its first contact upsert does the write and then loses the answer, as a dropped connection would. */
  function losingFirstContactAnswer(): NetSuitePort & { contactCalls: number } {
    const port = Object.create(v.netsuite) as NetSuitePort & { contactCalls: number };
    port.contactCalls = 0;
    port.upsertContact = async (externalId, body) => {
      port.contactCalls += 1;
      const written = await v.netsuite.upsertContact(externalId, body);
      if (port.contactCalls === 1)
        throw new VendorError('netsuite', 'transient', 'socket hang up after the contact was written');
      return written;
    };
    return port;
  }

  it('creates one contact on the customer with the Billing role, even when the first answer is lost', async () => {
    const taskQueue = uniqueTaskQueue('contact');
    const port = losingFirstContactAnswer();
    const deal = await createSyntheticDeal(v, { country: 'GB', person_name: 'Siobhán O’Connor-Smythe' });
    const externalId = uniqueExternalId('ct');
    await withRealWorkers(
      v,
      {
        connection: t.nativeConnection,
        namespace: t.namespace,
        taskQueue,
        workflowBundle: t.workflowBundle,
        netsuitePort: port,
      },
      async () => {
        await starter.startOnboarding(
          {
            externalId,
            pipedriveDealId: deal.dealId,
            eventId: `evt-${externalId}`,
            receivedAt: new Date().toISOString(),
          },
          { taskQueue },
        );
        const s = await waitForState(t.client, externalId, 'COMPLETED', 60_000);
        expect(s.auditTrail.filter((e) => e.step === 'upsert-contact' && e.outcome === 'ok')).toHaveLength(1);
        expect(port.contactCalls).toBe(2);
        const contacts = await v.netsuite.suiteqlAll<Record<string, string>>(
          `SELECT c.id, c.firstname, c.lastname, c.email, c.company, r.name AS role FROM contact c JOIN contactrole r ON r.id = c.contactrole WHERE c.externalid = '${contactExternalId(externalId)}'`,
        );
        expect(contacts).toEqual([
          expect.objectContaining({
            firstname: 'Siobhán',
            lastname: 'O’Connor-Smythe',
            email: deal.email,
            company: s.netsuiteCustomerId,
            role: 'Billing',
          }),
        ]);
        const all = await v.netsuite.suiteqlAll<{ n: string }>(
          `SELECT COUNT(*) AS n FROM contact WHERE company = ${s.netsuiteCustomerId}`,
        );
        expect(all[0]?.n).toBe('1');
      },
    );
  });

  it('a person name longer than NetSuite accepts goes to review at validation, before any NetSuite write', async () => {
    const taskQueue = uniqueTaskQueue('contact-review');
    const deal = await createSyntheticDeal(v, {
      country: 'US',
      person_name: `${'Maximiliana'.repeat(3)}-Alexandrina Smith`,
    });
    const externalId = uniqueExternalId('ct');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        await starter.startOnboarding(
          {
            externalId,
            pipedriveDealId: deal.dealId,
            eventId: `evt-${externalId}`,
            receivedAt: new Date().toISOString(),
          },
          { taskQueue },
        );
        const s = await waitForState(t.client, externalId, 'NEEDS_REVIEW', 60_000);
        expect(s.reviewReasons).toEqual([
          expect.objectContaining({
            field: 'person.name',
            code: 'field.too_long',
            message: 'Contact first name is 45 characters; NetSuite accepts at most 32.',
          }),
        ]);
        expect(await v.netsuite.suiteqlAll(`SELECT id FROM customer WHERE externalid = '${externalId}'`)).toEqual([]);
        await t.client.workflow.getHandle(externalId).terminate('test done');
      },
    );
  });
});
