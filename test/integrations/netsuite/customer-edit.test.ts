/**
 * The two calls of an edit after onboarding against the NetSuite simulator: the customer read with its sublists
 * expanded and reduced to what the mapping compares, and PATCH by `eid:` (omitted fields stay, null clears, a sublist
 * in the patch replaces the customer's lines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { ShadowLedger } from '../../../integrations/netsuite/shadow-ledger';
import { ShadowNetSuitePort } from '../../../integrations/netsuite/shadow-netsuite-port';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { clientFor, customerBody, simAdmin } from './fixtures';

let sim: RunningNetSuiteSimulator;
let client: NetSuiteClient;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  client = clientFor(sim);
});
afterAll(() => sim.close());
afterEach(() => simAdmin.reset(sim));

test('getCustomerSnapshot: the mapped fields, the default billing address and the tax registrations; undefined for an unknown external id', async () => {
  const { customerId } = await client.upsertCustomer(
    'PD-EDIT-1',
    customerBody('PD-EDIT-1', { phone: '+44 20 7946 0000' }),
  );
  expect(await client.getCustomerSnapshot('PD-EDIT-1')).toEqual({
    id: customerId,
    externalId: 'PD-EDIT-1',
    companyName: 'Acme PD-EDIT-1',
    email: 'ap+pd-edit-1@acme.example',
    phone: '+44 20 7946 0000',
    subsidiary: { id: '2', refName: expect.any(String) },
    terms: { id: '2', refName: expect.any(String) },
    billingAddress: { addr1: '1 High Street', city: 'London', zip: 'EC1A 1BB', country: 'GB' },
    taxRegistrations: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB123456789' }],
    customFields: {
      custentity_onboarding_code: 'GROWTH',
      custentity_pd_deal_id: '42',
      custentity_csm: 'csm-1',
      custentity_billing_owner: 'billing-1',
    },
  });
  expect(await client.getCustomerSnapshot('PD-NOBODY')).toBeUndefined();
});

test('patchCustomer by eid: writes only the given fields, null clears, a new tax registration replaces the old line; repeating it changes nothing', async () => {
  const { customerId } = await client.upsertCustomer(
    'PD-EDIT-2',
    customerBody('PD-EDIT-2', { phone: '+44 20 7946 0000' }),
  );
  const patch = {
    email: 'billing@acme.example',
    phone: null,
    taxRegistration: { items: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB987654321' }] },
  };
  expect(await client.patchCustomer('PD-EDIT-2', patch)).toEqual({ customerId });
  const after = await client.getCustomerSnapshot('PD-EDIT-2');
  expect(after).toMatchObject({
    email: 'billing@acme.example',
    companyName: 'Acme PD-EDIT-2',
    taxRegistrations: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB987654321' }],
  });
  expect(after?.phone).toBeUndefined();
  expect(after?.billingAddress).toMatchObject({ addr1: '1 High Street' });
  expect(await client.patchCustomer('PD-EDIT-2', patch)).toEqual({ customerId });
  expect(await client.getCustomerSnapshot('PD-EDIT-2')).toEqual(after);
  await expect(client.patchCustomer('PD-NOBODY', { email: 'x@y.example' })).rejects.toMatchObject({
    kind: 'not_found',
  });
});

test('shadow mode: the edit reads NetSuite, and its PATCH is recorded in the ledger, not made', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadow-edit-'));
  const ledger = ShadowLedger.open(dir);
  try {
    const { customerId } = await client.upsertCustomer('PD-EDIT-3', customerBody('PD-EDIT-3'));
    const shadow = new ShadowNetSuitePort(client, ledger);
    expect((await shadow.getCustomerSnapshot('PD-EDIT-3'))?.id).toBe(customerId);
    expect(await shadow.patchCustomer('PD-EDIT-3', { email: 'billing@acme.example' })).toEqual({ customerId });
    expect((await client.getCustomerSnapshot('PD-EDIT-3'))?.email).toBe('ap+pd-edit-3@acme.example');
    expect(ledger.find('customer.patch', 'eid:PD-EDIT-3')).toMatchObject({
      method: 'PATCH',
      path: 'record/v1/customer/eid:PD-EDIT-3',
      existingId: customerId,
      body: { email: 'billing@acme.example' },
    });
  } finally {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
