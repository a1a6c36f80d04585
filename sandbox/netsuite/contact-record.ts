/**
 * The contact record: a person attached to a customer (`company`) with a role (`contactRole`, from the account's
 * contact role list). Field limits as NetSuite's: names 32, e-mail 254, phone 32; upserted by externalId like the
 * customer, so the orchestrator's billing contact is idempotent on its own key.
 */
import type Database from 'better-sqlite3';
import type { RecordContext } from './customer-record';
import { userError } from './netsuite-error';
import { assertExternalIdFree, booleanField, isoTimestamp, textField, validExternalId } from './record-fields';
import { recordUrl, renderReference, resolveReference, selfLinks, type ReferenceKind } from './references';
import type { FlatRecord } from './store';

const TEXT_FIELDS: Record<string, number> = {
  entityId: 83,
  firstName: 32,
  middleName: 32,
  lastName: 32,
  salutation: 15,
  title: 99,
  email: 254,
  phone: 32,
  mobilePhone: 32,
};
const REFERENCE_FIELDS: Record<string, ReferenceKind> = {
  company: 'customer',
  subsidiary: 'subsidiary',
  contactRole: 'contactrole',
};
const EMAIL = /^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/;

export function writeContact(
  input: Record<string, unknown>,
  existing: FlatRecord | undefined,
  id: string,
  ctx: RecordContext,
): FlatRecord {
  const rec: FlatRecord = existing ? { ...existing } : { id };
  for (const [key, value] of Object.entries(input)) {
    if (value === null) {
      if (key in TEXT_FIELDS || key in REFERENCE_FIELDS || key === 'isInactive') delete rec[key];
      continue;
    }
    if (key in TEXT_FIELDS) rec[key] = textField(value, key, TEXT_FIELDS[key]);
    else if (key in REFERENCE_FIELDS)
      rec[key] = resolveReference(ctx.store, REFERENCE_FIELDS[key] as ReferenceKind, value, key);
    else if (key === 'externalId') rec.externalId = validExternalId(value);
    else if (key === 'isInactive') rec.isInactive = booleanField(value, key);
    // Anything else is ignored, as NetSuite does by default.
  }
  if (!rec.company) throw userError('You must enter a value for Company.', 'company');
  if (!rec.firstName && !rec.entityId) throw userError('You must enter a value for Name.', 'firstName');
  if (typeof rec.email === 'string' && rec.email !== '' && !EMAIL.test(rec.email)) {
    throw userError(`${rec.email} is not a valid email address. Enter a single email address.`, 'email');
  }
  if (!rec.subsidiary) {
    const customer = ctx.store.get('customer', String(rec.company));
    if (customer?.subsidiary) rec.subsidiary = String(customer.subsidiary);
  }
  if (!rec.entityId) rec.entityId = [rec.firstName, rec.lastName].filter(Boolean).join(' ');
  assertExternalIdFree(ctx.store, 'contact', rec.externalId, id);
  const now = isoTimestamp(ctx.now());
  if (!existing) rec.dateCreated = now;
  rec.lastModifiedDate = now;
  return rec;
}

export function renderContact(rec: FlatRecord, ctx: RecordContext): Record<string, unknown> {
  const out: Record<string, unknown> = { links: selfLinks(recordUrl(ctx.base, 'contact', rec.id)) };
  for (const [key, value] of Object.entries(rec)) {
    out[key] =
      key in REFERENCE_FIELDS
        ? renderReference(ctx.store, ctx.base, REFERENCE_FIELDS[key] as ReferenceKind, String(value))
        : value;
  }
  return out;
}

export function projectContact(rec: FlatRecord): (db: Database.Database) => void {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const ref = (v: unknown) => (v === undefined || v === null ? null : Number(v));
  return (db) => {
    db.prepare('DELETE FROM contact WHERE id = ?').run(Number(rec.id));
    db.prepare(
      `INSERT INTO contact (id, entityid, firstname, lastname, email, phone, company, subsidiary, contactrole, externalid, datecreated, lastmodifieddate, isinactive)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      Number(rec.id),
      text(rec.entityId),
      text(rec.firstName),
      text(rec.lastName),
      text(rec.email),
      text(rec.phone),
      ref(rec.company),
      ref(rec.subsidiary),
      ref(rec.contactRole),
      text(rec.externalId),
      text(rec.dateCreated),
      text(rec.lastModifiedDate),
      rec.isInactive === true ? 'T' : 'F',
    );
  };
}

export function unprojectContact(id: string): (db: Database.Database) => void {
  return (db) => {
    db.prepare('DELETE FROM contact WHERE id = ?').run(Number(id));
  };
}
