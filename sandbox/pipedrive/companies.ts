/**
 * The sandbox's Pipedrive companies. Acme (the default) names its fields as mapping/default.yaml expects; Globex
 * (SANDBOX_COMPANY=globex, mapping/second-company.yaml) has other names, other field types (enum subsidiary and terms,
 * a text account manager instead of a user field), another signing stage, free-text addresses only, and no channel
 * field: the proof that the product reads what the template says, not what Acme happens to call things.
 */
import type { CountryCode } from './country-profiles';
import type { FieldOption } from './model';

export type SandboxCompanyId = 'acme' | 'globex';

type CustomField = [name: string, type: string, options?: readonly string[]];

/** What a company calls each thing the synthetic deals fill, and how it stores the value. */
export interface SandboxCompany {
  id: SandboxCompanyId;
  name: string;
  domain: string;
  stages: readonly string[];
  signedStage: string;
  dealCustom: readonly CustomField[];
  organizationCustom: readonly CustomField[];
  names: {
    externalId: string;
    package: string;
    billingOwner: string;
    csm: string;
    timeToValue: string;
    invoiceDate: string;
    campaign?: string;
    leadSource?: string;
    channel?: string;
    taxId: string;
    subsidiary: string;
    terms: string;
  };
  /** The CSM as stored: a Pipedrive user id (user field) or the user's name (text field). */
  csmAs: 'user' | 'name';
  /** Package code (STARTER, GROWTH, ENTERPRISE in synthetic requests) → this company's option label. */
  packageLabel: (code: string) => string;
  /** The country's subsidiary and terms as this company's fields hold them. */
  subsidiaryOf: (country: CountryCode, acmeName: string) => string;
  termsOf: (country: CountryCode, acmeName: string) => string;
  /** Only Pipedrive's free text (`value`), no geocoded parts. */
  freeTextAddresses: boolean;
  leadSourceOption?: string;
}

export const ACME: SandboxCompany = {
  id: 'acme',
  name: 'Acme Sandbox',
  domain: 'acme-sandbox',
  stages: ['Qualified', 'Proposal Sent', 'Negotiation', 'Contract Signed', 'Onboarded'],
  signedStage: 'Contract Signed',
  dealCustom: [
    ['External ID', 'varchar'],
    ['Onboarding package', 'enum', ['STARTER', 'GROWTH', 'ENTERPRISE']],
    ['Billing owner', 'varchar'],
    ['CSM', 'user'],
    ['Expected time-to-value', 'date'],
    ['First invoice date', 'date'],
    ['Onboarding status', 'varchar'],
    ['Needs remediation', 'enum', ['Yes', 'No']],
    ['Campaign', 'varchar'],
    ['Lead source', 'enum', ['Web form', 'Referral', 'Event', 'Outbound']],
    ['Channel', 'varchar'],
  ],
  organizationCustom: [
    ['Tax ID', 'varchar'],
    ['Subsidiary', 'varchar'],
    ['Payment terms', 'varchar'],
  ],
  names: {
    externalId: 'External ID',
    package: 'Onboarding package',
    billingOwner: 'Billing owner',
    csm: 'CSM',
    timeToValue: 'Expected time-to-value',
    invoiceDate: 'First invoice date',
    campaign: 'Campaign',
    leadSource: 'Lead source',
    channel: 'Channel',
    taxId: 'Tax ID',
    subsidiary: 'Subsidiary',
    terms: 'Payment terms',
  },
  csmAs: 'user',
  packageLabel: (code) => code,
  subsidiaryOf: (_country, acmeName) => acmeName,
  termsOf: (_country, acmeName) => acmeName,
  freeTextAddresses: false,
  leadSourceOption: 'Web form',
};

const GLOBEX_TIERS: Record<string, string> = { STARTER: 'Bronze', GROWTH: 'Silver', ENTERPRISE: 'Gold' };
const GLOBEX_ENTITIES: Record<CountryCode, string> = {
  US: 'Globex US',
  GB: 'Globex UK',
  DE: 'Globex EU',
  NL: 'Globex EU',
  CA: 'Globex CA',
  AU: 'Globex AU',
};
const GLOBEX_TERMS: Record<string, string> = { 'Net 15': '30', 'Net 30': '30', 'Net 60': '45', 'Due on receipt': '0' };

export const GLOBEX: SandboxCompany = {
  id: 'globex',
  name: 'Globex Sandbox',
  domain: 'globex-sandbox',
  stages: ['Lead in', 'Demo', 'Closed - Signed', 'Live'],
  signedStage: 'Closed - Signed',
  dealCustom: [
    ['Contract ref', 'varchar'],
    ['Service tier', 'enum', ['Bronze', 'Silver', 'Gold']],
    ['Finance contact', 'varchar'],
    ['Account manager', 'varchar'],
    ['Go-live target', 'date'],
    ['Bill from', 'date'],
    ['Sync status', 'varchar'],
    ['Fix needed', 'enum', ['Yes', 'No']],
    ['UTM campaign', 'varchar'],
    ['Source', 'enum', ['Inbound', 'Partner', 'Outbound']],
  ],
  organizationCustom: [
    ['VAT / Tax number', 'varchar'],
    ['Legal entity', 'enum', ['Globex US', 'Globex UK', 'Globex EU', 'Globex CA', 'Globex AU']],
    ['Payment terms (days)', 'enum', ['0', '30', '45']],
  ],
  names: {
    externalId: 'Contract ref',
    package: 'Service tier',
    billingOwner: 'Finance contact',
    csm: 'Account manager',
    timeToValue: 'Go-live target',
    invoiceDate: 'Bill from',
    campaign: 'UTM campaign',
    leadSource: 'Source',
    taxId: 'VAT / Tax number',
    subsidiary: 'Legal entity',
    terms: 'Payment terms (days)',
  },
  csmAs: 'name',
  packageLabel: (code) => GLOBEX_TIERS[code] ?? code,
  subsidiaryOf: (country) => GLOBEX_ENTITIES[country],
  termsOf: (_country, acmeName) => GLOBEX_TERMS[acmeName] ?? '30',
  freeTextAddresses: true,
  leadSourceOption: 'Inbound',
};

export function sandboxCompany(id: string | undefined = process.env.SANDBOX_COMPANY): SandboxCompany {
  if (id === undefined || id === '' || id === 'acme') return ACME;
  if (id === 'globex') return GLOBEX;
  throw new Error(`SANDBOX_COMPANY must be acme or globex, got ${id}`);
}

export function options(firstId: number, labels: readonly string[]): FieldOption[] {
  return labels.map((label, i) => ({ id: firstId + i, label }));
}
