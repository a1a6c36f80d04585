/** SuiteQL paging, duplicate lookup with quoted literals, reference data, and invoices by externalId. */
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { clientFor, customerBody, invoiceBody, simAdmin } from './fixtures';

let sim: RunningNetSuiteSimulator;
let client: NetSuiteClient;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  client = clientFor(sim);
  // Twelve customers to page through; two of them are the "same company" cases the duplicate check must find.
  for (let i = 1; i <= 10; i += 1) await client.upsertCustomer(`PD-PAGE-${i}`, customerBody(`PD-PAGE-${i}`));
  await client.upsertCustomer(
    'PD-OBRIEN',
    customerBody('PD-OBRIEN', { companyName: "O'Brien's Bakery", email: 'Accounts@OBriens.example' }),
  );
  await client.upsertCustomer(
    'PD-OTHER',
    customerBody('PD-OTHER', { companyName: 'Other Co', email: 'ap@other.example' }),
  );
});
afterAll(() => sim.close());

test('suiteql returns one page with hasMore/totalResults/offset; suiteqlAll follows the pages', async () => {
  const q = "SELECT id, externalid FROM customer WHERE externalid LIKE 'PD-PAGE-%' ORDER BY id";
  const first = await client.suiteql<{ id: string; externalid: string }>(q, { limit: 4, offset: 0 });
  expect(first).toMatchObject({ hasMore: true, totalResults: 10, offset: 0 });
  expect(first.items).toHaveLength(4);
  expect(first.items[0]).toEqual({ id: expect.any(String), externalid: 'PD-PAGE-1' });
  const third = await client.suiteql(q, { limit: 4, offset: 8 });
  expect(third).toMatchObject({ hasMore: false, offset: 8 });
  expect(third.items).toHaveLength(2);

  const before = (await simAdmin.stats(sim)).requests['POST query/v1/suiteql 200'] ?? 0;
  const all = await client.suiteqlAll<{ externalid: string }>(q, 3);
  expect(all.map((r) => r.externalid)).toEqual(Array.from({ length: 10 }, (_, i) => `PD-PAGE-${i + 1}`));
  expect((await simAdmin.stats(sim)).requests['POST query/v1/suiteql 200']).toBe(before + 4);
});

test("duplicate lookup: a company name with a quote (O'Brien's) works, case-insensitively, by name or by email", async () => {
  const byName = await client.findCustomersByEmailOrCompany(undefined, "o'brien's bakery");
  expect(byName).toEqual([
    {
      id: expect.any(String),
      externalId: 'PD-OBRIEN',
      email: 'Accounts@OBriens.example',
      companyName: "O'Brien's Bakery",
    },
  ]);
  const byEmail = await client.findCustomersByEmailOrCompany('accounts@obriens.example');
  expect(byEmail.map((c) => c.externalId)).toEqual(['PD-OBRIEN']);
  const either = await client.findCustomersByEmailOrCompany('ap@other.example', "O'Brien's Bakery");
  expect(either.map((c) => c.externalId).sort()).toEqual(['PD-OBRIEN', 'PD-OTHER']);
});

test('duplicate lookup cannot be broken out of its string literal', async () => {
  await expect(client.findCustomersByEmailOrCompany(undefined, "x' OR '1'='1")).resolves.toEqual([]);
  await expect(client.findCustomersByEmailOrCompany("nobody@x.example') OR ('a'='a")).resolves.toEqual([]);
  await expect(client.findCustomersByEmailOrCompany('  ', '')).resolves.toEqual([]);
});

test('loadReferenceData returns the seeded subsidiaries, terms and items', async () => {
  const data = await client.loadReferenceData();
  expect(data.subsidiaries).toEqual([
    { id: '1', name: 'Parent Company', country: 'US' },
    { id: '2', name: 'Acme UK Ltd', country: 'GB' },
    { id: '3', name: 'Acme Europe BV', country: 'NL' },
    { id: '4', name: 'Acme Canada Inc', country: 'CA' },
    { id: '5', name: 'Acme Australia Pty Ltd', country: 'AU' },
  ]);
  expect(data.terms).toEqual([
    { id: '1', name: 'Net 15', days: 15 },
    { id: '2', name: 'Net 30', days: 30 },
    { id: '3', name: 'Net 60', days: 60 },
    { id: '4', name: 'Due on receipt', days: 0 },
  ]);
  expect(data.items).toEqual([
    { id: '10', itemId: 'ONB-STARTER', displayName: 'Starter onboarding', price: 1500 },
    { id: '11', itemId: 'ONB-GROWTH', displayName: 'Growth onboarding', price: 4500 },
    { id: '12', itemId: 'ONB-ENTERPRISE', displayName: 'Enterprise onboarding', price: 12000 },
    { id: '20', itemId: 'SUB-ANNUAL', displayName: 'Annual subscription', price: 10000 },
  ]);
});

test('invoice: absent by externalId, created once, then found by externalId', async () => {
  const customer = await client.getCustomerByExternalId('PD-OTHER');
  expect(customer).toBeDefined();
  await expect(client.findInvoiceByExternalId('INV-PD-OTHER-1')).resolves.toBeUndefined();
  const { invoiceId } = await client.createInvoice(invoiceBody('INV-PD-OTHER-1', customer?.id ?? ''));
  expect(invoiceId).toMatch(/^\d+$/);
  await expect(client.findInvoiceByExternalId('INV-PD-OTHER-1')).resolves.toEqual({ id: invoiceId });
});

test('an invoice line with an unknown item ⇒ validation at the line path', async () => {
  const customer = await client.getCustomerByExternalId('PD-OTHER');
  const body = invoiceBody('INV-PD-OTHER-BAD', customer?.id ?? '');
  body.item.items = [{ item: { id: '999' }, quantity: 1, rate: 1, amount: 1 }];
  await expect(client.createInvoice(body)).rejects.toMatchObject({
    kind: 'validation',
    extra: { details: [expect.objectContaining({ path: 'item.items[0].item' })] },
  });
});
