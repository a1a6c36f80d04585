/** The seeded accounts: the reference records onboarding maps deals onto (Acme by default; Globex, SANDBOX_COMPANY=globex). */

export const CURRENCIES = [
  { id: 1, name: 'USD', symbol: 'USD' },
  { id: 2, name: 'GBP', symbol: 'GBP' },
  { id: 3, name: 'EUR', symbol: 'EUR' },
  { id: 4, name: 'CAD', symbol: 'CAD' },
  { id: 5, name: 'AUD', symbol: 'AUD' },
] as const;

export const SUBSIDIARIES = [
  { id: 1, name: 'Parent Company', country: 'US', currency: 1 },
  { id: 2, name: 'Acme UK Ltd', country: 'GB', currency: 2 },
  { id: 3, name: 'Acme Europe BV', country: 'NL', currency: 3 },
  { id: 4, name: 'Acme Canada Inc', country: 'CA', currency: 4 },
  { id: 5, name: 'Acme Australia Pty Ltd', country: 'AU', currency: 5 },
] as const;

export const TERMS = [
  { id: 1, name: 'Net 15', daysuntilnetdue: 15 },
  { id: 2, name: 'Net 30', daysuntilnetdue: 30 },
  { id: 3, name: 'Net 60', daysuntilnetdue: 60 },
  { id: 4, name: 'Due on receipt', daysuntilnetdue: 0 },
] as const;

export const ITEMS = [
  { id: 10, itemid: 'ONB-STARTER', displayname: 'Starter onboarding', baseprice: 1500 },
  { id: 11, itemid: 'ONB-GROWTH', displayname: 'Growth onboarding', baseprice: 4500 },
  { id: 12, itemid: 'ONB-ENTERPRISE', displayname: 'Enterprise onboarding', baseprice: 12000 },
  { id: 20, itemid: 'SUB-ANNUAL', displayname: 'Annual subscription', baseprice: 10000 },
] as const;

/**
 * Custom entity fields defined in the account (Customization > Lists, Records, & Fields > Entity Fields), as SuiteQL's
 * `customfield` table lists them: what `doctor` checks the mapping template's custom targets against. The simulator
 * stores any `custentity_*` it is sent, as an account with these fields would.
 */
export const CUSTOM_ENTITY_FIELDS = [
  { id: 1, scriptid: 'custentity_onboarding_code', label: 'Onboarding package' },
  { id: 2, scriptid: 'custentity_pd_deal_id', label: 'Pipedrive deal id' },
  { id: 3, scriptid: 'custentity_csm', label: 'CSM' },
  { id: 4, scriptid: 'custentity_billing_owner', label: 'Billing owner' },
  { id: 5, scriptid: 'custentity_campaign', label: 'Campaign' },
  { id: 6, scriptid: 'custentity_lead_source', label: 'Lead source' },
  { id: 7, scriptid: 'custentity_channel', label: 'Channel' },
] as const;

/** The account's contact roles (a contact's role on its customer). */
export const CONTACT_ROLES = [
  { id: 1, name: 'Primary Contact' },
  { id: 2, name: 'Billing' },
  { id: 3, name: 'Decision Maker' },
  { id: 4, name: 'Technical' },
] as const;

/** The account's lead sources (a customer's standard `leadSource`, a reference to this list). */
export const LEAD_SOURCES = [
  { id: 1, name: 'Web' },
  { id: 2, name: 'Referral' },
  { id: 3, name: 'Event' },
  { id: 4, name: 'Outbound' },
] as const;

/** Where new internal ids start, so they look like a used account and never collide with the seeds. */
export const FIRST_ID = { customer: 1001, invoice: 5001, contact: 3001 } as const;

/** The second sandbox account (SANDBOX_COMPANY=globex, mapping/second-company.yaml): other names, ids, terms and items. */
export const GLOBEX = {
  currencies: CURRENCIES,
  subsidiaries: [
    { id: 11, name: 'Globex Inc.', country: 'US', currency: 1 },
    { id: 12, name: 'Globex UK Limited', country: 'GB', currency: 2 },
    { id: 13, name: 'Globex Europe GmbH', country: 'DE', currency: 3 },
    { id: 14, name: 'Globex Canada Ltd.', country: 'CA', currency: 4 },
    { id: 15, name: 'Globex Pacific Pty', country: 'AU', currency: 5 },
  ],
  terms: [
    { id: 21, name: 'Net 30 days', daysuntilnetdue: 30 },
    { id: 22, name: 'Net 45', daysuntilnetdue: 45 },
    { id: 23, name: '2% 10 Net 30', daysuntilnetdue: 30 },
    { id: 24, name: 'Due upon receipt', daysuntilnetdue: 0 },
  ],
  items: [
    { id: 310, itemid: 'IMPL-BASIC', displayname: 'Implementation – Basic', baseprice: 2000 },
    { id: 311, itemid: 'IMPL-PRO', displayname: 'Implementation – Pro', baseprice: 6000 },
    { id: 320, itemid: 'SUPPORT-YEAR', displayname: 'Premium support (12 months)', baseprice: 3000 },
  ],
  customFields: [
    { id: 1, scriptid: 'custentity_pd_deal_id', label: 'Pipedrive deal id' },
    { id: 2, scriptid: 'custentity_gx_tier', label: 'Service tier' },
    { id: 3, scriptid: 'custentity_gx_finance', label: 'Finance contact' },
    { id: 4, scriptid: 'custentity_gx_am', label: 'Account manager' },
    { id: 5, scriptid: 'custentity_gx_campaign', label: 'UTM campaign' },
    { id: 6, scriptid: 'custentity_gx_source', label: 'Lead source' },
  ],
  contactRoles: [
    { id: 1, name: 'Primary Contact' },
    { id: 7, name: 'Accounts Payable' },
  ],
  leadSources: [
    { id: 31, name: 'Inbound web' },
    { id: 32, name: 'Partner referral' },
    { id: 33, name: 'Outbound prospecting' },
    { id: 34, name: 'Trade show' },
  ],
} as const;

export const ACME = {
  currencies: CURRENCIES,
  subsidiaries: SUBSIDIARIES,
  terms: TERMS,
  items: ITEMS,
  customFields: CUSTOM_ENTITY_FIELDS,
  contactRoles: CONTACT_ROLES,
  leadSources: LEAD_SOURCES,
} as const;

export interface AccountSeed {
  currencies: ReadonlyArray<{ id: number; name: string; symbol: string }>;
  subsidiaries: ReadonlyArray<{ id: number; name: string; country: string; currency: number }>;
  terms: ReadonlyArray<{ id: number; name: string; daysuntilnetdue: number }>;
  items: ReadonlyArray<{ id: number; itemid: string; displayname: string; baseprice: number }>;
  customFields: ReadonlyArray<{ id: number; scriptid: string; label: string }>;
  contactRoles: ReadonlyArray<{ id: number; name: string }>;
  leadSources: ReadonlyArray<{ id: number; name: string }>;
}

export type SandboxAccount = 'acme' | 'globex';

/** The account a simulator seeds: its option, else SANDBOX_COMPANY (how `npm start` picks the second company). */
export function accountSeed(company: string | undefined = process.env.SANDBOX_COMPANY): AccountSeed {
  if (company === undefined || company === '' || company === 'acme') return ACME;
  if (company === 'globex') return GLOBEX;
  throw new Error(`SANDBOX_COMPANY must be acme or globex, got ${company}`);
}
