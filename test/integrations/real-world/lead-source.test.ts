/**
 * NetSuite's standard `leadSource` as an attribution target (domain/lead-source.ts), with the second company's template
 * (mapping/second-company.yaml: Pipedrive "Source" options → Globex's lead source list) against both Globex
 * simulators: the customer gets `leadSource: {id}` and NetSuite shows the list entry; a value the list lacks is a
 * review reason; the simulator refuses an id the list lacks, as NetSuite does; reconciliation compares it; doctor
 * checks every mapped value against the list.
 */
import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import { mapToNetSuiteCustomer } from '../../../domain/customer-mapping';
import { installedMapping, installMapping } from '../../../domain/mapping/active-mapping';
import type { MappingSnapshot } from '../../../domain/mapping/schema';
import { parseMapping } from '../../../domain/mapping/schema';
import type { ReferenceData } from '../../../domain/reference-data';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { PipedriveClient } from '../../../integrations/pipedrive';
import {
  createReconciliationActivities,
  createReconciliationNetSuiteActivities,
} from '../../../reconciliation/activities/reconcile-activities';
import { reconcileRecords } from '../../../reconciliation/model/reconciliation';
import { DEFAULT_MAPPING_FILE, loadMappingFile, parseMappingText } from '../../../runtime/mapping-loader';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { netsuiteChecks } from '../../../starters/cli/doctor-netsuite';
import { DoctorReport } from '../../../starters/cli/doctor-report';
import { clientFor } from '../netsuite/fixtures';
import { createSyntheticDeal } from '../pipedrive/sim-admin';

const SECOND = DEFAULT_MAPPING_FILE.replace('default.yaml', 'second-company.yaml');
const globex = loadMappingFile(SECOND);
/** The same template with "Inbound" mapped to a lead source Globex's NetSuite does not have. */
const unknownSource = (() => {
  const doc = parseDocument(readFileSync(SECOND, 'utf8'));
  doc.setIn(['fields', 'attribution', 'leadSource', 'values', 'Inbound'], 'Webinar');
  return parseMappingText(doc.toString(), 'unknown-source.yaml');
})();

let pd: RunningPipedriveSimulator;
let ns: RunningNetSuiteSimulator;
let netsuite: NetSuiteClient;
let ref: ReferenceData;
let before: MappingSnapshot | undefined;
let n = 0;
const eid = () => `LS-${process.pid}-${++n}`;
const pipedriveWith = (mapping: MappingSnapshot) =>
  new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken, rateGate: false, mapping });

beforeAll(async () => {
  [pd, ns] = await Promise.all([
    startPipedriveSimulator({ company: 'globex' }),
    startNetSuiteSimulator({ company: 'globex' }),
  ]);
  netsuite = clientFor(ns);
  ref = await netsuite.loadReferenceData();
  // Reconciliation reads the process's template, as its worker would with MAPPING_FILE=mapping/second-company.yaml.
  before = installedMapping();
  installMapping(globex);
});
afterAll(async () => {
  if (before) installMapping(before);
  await Promise.all([pd?.close(), ns?.close()]);
});

test('the template accepts leadSource as a standard target of attribution entries only', () => {
  const doc = parseDocument(readFileSync(DEFAULT_MAPPING_FILE, 'utf8'));
  doc.setIn(['fields', 'attribution', 'leadSource', 'target'], { standard: 'leadSource' });
  expect(parseMapping(doc.toJS()).ok).toBe(true);
  const elsewhere = parseDocument(readFileSync(DEFAULT_MAPPING_FILE, 'utf8'));
  elsewhere.setIn(['fields', 'csm', 'target'], { standard: 'leadSource' });
  expect(parseMapping(elsewhere.toJS())).toEqual({
    ok: false,
    issues: [
      {
        path: 'fields.csm.target',
        expected: 'leadSource (a lead source list reference) is a target for fields.attribution entries only',
      },
    ],
  });
});

test("a Globex deal's Source reaches NetSuite's Lead Source as a reference to its list", async () => {
  expect(ref.leadSources?.map((l) => l.name)).toEqual([
    'Inbound web',
    'Partner referral',
    'Outbound prospecting',
    'Trade show',
  ]);
  const deal = await pipedriveWith(globex).fetchResolvedDeal(
    (await createSyntheticDeal(pd.url, { country: 'US' })).dealId,
  );
  expect(deal.deal.attribution?.leadSource).toBe('Inbound');
  const externalId = eid();
  const mapped = mapToNetSuiteCustomer(deal, ref, externalId);
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
  expect(mapped.customer.leadSource).toEqual({ id: '31' });
  expect(Object.keys(mapped.customer).filter((k) => k.startsWith('custentity_gx_source'))).toEqual([]);
  const { customerId } = await netsuite.upsertCustomer(externalId, mapped.customer);
  const record = (await netsuite.getCustomerById(customerId)) as unknown as { leadSource?: unknown };
  expect(record.leadSource).toMatchObject({ id: '31', refName: 'Inbound web' });
  const [row] = await netsuite.suiteqlAll<Record<string, string>>(
    `SELECT leadsource, BUILTIN.DF(leadsource) AS name FROM customer WHERE id = ${customerId}`,
  );
  expect(row).toEqual({ leadsource: '31', name: 'Inbound web' });
});

test('a value the lead source list lacks goes to review naming the valid ones; NetSuite refuses an unknown id', async () => {
  const deal = await pipedriveWith(unknownSource).fetchResolvedDeal(
    (await createSyntheticDeal(pd.url, { country: 'GB' })).dealId,
  );
  const mapped = mapToNetSuiteCustomer(deal, ref, eid());
  expect(mapped.ok).toBe(false);
  expect(mapped.ok ? [] : mapped.reasons).toEqual([
    expect.objectContaining({
      field: 'deal.attribution.leadSource',
      code: 'lead_source.unknown',
      message: 'Lead source "Webinar" is not in the NetSuite account\'s lead source list.',
      suggestion: expect.stringContaining('"Inbound web", "Partner referral"'),
      value: 'Inbound',
    }),
  ]);

  const ok = mapToNetSuiteCustomer(
    await pipedriveWith(globex).fetchResolvedDeal((await createSyntheticDeal(pd.url, { country: 'GB' })).dealId),
    ref,
    'LS-REFUSED',
  );
  if (!ok.ok) throw new Error(JSON.stringify(ok.reasons));
  await expect(netsuite.upsertCustomer('LS-REFUSED', { ...ok.customer, leadSource: { id: '999' } })).rejects.toThrow(
    /HTTP 400 \(INVALID_KEY_OR_REF at leadSource\)/,
  );
});

test('reconciliation compares the lead source like the custom-field attribution', async () => {
  const pipedrive = pipedriveWith(globex);
  const ids = await createSyntheticDeal(pd.url, { country: 'US', stage_name: 'Closed - Signed' });
  const listed = (await createReconciliationActivities({ pipedrive }, { dataDir: '/tmp' }).loadSignedDeals()).find(
    (d) => d.dealId === String(ids.dealId),
  )!;
  // As NetSuite should hold it: the option through the template's value map.
  expect(listed.attribution?.leadSource).toBe('Inbound web');
  const mapped = mapToNetSuiteCustomer(await pipedrive.fetchResolvedDeal(ids.dealId), ref, listed.externalId);
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
  const { customerId } = await netsuite.upsertCustomer(listed.externalId, mapped.customer);

  const compare = async () =>
    reconcileRecords(
      [listed],
      (await createReconciliationNetSuiteActivities(netsuite).loadNetSuiteCustomers()).filter(
        (c) => c.id === customerId,
      ),
      '2026-12-05T06:00:00Z',
    ).fieldMismatches;
  expect(await compare()).toEqual([]);
  // Someone in finance changes the customer's lead source in NetSuite.
  await netsuite.upsertCustomer(listed.externalId, { ...mapped.customer, leadSource: { id: '34' } });
  expect(await compare()).toEqual([
    expect.objectContaining({
      customerId,
      fields: [{ field: 'leadSource', pipedrive: 'Inbound web', netsuite: 'Trade show' }],
    }),
  ]);
});

test("doctor checks every value the template maps to NetSuite's lead source list", async () => {
  const run = async (mapping: MappingSnapshot) => {
    const report = new DoctorReport({ write: () => true });
    await netsuiteChecks(report, netsuite, mapping, undefined);
    return report.results.find((r) => r.title === 'lead sources');
  };
  expect(await run(globex)).toMatchObject({ status: 'pass', detail: '3 mapped name(s) found among 4' });
  expect(await run(unknownSource)).toMatchObject({
    status: 'fail',
    detail: 'fields.attribution.leadSource.values.Inbound: "Webinar" is no lead source',
    fix: expect.stringContaining('"Inbound web"'),
  });
  // A template without a leadSource target has no such check.
  expect(await run(loadMappingFile(DEFAULT_MAPPING_FILE))).toBeUndefined();
});
