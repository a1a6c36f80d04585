/**
 * doctor's NetSuite write checks against the simulator: a role with Full on customer, contact and invoice passes both
 * ways (the role's SuiteQL permission list, and the empty-PATCH probe); a role lowered to View on customers fails naming
 * the permission to give, and nothing is ever written.
 */
import axios from 'axios';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { DEFAULT_MAPPING_FILE, loadMappingFile } from '../../../runtime/mapping-loader';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { INTEGRATION_ROLE } from '../../../sandbox/netsuite/role-permissions';
import { netsuiteChecks } from '../../../starters/cli/doctor-netsuite';
import { DoctorReport, type CheckResult } from '../../../starters/cli/doctor-report';
import { clientFor } from './fixtures';

let sim: RunningNetSuiteSimulator;
let client: NetSuiteClient;
const mapping = loadMappingFile(DEFAULT_MAPPING_FILE);
const roleId = String(INTEGRATION_ROLE.id);

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ company: 'acme' });
  client = clientFor(sim);
});
afterAll(() => sim.close());

async function writeResults(opts: { roleId?: string } = {}): Promise<CheckResult[]> {
  const report = new DoctorReport({ write: () => true });
  await netsuiteChecks(report, client, mapping, undefined, opts);
  return report.results.filter((r) => r.title.startsWith('role writes'));
}

async function recordCounts(): Promise<number[]> {
  const count = async (table: string) =>
    Number((await client.suiteql<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`)).items[0]?.n);
  return [await count('customer'), await count('contact'), await count('"transaction"')];
}

test('a role with Full on customer, contact and invoice passes by its permission list and by the probe', async () => {
  const before = await recordCounts();
  const listed = await writeResults({ roleId });
  expect(listed.map((r) => [r.title, r.status])).toEqual([
    ['role writes customer records', 'pass'],
    ['role writes contact records', 'pass'],
    ['role writes invoice records', 'pass'],
  ]);
  expect(listed[0]!.detail).toBe(
    `Lists > Customers (LIST_CUSTJOB) at Full in SuiteQL rolepermissions of role ${roleId}`,
  );
  const probed = await writeResults();
  expect(probed.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
  expect(probed[0]!.detail).toMatch(
    /^write probe: empty PATCH to customer\/eid:doctor-probe-[0-9a-f]{12}, .* answered 404 NONEXISTENT_ID/,
  );
  expect(probed[2]!.detail).toMatch(/^write probe: empty POST to invoice, .* answered 400 USER_ERROR/);
  expect(await recordCounts()).toEqual(before);
});

test('a role with View on customers fails the customer write check, naming the fix; nothing is written', async () => {
  await axios.put(`${sim.url}/__sim/role/permissions`, { LIST_CUSTJOB: 'view' });
  try {
    const before = await recordCounts();
    const probed = await writeResults();
    expect(probed.map((r) => r.status)).toEqual(['fail', 'pass', 'pass']);
    expect(probed[0]).toMatchObject({
      detail: expect.stringMatching(/^refused by the role: 403 INSUFFICIENT_PERMISSION to an empty PATCH to customer/),
      fix: 'Give the integration role the Lists > Customers permission at level Full (at least Edit): Setup > Users/Roles > Manage Roles.',
    });
    const listed = await writeResults({ roleId });
    expect(listed.map((r) => r.status)).toEqual(['fail', 'pass', 'pass']);
    expect(listed[0]!.detail).toBe(
      `role ${roleId} has Lists > Customers (LIST_CUSTJOB) at View; the upserts need Edit`,
    );
    // Reading is still allowed at View: the read check passes.
    const report = new DoctorReport({ write: () => true });
    await netsuiteChecks(report, client, mapping, undefined);
    expect(report.results.find((r) => r.title === 'role reads customer records')?.status).toBe('pass');
    // The simulator refuses a real upsert the same way, before validating the body.
    await expect(client.upsertCustomer('PD-NO-WRITE', {} as never)).rejects.toThrow(/INSUFFICIENT_PERMISSION|403/);
    expect(await recordCounts()).toEqual(before);
  } finally {
    await axios.put(`${sim.url}/__sim/role/permissions`, { LIST_CUSTJOB: 'full' });
  }
});

test('invoices need Create only; none fails; a bad role id falls back to the probe and says why', async () => {
  // Invoices are only created (POST): Create is enough, both ways.
  await axios.put(`${sim.url}/__sim/role/permissions`, { TRAN_CUSTINVC: 'create' });
  expect((await writeResults({ roleId })).map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
  expect((await writeResults()).map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
  await axios.put(`${sim.url}/__sim/role/permissions`, { TRAN_CUSTINVC: 0 });
  try {
    expect((await writeResults({ roleId }))[2]!.detail).toBe(
      `role ${roleId} has Transactions > Invoice (TRAN_CUSTINVC) at None; creating invoices needs Create`,
    );
    const results = await writeResults({ roleId: 'admin' });
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'fail']);
    expect(results[2]!.detail).toContain('NETSUITE_ROLE_ID "admin" is not an internal id');
    expect(results[2]!.fix).toBe(
      'Give the integration role the Transactions > Invoice permission at level Full (at least Create): Setup > Users/Roles > Manage Roles.',
    );
  } finally {
    await axios.put(`${sim.url}/__sim/role/permissions`, { TRAN_CUSTINVC: 4 });
  }
});
