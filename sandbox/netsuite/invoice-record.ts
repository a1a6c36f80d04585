/** The invoice record: entity/terms/subsidiary defaults from the customer, line pricing, due date from terms. */
import type Database from 'better-sqlite3';
import type { RecordContext } from './customer-record';
import { invalidReference, userError } from './netsuite-error';
import {
  addDays,
  assertExternalIdFree,
  dateField,
  isoDate,
  isoTimestamp,
  isPlainObject,
  numberField,
  round2,
  textField,
  validExternalId,
} from './record-fields';
import { recordUrl, renderReference, resolveReference, selfLinks, type ReferenceKind } from './references';
import type { FlatRecord } from './store';
import { renderSublist, sublistItems } from './sublists';

const TEXT_FIELDS: Record<string, number> = { memo: 999, otherRefNum: 45, tranId: 45 };
const DATE_FIELDS = ['tranDate', 'dueDate'];
const REFERENCE_FIELDS: Record<string, ReferenceKind> = {
  entity: 'customer',
  subsidiary: 'subsidiary',
  terms: 'term',
  currency: 'currency',
};
const CUSTOM_FIELD = /^custbody_[a-z0-9_]+$/i;

interface InvoiceLine {
  line: string;
  item: string;
  quantity: number;
  rate: number;
  amount: number;
  description?: string;
}

function normalizeLines(value: unknown, ctx: RecordContext): InvoiceLine[] {
  const items = sublistItems(value);
  if (!items) throw userError('Invalid value for item: expected {"items":[…]}.', 'item');
  return items.map((raw, i) => {
    const path = `item.items[${i}]`;
    if (!isPlainObject(raw)) throw userError('Invalid item line.', path);
    if (raw.item === undefined || raw.item === null)
      throw userError('You must enter a value for Item.', `${path}.item`);
    const item = resolveReference(ctx.store, 'item', raw.item, `${path}.item`);
    const row = ctx.store.referenceRow<{ baseprice: number; description: string }>('item', item);
    const quantity =
      raw.quantity === undefined || raw.quantity === null ? 1 : numberField(raw.quantity, `${path}.quantity`);
    if (quantity <= 0) throw userError('Quantity must be greater than zero.', `${path}.quantity`);
    const givenAmount =
      raw.amount === undefined || raw.amount === null ? undefined : numberField(raw.amount, `${path}.amount`);
    const givenRate = raw.rate === undefined || raw.rate === null ? undefined : numberField(raw.rate, `${path}.rate`);
    const rate = givenRate ?? (givenAmount !== undefined ? givenAmount / quantity : (row?.baseprice ?? 0));
    const amount = round2(givenAmount ?? quantity * rate);
    const line: InvoiceLine = { line: String(i + 1), item, quantity, rate: round2(rate), amount };
    const description = raw.description ?? row?.description;
    if (description !== undefined && description !== null)
      line.description = textField(description, `${path}.description`, 999);
    return line;
  });
}

export function writeInvoice(
  input: Record<string, unknown>,
  existing: FlatRecord | undefined,
  id: string,
  ctx: RecordContext,
): FlatRecord {
  const rec: FlatRecord = existing ? { ...existing } : { id };
  let dueDateGiven = existing !== undefined;
  for (const [key, value] of Object.entries(input)) {
    if (value === null) {
      if (key !== 'item' && key !== 'entity') delete rec[key];
      if (key === 'dueDate') dueDateGiven = false;
      continue;
    }
    if (key in TEXT_FIELDS) rec[key] = textField(value, key, TEXT_FIELDS[key]);
    else if (DATE_FIELDS.includes(key)) {
      rec[key] = dateField(value, key);
      if (key === 'dueDate') dueDateGiven = true;
    } else if (key in REFERENCE_FIELDS)
      rec[key] = resolveReference(ctx.store, REFERENCE_FIELDS[key] as ReferenceKind, value, key);
    else if (key === 'externalId') rec.externalId = validExternalId(value);
    else if (key === 'item') rec.item = normalizeLines(value, ctx);
    else if (CUSTOM_FIELD.test(key)) rec[key.toLowerCase()] = value;
  }

  if (!rec.entity) throw userError('You must enter a value for Customer.', 'entity');
  const customer = ctx.store.get('customer', String(rec.entity));
  if (!customer) throw invalidReference(String(rec.entity), 'entity');
  if (!rec.subsidiary) rec.subsidiary = customer.subsidiary;
  else if (rec.subsidiary !== customer.subsidiary) throw invalidReference(String(rec.subsidiary), 'subsidiary');
  if (!rec.terms && customer.terms) rec.terms = customer.terms;
  if (!rec.currency && customer.currency) rec.currency = customer.currency;
  const lines = rec.item as InvoiceLine[] | undefined;
  if (!lines || lines.length === 0)
    throw userError('You must enter at least one line item for this transaction.', 'item');

  if (!rec.tranDate) rec.tranDate = isoDate(ctx.now());
  if (!dueDateGiven || !rec.dueDate) {
    const term = rec.terms ? ctx.store.referenceRow<{ daysuntilnetdue: number }>('term', String(rec.terms)) : undefined;
    rec.dueDate = addDays(String(rec.tranDate), term?.daysuntilnetdue ?? 0);
  }
  rec.subtotal = round2(lines.reduce((sum, l) => sum + l.amount, 0));
  rec.total = rec.subtotal;
  if (!rec.tranId) rec.tranId = `INV${id}`;
  if (!rec.status) rec.status = 'open';
  assertExternalIdFree(ctx.store, 'invoice', rec.externalId, id);

  const now = isoTimestamp(ctx.now());
  if (!existing) rec.createdDate = now;
  rec.lastModifiedDate = now;
  return rec;
}

const STATUS_NAMES: Record<string, string> = { open: 'Open', paidInFull: 'Paid In Full' };

export function renderInvoice(rec: FlatRecord, ctx: RecordContext, expand: boolean): Record<string, unknown> {
  const self = recordUrl(ctx.base, 'invoice', rec.id);
  const out: Record<string, unknown> = { links: selfLinks(self) };
  for (const [key, value] of Object.entries(rec)) {
    if (key in REFERENCE_FIELDS)
      out[key] = renderReference(ctx.store, ctx.base, REFERENCE_FIELDS[key] as ReferenceKind, String(value));
    else if (key === 'status')
      out.status = { id: String(value), refName: STATUS_NAMES[String(value)] ?? String(value) };
    else if (key !== 'item') out[key] = value;
  }
  const lines = (rec.item as InvoiceLine[] | undefined)?.map(({ item, ...line }) => ({
    ...line,
    item: renderReference(ctx.store, ctx.base, 'item', item),
  }));
  out.item = renderSublist(`${self}/item`, lines, expand);
  return out;
}

/** SuiteQL sees invoices as `transaction` rows of type CustInvc with status 'A' (Open), plus their lines. */
export function projectInvoice(rec: FlatRecord): (db: Database.Database) => void {
  return (db) => {
    const id = Number(rec.id);
    db.prepare('DELETE FROM "transaction" WHERE id = ?').run(id);
    db.prepare('DELETE FROM transactionline WHERE "transaction" = ?').run(id);
    db.prepare(
      `INSERT INTO "transaction" (id, tranid, type, entity, externalid, trandate, duedate, subsidiary, terms, currency, foreigntotal, total, status, memo, createddate, lastmodifieddate)
       VALUES (?, ?, 'CustInvc', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      rec.tranId as string,
      Number(rec.entity),
      (rec.externalId as string | undefined) ?? null,
      rec.tranDate as string,
      rec.dueDate as string,
      Number(rec.subsidiary),
      rec.terms === undefined ? null : Number(rec.terms),
      rec.currency === undefined ? null : Number(rec.currency),
      rec.total as number,
      rec.total as number,
      rec.status === 'open' ? 'A' : 'B',
      (rec.memo as string | undefined) ?? null,
      rec.createdDate as string,
      rec.lastModifiedDate as string,
    );
    const insertLine = db.prepare(
      'INSERT INTO transactionline (id, "transaction", linesequencenumber, item, quantity, rate, netamount, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    (rec.item as InvoiceLine[]).forEach((line, i) => {
      insertLine.run(
        i + 1,
        id,
        i + 1,
        Number(line.item),
        line.quantity,
        line.rate,
        line.amount,
        line.description ?? null,
      );
    });
  };
}

export function unprojectInvoice(id: string): (db: Database.Database) => void {
  return (db) => {
    db.prepare('DELETE FROM "transaction" WHERE id = ?').run(Number(id));
    db.prepare('DELETE FROM transactionline WHERE "transaction" = ?').run(Number(id));
  };
}

export function customerHasTransactions(db: Database.Database, customerId: string): boolean {
  return db.prepare('SELECT 1 FROM "transaction" WHERE entity = ? LIMIT 1').get(Number(customerId)) !== undefined;
}
