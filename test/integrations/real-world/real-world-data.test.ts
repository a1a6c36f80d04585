/**
 * Real-world data through the real clients and both simulators: a Pipedrive organization with only a free-text
 * address, names over NetSuite's limits, and the deal's currency. What validation accepts NetSuite accepts, and what
 * NetSuite would refuse is a field-level reason before any NetSuite call.
 */
import { mapToNetSuiteCustomer } from '../../../domain/customer-mapping';
import { planFirstInvoice } from '../../../domain/invoice-plan';
import { activeMapping } from '../../../domain/mapping/active-mapping';
import type { ReferenceData } from '../../../domain/reference-data';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { PipedriveClient } from '../../../integrations/pipedrive';
import { VendorError } from '../../../integrations/vendor-error';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import {
  createReconciliationActivities,
  createReconciliationNetSuiteActivities,
} from '../../../reconciliation/activities/reconcile-activities';
import { reconcileRecords } from '../../../reconciliation/model/reconciliation';
import { clientFor } from '../netsuite/fixtures';
import { createSyntheticDeal, simCall } from '../pipedrive/sim-admin';

let pd: RunningPipedriveSimulator;
let ns: RunningNetSuiteSimulator;
let pipedrive: PipedriveClient;
let netsuite: NetSuiteClient;
let ref: ReferenceData;
let n = 0;

beforeAll(async () => {
  [pd, ns] = await Promise.all([startPipedriveSimulator(), startNetSuiteSimulator()]);
  pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken, rateGate: false });
  netsuite = clientFor(ns);
  ref = await netsuite.loadReferenceData();
});
afterAll(async () => {
  await Promise.all([pd?.close(), ns?.close()]);
});

async function dealWith(body: Record<string, unknown>, org: Record<string, unknown> = {}) {
  const ids = await createSyntheticDeal(pd.url, body);
  if (Object.keys(org).length)
    await simCall(pd.url, 'PATCH', `/api/v2/organizations/${ids.orgId}?api_token=${pd.stackEntry.apiToken}`, org);
  return pipedrive.fetchResolvedDeal(ids.dealId);
}

const eid = () => `RW-${process.pid}-${++n}`;

describe('free-text addresses', () => {
  test.each([
    [
      'US',
      '350 Fifth Avenue, New York, NY 10118, USA',
      { addr1: '350 Fifth Avenue', city: 'New York', state: 'NY', zip: '10118', country: 'US' },
    ],
    [
      'GB',
      '221B Baker Street, London NW1 6XE, United Kingdom',
      { addr1: '221B Baker Street', city: 'London', zip: 'NW1 6XE', country: 'GB' },
    ],
    [
      'DE',
      'Friedrichstraße 12, 10117 Berlin, Germany',
      { addr1: 'Friedrichstraße 12', city: 'Berlin', zip: '10117', country: 'DE' },
    ],
    [
      'CA',
      '100 King Street West, Toronto, ON M5X 1A9, Canada',
      { addr1: '100 King Street West', city: 'Toronto', state: 'ON', zip: 'M5X 1A9', country: 'CA' },
    ],
    [
      'AU',
      '1 Macquarie Street, Sydney NSW 2000, AUS',
      { addr1: '1 Macquarie Street', city: 'Sydney', state: 'NSW', zip: '2000', country: 'AU' },
    ],
  ])('%s: parsed into NetSuite address parts and accepted by NetSuite', async (country, text, expected) => {
    const deal = await dealWith({ country }, { address: text });
    expect(deal.organization?.address).toMatchObject({ formatted: text, country: expected.country });
    const externalId = eid();
    const mapped = mapToNetSuiteCustomer(deal, ref, externalId);
    if (!mapped.ok) throw new Error(`refused: ${JSON.stringify(mapped.reasons)}`);
    expect(mapped.customer.addressBook.items[0]?.addressBookAddress).toMatchObject(expected);
    const { customerId } = await netsuite.upsertCustomer(externalId, mapped.customer);
    const rows = await netsuite.suiteqlAll<{ id: string }>(
      `SELECT id FROM customer WHERE externalid = '${externalId}'`,
    );
    expect(rows.map((r) => r.id)).toEqual([customerId]);
  });

  test('an address whose country cannot be read goes to review saying so, quoting the text', async () => {
    const deal = await dealWith({ country: 'US' }, { address: 'Unit 4, 12 Harbour Road, Springfield' });
    const mapped = mapToNetSuiteCustomer(deal, ref, eid());
    expect(mapped.ok).toBe(false);
    expect(!mapped.ok && mapped.reasons.find((r) => r.code === 'address.country_missing')).toMatchObject({
      field: 'organization.address.country',
      message: expect.stringContaining('"Unit 4, 12 Harbour Road, Springfield"'),
      suggestion: expect.stringContaining('Add the country'),
    });
  });
});

describe('NetSuite length limits: validation and the simulator agree', () => {
  const limit = activeMapping().fields.companyName.maxLength!;

  test(`company name of ${limit} characters passes both; ${limit + 1} is a field-level reason, and NetSuite refuses it too`, async () => {
    const fits = 'N'.repeat(limit);
    const ok = mapToNetSuiteCustomer(
      await dealWith({ country: 'GB', org_name: fits, emails: ['ap@long-name.example'] }),
      ref,
      eid(),
    );
    if (!ok.ok) throw new Error(JSON.stringify(ok.reasons));
    await expect(netsuite.upsertCustomer(ok.customer.externalId, ok.customer)).resolves.toMatchObject({
      customerId: expect.any(String),
    });

    const long = `${'N'.repeat(limit - 4)} GmbH & Co. KG`;
    const externalId = eid();
    const refused = mapToNetSuiteCustomer(
      await dealWith({ country: 'GB', org_name: long, emails: ['ap@long-name.example'] }),
      ref,
      externalId,
    );
    expect(!refused.ok && refused.reasons).toEqual([
      expect.objectContaining({
        field: 'organization.name',
        code: 'field.too_long',
        message: `Company name is ${long.length} characters; NetSuite accepts at most ${limit}.`,
        suggestion: expect.stringContaining(`Shorten it to ${limit} characters or fewer`),
      }),
    ]);
    // Without the check, NetSuite's answer would be a generic USER_ERROR after the round trip.
    const body = { ...ok.customer, externalId, companyName: long, entityId: long.slice(0, 80) };
    const err = await netsuite.upsertCustomer(externalId, body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(JSON.stringify((err as VendorError).extra.details)).toMatch(
      /companyName contained more than the maximum number \( 83 \)/,
    );
  });

  test('custom targets (attribution, handoff people) hold 300 characters in both', async () => {
    const deal = await dealWith({ country: 'GB', billing_owner: 'B'.repeat(301) });
    const refused = mapToNetSuiteCustomer(deal, ref, eid());
    expect(!refused.ok && refused.reasons.map((r) => [r.field, r.code])).toEqual([
      ['deal.billingOwner', 'field.too_long'],
    ]);
    const ok = mapToNetSuiteCustomer({ ...deal, deal: { ...deal.deal, billingOwner: 'B'.repeat(300) } }, ref, eid());
    if (!ok.ok) throw new Error(JSON.stringify(ok.reasons));
    await netsuite.upsertCustomer(ok.customer.externalId, ok.customer);
    const externalId = eid();
    const err = await netsuite
      .upsertCustomer(externalId, { ...ok.customer, externalId, custentity_billing_owner: 'B'.repeat(301) })
      .catch((e: unknown) => e);
    expect(JSON.stringify((err as VendorError).extra.details)).toMatch(
      /custentity_billing_owner contained more than the maximum number \( 300 \)/,
    );
  });
  test("tax id: over the template's 20 characters is a reason; NetSuite refuses the same registration number", async () => {
    const deal = await dealWith({ country: 'GB' });
    // A Swiss number: no format rule here, so only NetSuite's length limit stands between it and NetSuite.
    const long = 'CHE-123.456.789 MWST-X';
    const org = deal.organization!;
    const swiss = {
      ...deal,
      organization: {
        ...org,
        taxId: long,
        address: { ...org.address, city: 'Zürich', postalCode: '8001', country: 'CH' },
      },
    };
    const refused = mapToNetSuiteCustomer(swiss, ref, eid());
    expect(!refused.ok && refused.reasons.filter((r) => r.field === 'organization.taxId')).toEqual([
      expect.objectContaining({
        code: 'field.too_long',
        message: `Tax id is ${long.length} characters; NetSuite accepts at most 20.`,
      }),
    ]);
    const ok = mapToNetSuiteCustomer(deal, ref, eid());
    if (!ok.ok) throw new Error(JSON.stringify(ok.reasons));
    const externalId = eid();
    const body = {
      ...ok.customer,
      externalId,
      taxRegistration: { items: [{ nexusCountry: 'GB', taxRegistrationNumber: long }] },
    };
    const err = await netsuite.upsertCustomer(externalId, body).catch((e: unknown) => e);
    expect(JSON.stringify((err as VendorError).extra.details)).toMatch(
      /taxRegistrationNumber contained more than the maximum number \( 20 \)/,
    );
  });
});

describe('deal currency', () => {
  test('onto the customer and the first invoice', async () => {
    const deal = await dealWith({ country: 'DE' });
    expect(deal.deal.currency).toBe('EUR');
    const externalId = eid();
    const mapped = mapToNetSuiteCustomer(deal, ref, externalId);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
    const eur = ref.currencies?.find((c) => c.symbol === 'EUR');
    expect(mapped.customer.currency).toEqual({ id: eur?.id });
    const { customerId } = await netsuite.upsertCustomer(externalId, mapped.customer);
    const plan = planFirstInvoice({
      externalId,
      customerId,
      deal,
      ref,
      defaultInvoiceDelayDays: 0,
      signedAt: deal.deal.signedAt!,
    });
    if (!plan.ok) throw new Error(JSON.stringify(plan.reasons));
    expect(plan.invoice.currency).toEqual({ id: eur?.id });
    const { invoiceId } = await netsuite.createInvoice(plan.invoice);
    const [customer] = await netsuite.suiteqlAll<{ currency: string }>(
      `SELECT currency FROM customer WHERE id = ${customerId}`,
    );
    const [invoice] = await netsuite.suiteqlAll<{ currency: string }>(
      `SELECT currency FROM transaction WHERE id = ${invoiceId}`,
    );
    expect([customer?.currency, invoice?.currency]).toEqual([eur?.id, eur?.id]);
  });

  test('a currency the NetSuite account lacks goes to review', async () => {
    const deal = await dealWith({ country: 'US', currency: 'JPY' });
    const mapped = mapToNetSuiteCustomer(deal, ref, eid());
    expect(!mapped.ok && mapped.reasons).toEqual([
      expect.objectContaining({
        field: 'deal.currency',
        code: 'currency.unknown',
        value: 'JPY',
        suggestion: expect.stringContaining('Valid: "USD", "GBP", "EUR", "CAD", "AUD"'),
      }),
    ]);
  });
});

describe('attribution', () => {
  test("the deal's campaign, lead source and channel reach the customer's custom fields", async () => {
    const deal = await dealWith({ country: 'US' });
    expect(deal.deal.attribution).toEqual({
      campaign: 'Spring launch',
      leadSource: 'Web form',
      channel: 'Paid search',
    });
    const mapped = mapToNetSuiteCustomer(deal, ref, eid());
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
    const { customerId } = await netsuite.upsertCustomer(mapped.customer.externalId, mapped.customer);
    const [row] = await netsuite.suiteqlAll<Record<string, string>>(
      `SELECT custentity_campaign, custentity_lead_source, custentity_channel FROM customer WHERE id = ${customerId}`,
    );
    expect(row).toMatchObject({
      custentity_campaign: 'Spring launch',
      custentity_lead_source: 'Web form',
      custentity_channel: 'Paid search',
    });
  });

  test('reconciliation reads attribution from both systems and reports where NetSuite drifted', async () => {
    const ids = await createSyntheticDeal(pd.url, { country: 'US', stage_name: 'Contract Signed' });
    const deal = await pipedrive.fetchResolvedDeal(ids.dealId);
    const signed = createReconciliationActivities({ pipedrive }, { dataDir: '/tmp' });
    const listed = (await signed.loadSignedDeals()).find((d) => d.dealId === String(ids.dealId))!;
    expect(listed.attribution).toEqual({ campaign: 'Spring launch', leadSource: 'Web form', channel: 'Paid search' });
    const mapped = mapToNetSuiteCustomer(deal, ref, listed.externalId);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
    const { customerId } = await netsuite.upsertCustomer(listed.externalId, {
      ...mapped.customer,
      custentity_lead_source: 'Event',
    });
    const customers = await createReconciliationNetSuiteActivities(netsuite).loadNetSuiteCustomers();
    const report = reconcileRecords(
      [listed],
      customers.filter((c) => c.id === customerId),
      '2026-12-05T06:00:00Z',
    );
    expect(report.fieldMismatches).toEqual([
      expect.objectContaining({
        customerId,
        fields: [{ field: 'leadSource', pipedrive: 'Web form', netsuite: 'Event' }],
      }),
    ]);
  });
});
