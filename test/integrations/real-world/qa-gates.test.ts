/**
 * The guide's field-level mapping QA gates, driven by each mapping template against its own sandbox company: deals with
 * multiple e-mails, special characters, a missing tax id, multinational addresses and a missing billing owner go
 * through the product's reading and mapping, and NetSuite's records carry exactly what the template says (its
 * targets, value maps and packages), or the review names the company's own field.
 */
import { mapToNetSuiteCustomer } from '../../../domain/customer-mapping';
import type { MappingSnapshot } from '../../../domain/mapping/schema';
import { findOnboardingPackage } from '../../../domain/onboarding-packages';
import { mapValue } from '../../../domain/reference-resolution';
import type { ReferenceData } from '../../../domain/reference-data';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { PipedriveClient } from '../../../integrations/pipedrive';
import { DEFAULT_MAPPING_FILE, loadMappingFile } from '../../../runtime/mapping-loader';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { clientFor } from '../netsuite/fixtures';
import { createSyntheticDeal } from '../pipedrive/sim-admin';

const SECOND = DEFAULT_MAPPING_FILE.replace('default.yaml', 'second-company.yaml');

describe.each([
  ['acme', DEFAULT_MAPPING_FILE],
  ['globex', SECOND],
] as const)('QA gates for %s (%s)', (company, file) => {
  let pd: RunningPipedriveSimulator;
  let ns: RunningNetSuiteSimulator;
  let pipedrive: PipedriveClient;
  let netsuite: NetSuiteClient;
  let ref: ReferenceData;
  let mapping: MappingSnapshot;
  let n = 0;

  beforeAll(async () => {
    mapping = loadMappingFile(file);
    [pd, ns] = await Promise.all([startPipedriveSimulator({ company }), startNetSuiteSimulator({ company })]);
    pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.stackEntry.apiToken, rateGate: false, mapping });
    netsuite = clientFor(ns);
    ref = await netsuite.loadReferenceData();
  });
  afterAll(async () => {
    await Promise.all([pd?.close(), ns?.close()]);
  });

  const eid = () => `QA-${company}-${process.pid}-${++n}`;
  const fetchDeal = async (body: Record<string, unknown>) =>
    pipedrive.fetchResolvedDeal((await createSyntheticDeal(pd.url, body)).dealId);

  test.each(['US', 'GB', 'DE', 'CA', 'AU'])(
    "%s deal: NetSuite holds the template's canonical values",
    async (country) => {
      const name = `Ångström & Søn's Café 株式会社 ${country}`;
      const deal = await fetchDeal({
        country,
        org_name: name,
        emails: [`ap+${country.toLowerCase()}@qa.example`, 'second@qa.example'],
      });
      const externalId = eid();
      const mapped = mapToNetSuiteCustomer(deal, ref, externalId);
      if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
      const { customerId } = await netsuite.upsertCustomer(externalId, mapped.customer);

      const f = mapping.fields;
      const custom = (t: (typeof f)['csm']['target']) => (t && 'custom' in t ? t.custom : undefined);
      const columns = [
        custom(f.package.target),
        custom(f.csm.target),
        custom(f.billingOwner.target),
        custom(f.attribution.leadSource?.target),
      ].filter((c): c is string => c !== undefined);
      const [row] = await netsuite.suiteqlAll<Record<string, string>>(
        `SELECT c.companyname, c.email, s.name AS subsidiary, s.country AS subsidiarycountry, BUILTIN.DF(c.leadsource) AS leadsourcename, ${columns.map((c) => `c.${c}`).join(', ')} FROM customer c JOIN subsidiary s ON s.id = c.subsidiary WHERE c.id = ${customerId}`,
      );
      // Special characters kept as typed; the primary of several e-mails.
      expect(row).toMatchObject({ companyname: name, email: `ap+${country.toLowerCase()}@qa.example` });
      // Each country onto its subsidiary, through the template's value map where it has one (Acme bills Germany from
      // its Dutch subsidiary; Globex has a German one).
      expect(row?.subsidiarycountry).toBe(company === 'acme' && country === 'DE' ? 'NL' : country);
      // The package option through the template's value map to a package code of the template.
      expect(row?.[custom(f.package.target)!]).toBe(findOnboardingPackage(deal.deal.onboardingPackage, mapping)?.code);
      expect(row?.[custom(f.billingOwner.target)!]).toBe(deal.deal.billingOwner);
      expect(row?.[custom(f.csm.target)!]).toBe(deal.deal.csmUserId);
      // Lead source as typed into a custom field (Acme), or through the value map onto NetSuite's list (Globex).
      const leadSource = f.attribution.leadSource!;
      if (custom(leadSource.target)) expect(row?.[custom(leadSource.target)!]).toBe(deal.deal.attribution?.leadSource);
      else expect(row?.leadsourcename).toBe(mapValue(leadSource, deal.deal.attribution?.leadSource));
      expect(mapped.customer.addressBook.items[0]?.addressBookAddress.country).toBe(country);
    },
  );

  test("missing tax id and missing billing owner: review, naming the company's own fields", async () => {
    const deal = await fetchDeal({ country: 'DE', omit: ['tax_id', 'billing_owner'] });
    const mapped = mapToNetSuiteCustomer(deal, ref, eid());
    expect(mapped.ok).toBe(false);
    const reasons = mapped.ok ? [] : mapped.reasons;
    expect(reasons.map((r) => r.code).sort()).toEqual(['handoff.billing_owner_missing', 'tax_id.missing']);
    expect(reasons.find((r) => r.code === 'handoff.billing_owner_missing')?.suggestion).toBe(
      `Set the deal's "${mapping.fields.billingOwner.source.field}" field.`,
    );
  });
});
