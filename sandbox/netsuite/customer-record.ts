/** The customer record: validation and defaults on write, REST rendering on read, SuiteQL projection. */
import type Database from 'better-sqlite3';
import { userError } from './netsuite-error';
import {
  assertExternalIdFree,
  booleanField,
  isPlainObject,
  isoTimestamp,
  textField,
  validExternalId,
} from './record-fields';
import { recordUrl, renderReference, resolveReference, selfLinks, type ReferenceKind } from './references';
import type { FlatRecord, NetSuiteStore } from './store';
import { renderSublist, sublistItems } from './sublists';

export interface RecordContext {
  store: NetSuiteStore;
  base: string;
  duplicateDetection: boolean;
  now: () => Date;
}

const TEXT_FIELDS: Record<string, number> = {
  entityId: 83,
  companyName: 83,
  firstName: 32,
  middleName: 32,
  lastName: 32,
  salutation: 15,
  title: 99,
  email: 254,
  altEmail: 254,
  phone: 32,
  altPhone: 32,
  fax: 32,
  url: 254,
  comments: 999,
  vatRegNumber: 20,
};
const BOOLEAN_FIELDS = ['isPerson', 'isInactive'];
const REFERENCE_FIELDS: Record<string, ReferenceKind> = {
  subsidiary: 'subsidiary',
  terms: 'term',
  currency: 'currency',
  // The lead source list (Setup > Sales > CRM Lists; with Marketing Automation, campaign titles): a reference.
  leadSource: 'leadsource',
};
const ADDRESS_FIELDS = [
  'addr1',
  'addr2',
  'addr3',
  'city',
  'state',
  'zip',
  'country',
  'addressee',
  'attention',
  'addrPhone',
];
/** Oracle's own examples spell the sublists in lowercase; both spellings are accepted on write. */
const KEY_ALIASES: Record<string, string> = { addressbook: 'addressBook', taxregistration: 'taxRegistration' };
const CUSTOM_FIELD = /^custentity_[a-z0-9_]+$/i;
const CUSTOM_TEXT_MAX_LENGTH = 300;
const EMAIL = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;

function normalizeAddressBook(value: unknown): Array<Record<string, unknown>> {
  const items = sublistItems(value);
  if (!items) throw userError('Invalid value for addressBook: expected {"items":[…]}.', 'addressBook');
  return items.map((raw, i) => {
    const path = `addressBook.items[${i}]`;
    if (!isPlainObject(raw)) throw userError(`Invalid address book line.`, path);
    const line: Record<string, unknown> = { id: String(i + 1) };
    for (const flag of ['defaultBilling', 'defaultShipping', 'isResidential']) {
      if (raw[flag] !== undefined && raw[flag] !== null) line[flag] = booleanField(raw[flag], `${path}.${flag}`);
    }
    if (raw.label !== undefined && raw.label !== null) line.label = textField(raw.label, `${path}.label`, 100);
    const address: Record<string, unknown> = {};
    const given = raw.addressBookAddress ?? raw.addressbookaddress;
    if (given !== undefined && given !== null) {
      if (!isPlainObject(given)) throw userError('Invalid addressBookAddress.', `${path}.addressBookAddress`);
      for (const field of ADDRESS_FIELDS) {
        const v = given[field];
        if (v === undefined || v === null) continue;
        address[field] = textField(v, `${path}.addressBookAddress.${field}`, 150);
      }
      if (address.country !== undefined && !/^[A-Z]{2}$/.test(String(address.country))) {
        throw userError(
          `Invalid country ${String(address.country)}. Use a two-letter ISO country code.`,
          `${path}.addressBookAddress.country`,
        );
      }
    }
    line.addressBookAddress = address;
    return line;
  });
}

function normalizeTaxRegistration(value: unknown): Array<Record<string, unknown>> {
  const items = sublistItems(value);
  if (!items) throw userError('Invalid value for taxRegistration: expected {"items":[…]}.', 'taxRegistration');
  return items.map((raw, i) => {
    if (!isPlainObject(raw)) throw userError('Invalid tax registration line.', `taxRegistration.items[${i}]`);
    const { links: _links, ...rest } = raw;
    // The registration number holds 20 characters, as vatRegNumber does (the template's taxId maxLength).
    if (rest.taxRegistrationNumber !== undefined && rest.taxRegistrationNumber !== null) {
      rest.taxRegistrationNumber = textField(
        rest.taxRegistrationNumber,
        `taxRegistration.items[${i}].taxRegistrationNumber`,
        20,
      );
    }
    return { id: String(i + 1), ...rest };
  });
}

function defaultAddressText(addressBook: unknown): string | undefined {
  if (!Array.isArray(addressBook)) return undefined;
  const lines = addressBook as Array<Record<string, unknown>>;
  const chosen = lines.find((l) => l.defaultBilling === true) ?? lines[0];
  const a = chosen?.addressBookAddress as Record<string, string> | undefined;
  if (!a) return undefined;
  const cityLine = [a.city, a.state, a.zip].filter(Boolean).join(' ');
  return [a.addressee, a.addr1, a.addr2, cityLine, a.country].filter(Boolean).join('\n') || undefined;
}

/** Applies a POST/PUT/PATCH body onto the current state (undefined on create). null clears a field. */
export function writeCustomer(
  input: Record<string, unknown>,
  existing: FlatRecord | undefined,
  id: string,
  ctx: RecordContext,
): FlatRecord {
  const rec: FlatRecord = existing ? { ...existing } : { id };
  for (const [givenKey, value] of Object.entries(input)) {
    const key = KEY_ALIASES[givenKey] ?? givenKey;
    if (value === null) {
      if (
        key in TEXT_FIELDS ||
        BOOLEAN_FIELDS.includes(key) ||
        key in REFERENCE_FIELDS ||
        CUSTOM_FIELD.test(key) ||
        key === 'externalId'
      )
        delete rec[key];
      else if (key === 'addressBook' || key === 'taxRegistration') delete rec[key];
      continue;
    }
    if (key in TEXT_FIELDS) rec[key] = textField(value, key, TEXT_FIELDS[key]);
    else if (BOOLEAN_FIELDS.includes(key)) rec[key] = booleanField(value, key);
    else if (key in REFERENCE_FIELDS)
      rec[key] = resolveReference(ctx.store, REFERENCE_FIELDS[key] as ReferenceKind, value, key);
    else if (key === 'externalId') rec.externalId = validExternalId(value);
    else if (key === 'addressBook') rec.addressBook = normalizeAddressBook(value);
    else if (key === 'taxRegistration') rec.taxRegistration = normalizeTaxRegistration(value);
    // Free-form text custom fields hold 300 characters (the mapping template's custom targets carry the same limit).
    else if (CUSTOM_FIELD.test(key))
      rec[key.toLowerCase()] = typeof value === 'string' ? textField(value, key, CUSTOM_TEXT_MAX_LENGTH) : value;
    // Anything else (links, id, read-only or unknown fields) is ignored, as NetSuite does by default.
  }

  const isPerson = rec.isPerson === true;
  rec.isPerson = isPerson;
  if (isPerson) {
    if (!rec.firstName) throw userError('You must enter a value for First Name.', 'firstName');
    if (!rec.lastName) throw userError('You must enter a value for Last Name.', 'lastName');
  } else if (!rec.companyName) {
    throw userError('You must enter a value for Company Name.', 'companyName');
  }
  if (!rec.subsidiary) throw userError('You must enter a value for Subsidiary.', 'subsidiary');
  if (typeof rec.email === 'string' && rec.email !== '' && !EMAIL.test(rec.email)) {
    throw userError(`${rec.email} is not a valid email address. Enter a single email address.`, 'email');
  }
  if (!rec.currency) {
    const subsidiary = ctx.store.referenceRow<{ currency: number }>('subsidiary', String(rec.subsidiary));
    if (subsidiary) rec.currency = String(subsidiary.currency);
  }
  if (!rec.entityId)
    rec.entityId = isPerson ? `${String(rec.firstName)} ${String(rec.lastName)}` : String(rec.companyName);
  assertExternalIdFree(ctx.store, 'customer', rec.externalId, id);
  if (!existing && ctx.duplicateDetection) assertNotDuplicate(rec, ctx.store);

  const now = isoTimestamp(ctx.now());
  if (!existing) rec.dateCreated = now;
  rec.lastModifiedDate = now;
  const address = defaultAddressText(rec.addressBook);
  if (address) rec.defaultAddress = address;
  else delete rec.defaultAddress;
  return rec;
}

/** NetSuite's duplicate detection, when the account enables it: same email or same company name. */
function assertNotDuplicate(rec: FlatRecord, store: NetSuiteStore): void {
  const email = typeof rec.email === 'string' ? rec.email.toLowerCase() : undefined;
  const company = typeof rec.companyName === 'string' ? rec.companyName.toLowerCase() : undefined;
  for (const other of store.all('customer')) {
    const sameEmail =
      email !== undefined && email !== '' && typeof other.email === 'string' && other.email.toLowerCase() === email;
    const sameCompany =
      company !== undefined && typeof other.companyName === 'string' && other.companyName.toLowerCase() === company;
    if (sameEmail || sameCompany) {
      throw userError(
        'A customer record with this name or email already exists. This entity already exists.',
        sameEmail ? 'email' : 'companyName',
      );
    }
  }
}

export function renderCustomer(rec: FlatRecord, ctx: RecordContext, expand: boolean): Record<string, unknown> {
  const self = recordUrl(ctx.base, 'customer', rec.id);
  const out: Record<string, unknown> = { links: selfLinks(self) };
  for (const [key, value] of Object.entries(rec)) {
    if (key in REFERENCE_FIELDS)
      out[key] = renderReference(ctx.store, ctx.base, REFERENCE_FIELDS[key] as ReferenceKind, String(value));
    else if (key === 'addressBook' || key === 'taxRegistration') continue;
    else out[key] = value;
  }
  out.addressBook = renderSublist(`${self}/addressBook`, renderAddressLines(rec, self), expand);
  out.taxRegistration = renderSublist(
    `${self}/taxRegistration`,
    rec.taxRegistration as Array<Record<string, unknown>> | undefined,
    expand,
  );
  return out;
}

export function renderAddressLines(rec: FlatRecord, self: string): Array<Record<string, unknown>> | undefined {
  const lines = rec.addressBook as Array<Record<string, unknown>> | undefined;
  return lines?.map((line) => ({
    ...line,
    addressBookAddress: {
      links: selfLinks(`${self}/addressBook/${String(line.id)}/addressBookAddress`),
      ...(line.addressBookAddress as object),
    },
  }));
}

function columnValue(value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (isPlainObject(value) && (typeof value.id === 'string' || typeof value.id === 'number')) return String(value.id);
  return JSON.stringify(value);
}

export function projectCustomer(rec: FlatRecord): (db: Database.Database, store: NetSuiteStore) => void {
  return (db, store) => {
    const columns: Record<string, string | number | null> = {
      id: Number(rec.id),
      entityid: columnValue(rec.entityId),
      companyname: columnValue(rec.companyName),
      firstname: columnValue(rec.firstName),
      lastname: columnValue(rec.lastName),
      isperson: columnValue(rec.isPerson),
      email: columnValue(rec.email),
      phone: columnValue(rec.phone),
      externalid: columnValue(rec.externalId),
      subsidiary: rec.subsidiary === undefined ? null : Number(rec.subsidiary),
      terms: rec.terms === undefined ? null : Number(rec.terms),
      currency: rec.currency === undefined ? null : Number(rec.currency),
      leadsource: rec.leadSource === undefined ? null : Number(rec.leadSource),
      datecreated: columnValue(rec.dateCreated),
      lastmodifieddate: columnValue(rec.lastModifiedDate),
      isinactive: rec.isInactive === true ? 'T' : 'F',
    };
    for (const [key, value] of Object.entries(rec)) {
      if (!CUSTOM_FIELD.test(key)) continue;
      store.ensureCustomerColumn(key.toLowerCase());
      columns[key.toLowerCase()] = columnValue(value);
    }
    db.prepare('DELETE FROM customer WHERE id = ?').run(Number(rec.id));
    const names = Object.keys(columns);
    db.prepare(
      `INSERT INTO customer (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    ).run(...names.map((n) => columns[n] ?? null));
  };
}

export function unprojectCustomer(id: string): (db: Database.Database) => void {
  return (db) => {
    db.prepare('DELETE FROM customer WHERE id = ?').run(Number(id));
  };
}
