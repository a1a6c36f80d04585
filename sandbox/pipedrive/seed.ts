/**
 * The seeded company: four users (the integration's own user first), one "Sales" pipeline ending in Contract Signed →
 * Onboarded, the product's custom fields, and a handful of international customers in early stages.
 */
import { randomInt } from 'node:crypto';
import { isoDate, nowIso } from './clock';
import { ACME, type SandboxCompany } from './companies';
import { COUNTRY_PROFILES, profileAddress, type CountryCode } from './country-profiles';
import { dealFieldDefinitions, organizationFieldDefinitions, personFieldDefinitions } from './field-definitions';
import { keyOf, optionId } from './field-lookup';
import type { ContactPoint, CustomFields, FieldDefinition, SimulatorState } from './model';

export const INTEGRATION_USER_ID = 1;
export const SALES_USER_ID = 2;
export const CSM_USER_ID = 3;
export const BILLING_USER_ID = 4;
export const SALES_PIPELINE_ID = 1;

/** Acme's pipeline (companies.ts has each company's). */
export const STAGE_NAMES = ACME.stages;

interface SeedCustomer {
  country: CountryCode;
  org: string;
  person: { first: string; last: string; emails: ContactPoint[] };
  /** Stage by position in the company's pipeline (0 = first). */
  deal: { title: string; value: number; stage: number; package?: string };
}

const SEED_CUSTOMERS: SeedCustomer[] = [
  {
    country: 'US',
    org: 'Northwind Traders Inc.',
    person: {
      first: 'Priya',
      last: 'Raman',
      emails: [
        { value: 'priya.raman@northwind.example', primary: true, label: 'work' },
        { value: 'ap@northwind.example', primary: false, label: 'other' },
        { value: 'priya.r@home.example', primary: false, label: 'home' },
      ],
    },
    deal: { title: 'Northwind Traders – annual platform', value: 48000, stage: 2, package: 'GROWTH' },
  },
  {
    country: 'GB',
    org: 'Bramble & Finch Ltd',
    person: {
      first: 'Siobhán',
      last: "O'Connor-Smythe",
      emails: [{ value: 'siobhan@bramblefinch.example', primary: true, label: 'work' }],
    },
    deal: { title: 'Bramble & Finch – starter', value: 9600, stage: 1, package: 'STARTER' },
  },
  {
    country: 'DE',
    org: 'Müller Präzisionstechnik GmbH',
    person: {
      first: 'Jürgen',
      last: 'Weiß',
      emails: [{ value: 'j.weiss@mueller-praezision.example', primary: true, label: 'work' }],
    },
    deal: { title: 'Müller Präzisionstechnik – enterprise rollout', value: 120000, stage: 0 },
  },
  {
    country: 'NL',
    org: 'Van der Berg Logistiek B.V.',
    person: {
      first: 'Sanne',
      last: 'van der Berg',
      emails: [{ value: 'sanne@vdberg-logistiek.example', primary: true, label: 'work' }],
    },
    deal: { title: 'Van der Berg Logistiek – growth', value: 36000, stage: 2, package: 'GROWTH' },
  },
  {
    country: 'CA',
    org: 'Maple Leaf Analytics Corp.',
    person: {
      first: '李',
      last: '伟',
      emails: [{ value: 'li.wei@mapleleaf-analytics.example', primary: true, label: 'work' }],
    },
    deal: { title: 'Maple Leaf Analytics – pilot', value: 15000, stage: 1 },
  },
  {
    country: 'AU',
    org: 'Kookaburra Digital Pty Ltd',
    person: {
      first: 'Мария',
      last: 'Иванова',
      emails: [{ value: 'maria@kookaburra.example', primary: true, label: 'work' }],
    },
    deal: { title: 'Kookaburra Digital – enterprise', value: 84000, stage: 0, package: 'ENTERPRISE' },
  },
];

export function seedState(companyDomain: string, apiToken: string, company: SandboxCompany = ACME): SimulatorState {
  const t = nowIso();
  const dealFields = dealFieldDefinitions(companyDomain, company);
  const organizationFields = organizationFieldDefinitions(companyDomain, company);
  const state: SimulatorState = {
    // Each fresh sandbox is a new company, as in Pipedrive: its id keys the external ids derived from its deals, so
    // two sandboxes (parallel tests on one Temporal server) never derive the same ones. Persisted with the state.
    company: { id: 7_000_000 + randomInt(1_000_000), name: company.name, domain: companyDomain, profile: company.id },
    users: [
      {
        id: INTEGRATION_USER_ID,
        name: 'Integration Bot',
        email: `integration-bot@${companyDomain}.example`,
        role: 'integration',
        is_admin: true,
      },
      {
        id: SALES_USER_ID,
        name: 'Sam Seller',
        email: `sam.seller@${companyDomain}.example`,
        role: 'sales',
        is_admin: false,
      },
      {
        id: CSM_USER_ID,
        name: 'Casey CSM',
        email: `casey.csm@${companyDomain}.example`,
        role: 'customer success',
        is_admin: false,
      },
      {
        id: BILLING_USER_ID,
        name: 'Bea Billing',
        email: `bea.billing@${companyDomain}.example`,
        role: 'billing lead',
        is_admin: false,
      },
    ],
    tokens: { [apiToken]: INTEGRATION_USER_ID },
    pipelines: [{ id: SALES_PIPELINE_ID, name: 'Sales', order_nr: 1, add_time: t, update_time: t }],
    stages: company.stages.map((name, i) => ({
      id: i + 1,
      name,
      pipeline_id: SALES_PIPELINE_ID,
      order_nr: i + 1,
      deal_probability:
        name === company.signedStage || i > company.stages.indexOf(company.signedStage) ? 100 : 20 * (i + 1),
      add_time: t,
      update_time: t,
    })),
    dealFields,
    personFields: personFieldDefinitions(companyDomain),
    organizationFields,
    organizations: [],
    persons: [],
    deals: [],
    notes: [],
    webhooks: [],
    nextIds: { organization: 1, person: 1, deal: 1, note: 1, webhook: 1 },
  };
  for (const c of SEED_CUSTOMERS) {
    const profile = COUNTRY_PROFILES[c.country];
    const orgId = state.nextIds.organization++;
    state.organizations.push({
      id: orgId,
      name: c.org,
      owner_id: SALES_USER_ID,
      address: profileAddress(profile, company.freeTextAddresses),
      visible_to: 3,
      label_ids: [],
      add_time: t,
      update_time: t,
      is_deleted: false,
      custom_fields: organizationValues(organizationFields, company, c.country),
    });
    const personId = state.nextIds.person++;
    state.persons.push({
      id: personId,
      name: `${c.person.first} ${c.person.last}`,
      first_name: c.person.first,
      last_name: c.person.last,
      org_id: orgId,
      owner_id: SALES_USER_ID,
      emails: c.person.emails,
      phones: [{ value: profile.phone, primary: true, label: 'work' }],
      visible_to: 3,
      label_ids: [],
      add_time: t,
      update_time: t,
      is_deleted: false,
      custom_fields: {},
    });
    // The company's early stages: before its signing stage.
    const stageId = Math.min(c.deal.stage, company.stages.indexOf(company.signedStage) - 1) + 1;
    state.deals.push({
      id: state.nextIds.deal++,
      title: c.deal.title,
      value: c.deal.value,
      currency: profile.currency,
      creator_user_id: SALES_USER_ID,
      owner_id: SALES_USER_ID,
      person_id: personId,
      org_id: orgId,
      stage_id: stageId,
      pipeline_id: SALES_PIPELINE_ID,
      status: 'open',
      add_time: t,
      update_time: t,
      stage_change_time: t,
      won_time: null,
      lost_time: null,
      close_time: null,
      expected_close_date: isoDate(30),
      visible_to: 3,
      label_ids: [],
      is_deleted: false,
      custom_fields: c.deal.package
        ? {
            [keyOf(dealFields, company.names.package)]: optionId(
              dealFields,
              company.names.package,
              company.packageLabel(c.deal.package),
            ),
            [keyOf(dealFields, company.names.csm)]: company.csmAs === 'user' ? CSM_USER_ID : 'Casey CSM',
          }
        : {},
    });
  }
  return state;
}

/** The organization's tax id, subsidiary and terms as this company's fields hold them (enum ⇒ option id). */
export function organizationValues(
  fields: FieldDefinition[],
  company: SandboxCompany,
  country: CountryCode,
  omit: ReadonlySet<string> = new Set(),
): CustomFields {
  const profile = COUNTRY_PROFILES[country];
  const value = (name: string, raw: string) =>
    fields.find((f) => f.name === name)?.field_type === 'enum' ? optionId(fields, name, raw) : raw;
  const n = company.names;
  return {
    ...(omit.has('tax_id') ? {} : { [keyOf(fields, n.taxId)]: profile.taxId }),
    ...(omit.has('subsidiary')
      ? {}
      : { [keyOf(fields, n.subsidiary)]: value(n.subsidiary, company.subsidiaryOf(country, profile.subsidiary)) }),
    ...(omit.has('payment_terms')
      ? {}
      : { [keyOf(fields, n.terms)]: value(n.terms, company.termsOf(country, profile.paymentTerms)) }),
  };
}
