/** The seeded account: the reference records our onboarding maps deals onto. */

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

/** Where new internal ids start, so they look like a used account and never collide with the seeds. */
export const FIRST_ID = { customer: 1001, invoice: 5001, contact: 3001 } as const;
