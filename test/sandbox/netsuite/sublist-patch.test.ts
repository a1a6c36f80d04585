/** PATCH of a sublist as NetSuite documents it: lines are added, unless `?replace=<sublist>` replaces them. */
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { callNetSuite, type Stack } from './signed-client';

let sim: RunningNetSuiteSimulator;
let stack: Stack;

beforeAll(async () => {
  sim = await startNetSuiteSimulator();
  stack = sim.stackEntry;
});
afterAll(() => sim.close());

const customer = (eid: string) => ({
  companyName: `Sublist Co ${eid}`,
  subsidiary: { id: '2' },
  taxRegistration: { items: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB111111111' }] },
  addressBook: {
    items: [
      {
        defaultBilling: true,
        label: 'Billing',
        addressBookAddress: { addr1: '1 High Street', city: 'London', country: 'GB' },
      },
    ],
  },
});

async function taxLines(eid: string): Promise<string[]> {
  const read = await callNetSuite(stack, 'GET', `record/v1/customer/eid:${eid}?expandSubResources=true`);
  return (
    read.data as { taxRegistration: { items: Array<{ taxRegistrationNumber: string }> } }
  ).taxRegistration.items.map((l) => l.taxRegistrationNumber);
}

test('PATCH without replace adds the lines; other sublists and body fields stay', async () => {
  await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:SUB-1', { body: customer('SUB-1') });
  const patched = await callNetSuite(stack, 'PATCH', 'record/v1/customer/eid:SUB-1', {
    body: { taxRegistration: { items: [{ nexusCountry: 'NL', taxRegistrationNumber: 'NL123456789B01' }] } },
  });
  expect(patched.status).toBe(204);
  expect(await taxLines('SUB-1')).toEqual(['GB111111111', 'NL123456789B01']);
  const read = (await callNetSuite(stack, 'GET', 'record/v1/customer/eid:SUB-1?expandSubResources=true')).data as {
    companyName: string;
    addressBook: { items: unknown[] };
  };
  expect(read.companyName).toBe('Sublist Co SUB-1');
  expect(read.addressBook.items).toHaveLength(1);
});

test('PATCH ?replace=taxRegistration replaces that sublist only, synchronously and as an async job', async () => {
  await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:SUB-2', { body: customer('SUB-2') });
  const body = {
    taxRegistration: { items: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB222222222' }] },
    addressBook: {
      items: [{ label: 'Shipping', addressBookAddress: { addr1: '2 Low Road', city: 'Leeds', country: 'GB' } }],
    },
  };
  expect(
    (await callNetSuite(stack, 'PATCH', 'record/v1/customer/eid:SUB-2?replace=taxRegistration', { body })).status,
  ).toBe(204);
  expect(await taxLines('SUB-2')).toEqual(['GB222222222']);
  const read = (await callNetSuite(stack, 'GET', 'record/v1/customer/eid:SUB-2?expandSubResources=true')).data as {
    addressBook: { items: unknown[] };
  };
  expect(read.addressBook.items).toHaveLength(2);

  const job = await callNetSuite(stack, 'PATCH', 'record/v1/customer/eid:SUB-2?replace=taxRegistration', {
    body: { taxRegistration: { items: [{ nexusCountry: 'GB', taxRegistrationNumber: 'GB333333333' }] } },
    headers: { Prefer: 'respond-async' },
  });
  expect(job.status).toBe(202);
  for (let i = 0; i < 100 && (await taxLines('SUB-2'))[0] !== 'GB333333333'; i += 1)
    await new Promise((r) => setTimeout(r, 100));
  expect(await taxLines('SUB-2')).toEqual(['GB333333333']);
});
