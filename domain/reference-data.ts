/**
 * NetSuite reference data the validation activity fetches (SuiteQL) and hands to the pure mapping: the mapping
 * resolves names typed in Pipedrive to NetSuite internal ids against these lists, never by guessing ids.
 */
export interface Subsidiary {
  /** NetSuite internal id (string, as NetSuite references carry it). */
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2 country of the subsidiary. */
  country: string;
}

export interface PaymentTerm {
  id: string;
  name: string;
  /** Days until due. */
  days: number;
}

export interface Item {
  id: string;
  /** NetSuite item name/number, e.g. `ONB-GROWTH` (what the package catalog refers to). */
  itemId: string;
  displayName: string;
  /** List price in NetSuite; informational (the catalog's rate is the contract price). */
  price: number;
}

export interface ReferenceData {
  subsidiaries: Subsidiary[];
  terms: PaymentTerm[];
  items: Item[];
  /** Absent in reference data read before currencies were mapped. */
  currencies?: Currency[];
  /** Contact roles (the billing contact's role); absent in reference data read before contacts were created. */
  contactRoles?: Array<{ id: string; name: string }>;
  /** The lead source list (a customer's standard `leadSource`); absent when the account's list is not readable. */
  leadSources?: Array<{ id: string; name: string }>;
}

export interface Currency {
  id: string;
  /** ISO 4217 code as NetSuite's `symbol`, e.g. `EUR`. */
  symbol: string;
  name: string;
}
