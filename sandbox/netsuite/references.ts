/** Record references: how clients send them ({id}, {externalId}, bare id) and how NetSuite renders them. */
import { invalidReference, userError } from './netsuite-error';
import type { NetSuiteStore } from './store';

export type Link = { rel: string; href: string };
export type RenderedRef = { links: Link[]; id: string; refName: string };

export type ReferenceKind = 'subsidiary' | 'term' | 'currency' | 'item' | 'customer' | 'contactrole' | 'leadsource';

/** The REST record type a reference links to (the seeded items are service items). */
export const RECORD_TYPE_OF: Record<ReferenceKind, string> = {
  subsidiary: 'subsidiary',
  term: 'term',
  currency: 'currency',
  item: 'serviceSaleItem',
  customer: 'customer',
  contactrole: 'contactRole',
  leadsource: 'leadsource',
};

export function recordUrl(base: string, recordType: string, id: string): string {
  return `${base}/services/rest/record/v1/${recordType}/${id}`;
}

export function selfLinks(href: string): Link[] {
  return [{ rel: 'self', href }];
}

type RefInput = { id: string } | { externalId: string };

function readRefInput(value: unknown, path: string): RefInput {
  if (typeof value === 'number' && Number.isInteger(value)) return { id: String(value) };
  if (typeof value === 'string' && value !== '') return { id: value };
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.id === 'string' || typeof v.id === 'number') return { id: String(v.id) };
    if (typeof v.externalId === 'string') return { externalId: v.externalId };
  }
  throw userError(`Invalid value for the reference field ${path}. Provide an object with an id.`, path);
}

/** Resolves to the internal id, or throws 400 INVALID_KEY_OR_REF naming the field. */
export function resolveReference(store: NetSuiteStore, kind: ReferenceKind, value: unknown, path: string): string {
  const ref = readRefInput(value, path);
  if (kind === 'customer') {
    const id = 'id' in ref ? ref.id : store.idByExternalId('customer', ref.externalId);
    if (id !== undefined && store.get('customer', id)) return id;
  } else if ('id' in ref && store.referenceRow(kind, ref.id)) {
    return ref.id;
  }
  throw invalidReference('id' in ref ? ref.id : `externalId ${ref.externalId}`, path);
}

export function renderReference(store: NetSuiteStore, base: string, kind: ReferenceKind, id: string): RenderedRef {
  let refName = id;
  if (kind === 'customer') {
    const customer = store.get('customer', id);
    if (customer && typeof customer.entityId === 'string') refName = customer.entityId;
  } else {
    const row = store.referenceRow<{ name?: string; itemid?: string }>(kind, id);
    refName = row?.name ?? row?.itemid ?? id;
  }
  return { links: selfLinks(recordUrl(base, RECORD_TYPE_OF[kind], id)), id, refName };
}
