/** `/services/rest/record/v1/…`: CRUD and eid: upsert for customer and invoice, read-only views of the reference records. */
import { projectContact, renderContact, unprojectContact, writeContact } from './contact-record';
import {
  projectCustomer,
  renderAddressLines,
  renderCustomer,
  unprojectCustomer,
  writeCustomer,
  type RecordContext,
} from './customer-record';
import { CONTENT_TYPE, type SimResponse } from './http-io';
import {
  customerHasTransactions,
  projectInvoice,
  renderInvoice,
  unprojectInvoice,
  writeInvoice,
} from './invoice-record';
import { NetSuiteError, nonexistentRecord, userError } from './netsuite-error';
import { requireObjectBody, validExternalId } from './record-fields';
import { recordUrl, renderReference, selfLinks } from './references';
import { requireRecordPermission } from './role-permissions';
import type { FlatRecord, RecordType } from './store';
import { withPatchedSublists } from './sublist-patch';
import { renderSublist } from './sublists';

export interface RecordRequest {
  method: string;
  /** Decoded path segments after `record/v1/`. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

const WRITABLE: Record<string, RecordType> = { customer: 'customer', invoice: 'invoice', contact: 'contact' };
const READ_ONLY: Record<string, 'subsidiary' | 'term' | 'currency' | 'item'> = {
  subsidiary: 'subsidiary',
  term: 'term',
  currency: 'currency',
  serviceSaleItem: 'item',
};

const writers = { customer: writeCustomer, invoice: writeInvoice, contact: writeContact };
const renderers = { customer: renderCustomer, invoice: renderInvoice, contact: renderContact };
const projectors = { customer: projectCustomer, invoice: projectInvoice, contact: projectContact };
const unprojectors = { customer: unprojectCustomer, invoice: unprojectInvoice, contact: unprojectContact };

function noContent(ctx: RecordContext, type: RecordType, id: string): SimResponse {
  return { status: 204, headers: { Location: recordUrl(ctx.base, type, id) } };
}

type RecordRef = { id: string } | { externalId: string };

function parseRef(segment: string): RecordRef {
  if (segment.startsWith('eid:')) return { externalId: validExternalId(segment.slice(4), undefined) };
  if (!/^\d+$/.test(segment)) throw nonexistentRecord();
  return { id: segment };
}

function lookup(ctx: RecordContext, type: RecordType, ref: RecordRef): FlatRecord {
  const id = 'id' in ref ? ref.id : ctx.store.idByExternalId(type, ref.externalId);
  const record = id === undefined ? undefined : ctx.store.get(type, id);
  if (!record) throw nonexistentRecord();
  return record;
}

function create(
  ctx: RecordContext,
  type: RecordType,
  body: Record<string, unknown>,
  forcedExternalId?: string,
): SimResponse {
  const store = ctx.store;
  // One transaction, so a refused body does not consume an internal id.
  const id = store.db.transaction(() => {
    const newId = store.allocateId(type);
    const input = forcedExternalId === undefined ? body : { ...body, externalId: forcedExternalId };
    const record = writers[type](input, undefined, newId, ctx);
    store.save(type, record, projectors[type](record));
    return newId;
  })();
  return noContent(ctx, type, id);
}

function update(
  ctx: RecordContext,
  type: RecordType,
  existing: FlatRecord,
  body: Record<string, unknown>,
): SimResponse {
  const record = writers[type](body, existing, existing.id, ctx);
  ctx.store.save(type, record, projectors[type](record));
  return noContent(ctx, type, existing.id);
}

/** The writes, shared by synchronous requests and async jobs. Throws NetSuiteError on refusal. */
export function performRecordWrite(ctx: RecordContext, request: RecordRequest): SimResponse {
  const [typeName = '', refSegment] = request.segments;
  const type = WRITABLE[typeName];
  if (!type)
    throw new NetSuiteError(405, 'INVALID_METHOD', `The ${typeName} record cannot be written through this simulator.`);
  const method = request.method;
  // Refused by the role before the record is looked up or the body validated (role-permissions.ts).
  requireRecordPermission(ctx.store.db, type, method);
  if (method === 'POST' && refSegment === undefined) return create(ctx, type, requireObjectBody(request.body));
  if (refSegment === undefined || request.segments.length > 2)
    throw new NetSuiteError(405, 'INVALID_METHOD', `${method} is not allowed on this resource.`);
  const ref = parseRef(refSegment);
  if (method === 'PATCH') {
    const existing = lookup(ctx, type, ref);
    return update(
      ctx,
      type,
      existing,
      withPatchedSublists(existing, requireObjectBody(request.body), request.query.get('replace')),
    );
  }
  if (method === 'PUT') {
    if (!('externalId' in ref)) {
      throw new NetSuiteError(
        400,
        'INVALID_PARAMETER',
        'Upsert (PUT) requires an external ID in the URL: …/eid:<externalId>.',
        { errorUrl: refSegment },
      );
    }
    const body = requireObjectBody(request.body);
    if (body.externalId !== undefined && body.externalId !== null && String(body.externalId) !== ref.externalId) {
      throw userError('The externalId in the request body must match the external ID in the URL.', 'externalId');
    }
    const id = ctx.store.idByExternalId(type, ref.externalId);
    const existing = id === undefined ? undefined : ctx.store.get(type, id);
    return existing ? update(ctx, type, existing, body) : create(ctx, type, body, ref.externalId);
  }
  if (method === 'DELETE') {
    const existing = lookup(ctx, type, ref);
    if (type === 'customer' && customerHasTransactions(ctx.store.db, existing.id)) {
      throw userError('This record cannot be deleted because it has dependent records.');
    }
    ctx.store.remove(type, existing.id, unprojectors[type](existing.id));
    return { status: 204 };
  }
  throw new NetSuiteError(405, 'INVALID_METHOD', `${method} is not allowed on this resource.`);
}

function readReferenceRecord(
  ctx: RecordContext,
  typeName: string,
  table: 'subsidiary' | 'term' | 'currency' | 'item',
  id: string,
): SimResponse {
  const row = ctx.store.referenceRow<Record<string, unknown>>(table, id);
  if (!row) throw nonexistentRecord();
  const self = recordUrl(ctx.base, typeName, id);
  const body: Record<string, unknown> = { links: selfLinks(self), id };
  if (table === 'subsidiary')
    Object.assign(body, {
      name: row.name,
      country: row.country,
      currency: renderReference(ctx.store, ctx.base, 'currency', String(row.currency)),
    });
  if (table === 'term') Object.assign(body, { name: row.name, daysUntilNetDue: row.daysuntilnetdue });
  if (table === 'currency') Object.assign(body, { name: row.name, symbol: row.symbol });
  if (table === 'item')
    Object.assign(body, {
      itemId: row.itemid,
      displayName: row.displayname,
      salesDescription: row.description,
      basePrice: row.baseprice,
    });
  body.isInactive = row.isinactive === 'T';
  return { status: 200, body };
}

/** `GET record/v1/<type>?limit&offset`: NetSuite lists links to instances; `q=externalId IS "X"` style filters on one field. */
function listRecords(ctx: RecordContext, type: RecordType, query: URLSearchParams): SimResponse {
  const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 1000) || 1000));
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  let records = ctx.store.all(type);
  const q = query.get('q');
  if (q) {
    const match = /^\s*(\w+)\s+IS\s+"([^"]*)"\s*$/i.exec(q);
    if (!match)
      throw new NetSuiteError(
        400,
        'INVALID_PARAMETER',
        'Only `<field> IS "<value>"` filters are supported by the simulator.',
        { errorQueryParam: 'q' },
      );
    const [, field = '', value = ''] = match;
    records = records.filter((r) => String(r[field] ?? '') === value);
  }
  const page = records.slice(offset, offset + limit);
  const self = `${ctx.base}/services/rest/record/v1/${type}`;
  return {
    status: 200,
    contentType: CONTENT_TYPE.collection,
    body: {
      links: selfLinks(self),
      count: page.length,
      hasMore: offset + page.length < records.length,
      items: page.map((r) => ({ links: selfLinks(recordUrl(ctx.base, type, r.id)), id: r.id })),
      offset,
      totalResults: records.length,
    },
  };
}

/** `?fields=a,b` returns only those body fields (plus links and id), as NetSuite does. */
function onlyFields(body: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (!fields) return body;
  const wanted = new Set(['links', 'id', ...fields.split(',').map((f) => f.trim())]);
  return Object.fromEntries(Object.entries(body).filter(([key]) => wanted.has(key)));
}

export function handleRecordRequest(ctx: RecordContext, request: RecordRequest): SimResponse {
  const [typeName = '', refSegment, sublist] = request.segments;
  const type = WRITABLE[typeName];
  const readOnly = READ_ONLY[typeName];
  if (!type && !readOnly)
    throw new NetSuiteError(404, 'NONEXISTENT_ID', `Record type '${typeName}' does not exist.`, { errorUrl: typeName });
  if (request.method !== 'GET') return performRecordWrite(ctx, request);
  if (readOnly) {
    if (refSegment === undefined || request.segments.length > 2) throw nonexistentRecord();
    return readReferenceRecord(ctx, typeName, readOnly, refSegment);
  }
  const recordType = type as RecordType;
  requireRecordPermission(ctx.store.db, recordType, 'GET');
  if (refSegment === undefined) return listRecords(ctx, recordType, request.query);
  const record = lookup(ctx, recordType, parseRef(refSegment));
  if (sublist === undefined) {
    const expand = request.query.get('expandSubResources') === 'true';
    return { status: 200, body: onlyFields(renderers[recordType](record, ctx, expand), request.query.get('fields')) };
  }
  const self = `${recordUrl(ctx.base, recordType, record.id)}/${sublist}`;
  const rendered = renderers[recordType](record, ctx, true)[sublist];
  if (request.segments.length > 3 || !rendered || typeof rendered !== 'object' || !('items' in rendered))
    throw nonexistentRecord();
  if (sublist === 'addressBook') {
    return {
      status: 200,
      contentType: CONTENT_TYPE.collection,
      body: renderSublist(self, renderAddressLines(record, recordUrl(ctx.base, recordType, record.id)), true),
    };
  }
  return { status: 200, contentType: CONTENT_TYPE.collection, body: rendered };
}
