/**
 * The SuiteQL that reads the reference lists the mapping resolves names against (subsidiaries, payment terms, items),
 * on NetSuite's own tables and column names. Inactive rows are left out: mapping a new customer onto an inactive
 * subsidiary or term would be refused by NetSuite anyway. Rows arrive with every value as a string.
 */
import { z } from 'zod';
import type { Currency, Item, PaymentTerm, Subsidiary } from '../../domain/reference-data';

const text = z.string();
const number = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());

export const SUBSIDIARIES_QUERY = "SELECT id, name, country FROM subsidiary WHERE isinactive = 'F' ORDER BY id";
export const TERMS_QUERY = "SELECT id, name, daysuntilnetdue FROM term WHERE isinactive = 'F' ORDER BY id";
export const ITEMS_QUERY = "SELECT id, itemid, displayname, baseprice FROM item WHERE isinactive = 'F' ORDER BY id";
export const CONTACT_ROLES_QUERY = "SELECT id, name FROM contactrole WHERE isinactive = 'F' ORDER BY id";
/** The lead source list (CRM Lists; SuiteQL table name as the REST record's, `leadsource`). */
export const LEAD_SOURCES_QUERY = "SELECT id, name FROM leadsource WHERE isinactive = 'F' ORDER BY id";
export const CURRENCIES_QUERY = "SELECT id, name, symbol FROM currency WHERE isinactive = 'F' ORDER BY id";

const subsidiaryRow = z.object({ id: text, name: text, country: text });
const termRow = z.object({ id: text, name: text, daysuntilnetdue: number.optional() });
const itemRow = z.object({ id: text, itemid: text, displayname: text.optional(), baseprice: number.optional() });

export function toSubsidiary(row: unknown): Subsidiary {
  const r = subsidiaryRow.parse(row);
  return { id: r.id, name: r.name, country: r.country.toUpperCase() };
}

export function toPaymentTerm(row: unknown): PaymentTerm {
  const r = termRow.parse(row);
  // A term without days until net due is "due on receipt".
  return { id: r.id, name: r.name, days: r.daysuntilnetdue ?? 0 };
}

export function toItem(row: unknown): Item {
  const r = itemRow.parse(row);
  return { id: r.id, itemId: r.itemid, displayName: r.displayname ?? r.itemid, price: r.baseprice ?? 0 };
}

const currencyRow = z.object({ id: text, name: text, symbol: text });

export function toCurrency(row: unknown): Currency {
  const r = currencyRow.parse(row);
  return { id: r.id, name: r.name, symbol: r.symbol.toUpperCase() };
}

const roleRow = z.object({ id: text, name: text });

export function toContactRole(row: unknown): { id: string; name: string } {
  const r = roleRow.parse(row);
  return { id: r.id, name: r.name };
}

/** A lead source row has the same two columns. */
export const toLeadSource = toContactRole;
