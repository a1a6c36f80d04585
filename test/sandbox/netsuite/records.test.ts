/** Record semantics: eid: upsert, PATCH null-clears, validation with o:errorPath, references, 404s, invoices. */
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { callNetSuite, firstError, idFromLocation, type Stack } from './signed-client';

let sim: RunningNetSuiteSimulator;
let stack: Stack;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  stack = sim.stackEntry;
});
afterAll(() => sim.close());

const acme = {
  companyName: 'Upsert Co',
  email: 'billing@upsert.example',
  subsidiary: { id: '3' },
  terms: { id: '1' },
  phone: '+31 20 555 0100',
};

async function suiteql(q: string): Promise<Array<Record<string, string>>> {
  const r = await callNetSuite(stack, 'POST', 'query/v1/suiteql', { body: { q }, headers: { Prefer: 'transient' } });
  expect(r.status).toBe(200);
  return (r.data as { items: Array<Record<string, string>> }).items;
}

test('PUT …/eid: creates, then updates the same record (one record, omitted fields unchanged)', async () => {
  const created = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-UPSERT-1', { body: acme });
  expect(created.status).toBe(204);
  const id = idFromLocation(created.headers.location);

  const updated = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-UPSERT-1', {
    body: { companyName: 'Upsert Company BV' },
  });
  expect(updated.status).toBe(204);
  expect(updated.headers.location).toBe(`${stack.url}/services/rest/record/v1/customer/${id}`);

  const rows = await suiteql("SELECT id, companyname, email FROM customer WHERE externalid = 'PD-UPSERT-1'");
  expect(rows).toEqual([{ links: [], id, companyname: 'Upsert Company BV', email: 'billing@upsert.example' }]);
  const read = await callNetSuite(stack, 'GET', `record/v1/customer/${id}`);
  expect(read.data).toMatchObject({
    externalId: 'PD-UPSERT-1',
    phone: '+31 20 555 0100',
    subsidiary: { id: '3', refName: 'Acme Europe BV' },
  });
});

test('PATCH: 204 + Location; omitted fields unchanged, null clears', async () => {
  const created = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { ...acme, companyName: 'Patch Co', externalId: 'PD-PATCH-1' },
  });
  const id = idFromLocation(created.headers.location);
  const patched = await callNetSuite(stack, 'PATCH', `record/v1/customer/eid:PD-PATCH-1`, {
    body: { phone: null, email: 'new@patch.example' },
  });
  expect(patched.status).toBe(204);
  expect(patched.headers.location).toBe(`${stack.url}/services/rest/record/v1/customer/${id}`);
  const read = (await callNetSuite(stack, 'GET', `record/v1/customer/${id}`)).data as Record<string, unknown>;
  expect(read).toMatchObject({ companyName: 'Patch Co', email: 'new@patch.example' });
  expect(read).not.toHaveProperty('phone');
  const some = (await callNetSuite(stack, 'GET', `record/v1/customer/${id}?fields=email,companyName`)).data as Record<
    string,
    unknown
  >;
  expect(Object.keys(some).sort()).toEqual(['companyName', 'email', 'id', 'links']);
});

test('addressBook is links unless ?expandSubResources=true', async () => {
  const body = {
    ...acme,
    companyName: 'Address Co',
    addressBook: {
      items: [
        {
          defaultBilling: true,
          defaultShipping: true,
          label: 'HQ',
          addressBookAddress: {
            addr1: 'Keizersgracht 1',
            city: 'Amsterdam',
            zip: '1015',
            country: 'NL',
            addressee: 'Address Co',
          },
        },
      ],
    },
  };
  const id = idFromLocation((await callNetSuite(stack, 'POST', 'record/v1/customer', { body })).headers.location);
  const plain = (await callNetSuite(stack, 'GET', `record/v1/customer/${id}`)).data as Record<
    string,
    { links: unknown; items?: unknown }
  >;
  expect(plain.addressBook).toEqual({
    links: [{ rel: 'self', href: `${stack.url}/services/rest/record/v1/customer/${id}/addressBook` }],
  });
  const expanded = (await callNetSuite(stack, 'GET', `record/v1/customer/${id}?expandSubResources=true`))
    .data as Record<string, unknown>;
  expect(expanded.addressBook).toMatchObject({
    items: [{ defaultBilling: true, label: 'HQ', addressBookAddress: { city: 'Amsterdam', country: 'NL' } }],
    totalResults: 1,
  });
});

test.each([
  ['missing companyName', { subsidiary: { id: '1' } }, 'USER_ERROR', 'companyName'],
  ['missing subsidiary', { companyName: 'No Sub Co' }, 'USER_ERROR', 'subsidiary'],
  ['unknown subsidiary', { companyName: 'Bad Sub Co', subsidiary: { id: '99' } }, 'INVALID_KEY_OR_REF', 'subsidiary'],
  [
    'unknown terms',
    { companyName: 'Bad Terms Co', subsidiary: { id: '1' }, terms: { id: '77' } },
    'INVALID_KEY_OR_REF',
    'terms',
  ],
  [
    'two emails in one field',
    { companyName: 'Two Mail Co', subsidiary: { id: '1' }, email: 'a@x.example, b@x.example' },
    'USER_ERROR',
    'email',
  ],
  ['person without last name', { isPerson: true, firstName: 'Ada', subsidiary: { id: '1' } }, 'USER_ERROR', 'lastName'],
  [
    'bad address country',
    {
      companyName: 'Country Co',
      subsidiary: { id: '1' },
      addressBook: { items: [{ addressBookAddress: { country: 'Netherlands' } }] },
    },
    'USER_ERROR',
    'addressBook.items[0].addressBookAddress.country',
  ],
  [
    'externalId with |',
    { companyName: 'Pipe Co', subsidiary: { id: '1' }, externalId: 'A|B' },
    'INVALID_PARAMETER',
    'externalId',
  ],
])('customer %s ⇒ 400 with the code and o:errorPath', async (_name, body, code, path) => {
  const r = await callNetSuite(stack, 'POST', 'record/v1/customer', { body });
  expect(r.status).toBe(400);
  expect(r.data).toMatchObject({ status: 400, title: 'Bad Request' });
  expect(firstError(r)).toMatchObject({ 'o:errorCode': code, 'o:errorPath': path });
});

test('externalId is unique per record type', async () => {
  await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { ...acme, companyName: 'Unique Co', externalId: 'PD-UNIQUE' },
  });
  const again = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { ...acme, companyName: 'Unique Co 2', externalId: 'PD-UNIQUE' },
  });
  expect(again.status).toBe(400);
  expect(firstError(again)).toMatchObject({ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'externalId' });
});

test('404 NONEXISTENT_ID by id and by eid:; PUT without eid: refused', async () => {
  for (const path of ['record/v1/customer/999999', 'record/v1/customer/eid:NOBODY', 'record/v1/invoice/eid:NOBODY']) {
    const r = await callNetSuite(stack, 'GET', path);
    expect(r.status).toBe(404);
    expect(r.data).toMatchObject({
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5',
      title: 'Not Found',
      status: 404,
    });
    expect(firstError(r)).toMatchObject({
      'o:errorCode': 'NONEXISTENT_ID',
      detail: 'The record instance does not exist. Provide a valid record instance ID.',
    });
  }
  const patch = await callNetSuite(stack, 'PATCH', 'record/v1/customer/eid:NOBODY', { body: { phone: '1' } });
  expect(patch.status).toBe(404);
  const put = await callNetSuite(stack, 'PUT', 'record/v1/customer/123', { body: acme });
  expect(put.status).toBe(400);
});

test('invoice: defaults from the customer, due date from terms, line pricing, line errors carry item.items[n].item', async () => {
  await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-INV-1', { body: { ...acme, companyName: 'Invoice Co' } });
  const bad = await callNetSuite(stack, 'POST', 'record/v1/invoice', {
    body: { entity: { externalId: 'PD-INV-1' }, item: { items: [{ item: { id: '10' } }, { item: { id: '404' } }] } },
  });
  expect(bad.status).toBe(400);
  expect(firstError(bad)).toMatchObject({ 'o:errorCode': 'INVALID_KEY_OR_REF', 'o:errorPath': 'item.items[1].item' });
  const empty = await callNetSuite(stack, 'POST', 'record/v1/invoice', {
    body: { entity: { externalId: 'PD-INV-1' }, item: { items: [] } },
  });
  expect(firstError(empty)).toMatchObject({ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'item' });
  const noEntity = await callNetSuite(stack, 'POST', 'record/v1/invoice', {
    body: { item: { items: [{ item: { id: '10' } }] } },
  });
  expect(firstError(noEntity)).toMatchObject({ 'o:errorPath': 'entity' });

  const created = await callNetSuite(stack, 'PUT', 'record/v1/invoice/eid:PD-INV-1-INV1', {
    body: {
      entity: { externalId: 'PD-INV-1' },
      tranDate: '2026-01-20',
      memo: 'First invoice',
      item: { items: [{ item: { id: '11' } }, { item: { id: '20' }, quantity: 2, rate: 9500 }] },
    },
  });
  expect(created.status).toBe(204);
  const invoice = (await callNetSuite(stack, 'GET', 'record/v1/invoice/eid:PD-INV-1-INV1?expandSubResources=true'))
    .data as Record<string, unknown>;
  expect(invoice).toMatchObject({
    externalId: 'PD-INV-1-INV1',
    entity: { refName: 'Invoice Co' },
    subsidiary: { id: '3' },
    terms: { id: '1', refName: 'Net 15' },
    currency: { refName: 'EUR' },
    tranDate: '2026-01-20',
    dueDate: '2026-02-04',
    total: 23500,
    status: { id: 'open', refName: 'Open' },
    item: {
      items: [
        { item: { id: '11', refName: 'ONB-GROWTH' }, quantity: 1, rate: 4500, amount: 4500 },
        { quantity: 2, rate: 9500, amount: 19000 },
      ],
    },
  });
  const rows = await suiteql(
    "SELECT t.tranid, t.foreigntotal, t.duedate, BUILTIN.DF(t.entity) AS customer, COUNT(tl.id) AS lines FROM transaction t JOIN transactionline tl ON tl.transaction = t.id WHERE t.type = 'CustInvc' AND t.externalid = 'PD-INV-1-INV1' GROUP BY t.id",
  );
  expect(rows).toEqual([
    {
      links: [],
      tranid: expect.stringMatching(/^INV\d+$/) as unknown,
      foreigntotal: '23500',
      duedate: '2026-02-04',
      customer: 'Invoice Co',
      lines: '2',
    },
  ]);
});

test('seeded reference records are readable', async () => {
  expect((await callNetSuite(stack, 'GET', 'record/v1/term/4')).data).toMatchObject({
    name: 'Due on receipt',
    daysUntilNetDue: 0,
  });
  expect((await callNetSuite(stack, 'GET', 'record/v1/subsidiary/5')).data).toMatchObject({
    name: 'Acme Australia Pty Ltd',
    country: 'AU',
    currency: { refName: 'AUD' },
  });
  expect((await callNetSuite(stack, 'GET', 'record/v1/serviceSaleItem/12')).data).toMatchObject({
    itemId: 'ONB-ENTERPRISE',
    basePrice: 12000,
  });
});

test('duplicate detection (when enabled) refuses the same email or company name', async () => {
  const strict = await startNetSuiteSimulator({ duplicateDetection: true });
  try {
    const s = strict.stackEntry;
    expect((await callNetSuite(s, 'POST', 'record/v1/customer', { body: acme })).status).toBe(204);
    const sameName = await callNetSuite(s, 'PUT', 'record/v1/customer/eid:PD-DUP-2', {
      body: { ...acme, companyName: 'UPSERT CO', email: 'other@x.example' },
    });
    expect(sameName.status).toBe(400);
    expect(firstError(sameName)).toMatchObject({
      'o:errorCode': 'USER_ERROR',
      detail: expect.stringContaining('This entity already exists.') as unknown,
    });
    const sameEmail = await callNetSuite(s, 'POST', 'record/v1/customer', {
      body: { ...acme, companyName: 'Other Co' },
    });
    expect(firstError(sameEmail)).toMatchObject({ 'o:errorPath': 'email' });
  } finally {
    await strict.close();
  }
});
