/** Synchronous customer upsert by eid:, read back by external id, and field errors as validation VendorErrors. */
import { VendorError } from '../../../integrations/vendor-error';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { clientFor, customerBody, thrown } from './fixtures';

let sim: RunningNetSuiteSimulator;
let client: NetSuiteClient;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  client = clientFor(sim);
});
afterAll(() => sim.close());

test('upsert creates, then the same externalId updates the one record (SuiteQL count stays 1)', async () => {
  const created = await client.upsertCustomer('PD-UPSERT-1', customerBody('PD-UPSERT-1'));
  expect(created.customerId).toMatch(/^\d+$/);

  const updated = await client.upsertCustomer(
    'PD-UPSERT-1',
    customerBody('PD-UPSERT-1', { companyName: 'Acme Renamed Ltd', terms: { id: '3' } }),
  );
  expect(updated.customerId).toBe(created.customerId);

  const count = await client.suiteql<{ n: string }>(
    "SELECT COUNT(*) AS n FROM customer WHERE externalid = 'PD-UPSERT-1'",
  );
  expect(count.items).toEqual([{ n: '1' }]);

  const record = await client.getCustomerByExternalId('PD-UPSERT-1');
  expect(record).toMatchObject({
    id: created.customerId,
    externalId: 'PD-UPSERT-1',
    companyName: 'Acme Renamed Ltd',
    terms: { id: '3' },
  });
});

test('an unknown external id reads as undefined, not an error', async () => {
  await expect(client.getCustomerByExternalId('PD-NEVER-CREATED')).resolves.toBeUndefined();
});

test('a customer without companyName ⇒ validation with the field path, and no personal data in the message', async () => {
  const body = customerBody('PD-NO-NAME', { companyName: '' });
  const err = await thrown(() => client.upsertCustomer('PD-NO-NAME', body));
  expect(err).toBeInstanceOf(VendorError);
  const e = err as VendorError;
  expect(e.kind).toBe('validation');
  expect(e.extra).toMatchObject({ status: 400, code: 'USER_ERROR' });
  expect(e.extra.details).toEqual([
    expect.objectContaining({
      code: 'USER_ERROR',
      path: 'companyName',
      message: expect.stringContaining('Company Name'),
    }),
  ]);
  expect(e.message).toContain('companyName');
  expect(e.message).not.toContain(body.email);
  expect(e.message).not.toContain('GB123456789');
  await expect(client.getCustomerByExternalId('PD-NO-NAME')).resolves.toBeUndefined();
});

test('an unknown subsidiary reference ⇒ validation at subsidiary', async () => {
  const err = (await thrown(() =>
    client.upsertCustomer('PD-BAD-SUB', customerBody('PD-BAD-SUB', { subsidiary: { id: '99' } })),
  )) as VendorError;
  expect(err.kind).toBe('validation');
  expect(err.extra.details?.[0]).toMatchObject({ path: 'subsidiary' });
});
