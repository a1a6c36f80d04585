/**
 * Request bodies the orchestrator sends to NetSuite REST (reference/external-apis.md §1): the customer upserted at
 * `PUT /record/v1/customer/eid:<externalId>` and the first invoice. Types only; built by customer-mapping.ts and
 * invoice-plan.ts, sent by the NetSuite client.
 */
import { PIPEDRIVE_DEAL_ID_FIELD } from './external-id';

/** A record reference: NetSuite internal id as a string. */
export interface NetSuiteRef {
  id: string;
}

export interface NetSuiteAddressBookAddress {
  addr1: string;
  addr2?: string;
  city: string;
  state?: string;
  zip?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  addressee: string;
}

export interface NetSuiteAddressBookEntry {
  defaultBilling: boolean;
  defaultShipping: boolean;
  label: string;
  addressBookAddress: NetSuiteAddressBookAddress;
}

/**
 * Tax registration as the SuiteTax `taxRegistration` sublist (one line per nexus country) rather than the legacy
 * single `vatRegNumber` field: it works in OneWorld accounts with subsidiaries in several countries, which is the
 * multinational case this product exists for, and it carries the country the number belongs to.
 */
export interface NetSuiteTaxRegistration {
  nexusCountry?: string;
  taxRegistrationNumber: string;
}

export interface NetSuiteCustomerBody {
  externalId: string;
  entityId: string;
  companyName: string;
  isPerson: false;
  email: string;
  phone?: string;
  subsidiary: NetSuiteRef;
  terms: NetSuiteRef;
  addressBook: { items: NetSuiteAddressBookEntry[] };
  taxRegistration: { items: NetSuiteTaxRegistration[] };
  /** The deal's currency, when it has one (else NetSuite uses the subsidiary's). */
  currency?: NetSuiteRef;
  /** An entry of the account's lead source list, when the template targets the standard field (domain/lead-source.ts). */
  leadSource?: NetSuiteRef;
  /**
   * The mapping template's custom targets (package code, CSM, billing owner, attribution…); the default template's ids
   * are named for the code that compares them after onboarding (domain/deal-edit.ts).
   */
  [custom: `custentity_${string}`]: string | undefined;
  custentity_onboarding_code?: string;
  /** The deal the customer was created for: an External ID is only used to write to its own deal's customer. */
  [PIPEDRIVE_DEAL_ID_FIELD]: string;
  custentity_csm?: string;
  custentity_billing_owner?: string;
}

export interface NetSuiteInvoiceLine {
  item: NetSuiteRef;
  quantity: number;
  rate: number;
  amount: number;
  description?: string;
}

export interface NetSuiteInvoiceBody {
  externalId: string;
  entity: NetSuiteRef;
  subsidiary: NetSuiteRef;
  terms: NetSuiteRef;
  /** The deal's currency (the customer's), when it has one. */
  currency?: NetSuiteRef;
  /** `YYYY-MM-DD`. */
  tranDate: string;
  memo: string;
  item: { items: NetSuiteInvoiceLine[] };
}
