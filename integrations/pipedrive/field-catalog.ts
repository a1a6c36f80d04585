/**
 * Custom fields by display name. Pipedrive keys them by per-company 40-char hashes, so the product looks the name up
 * in `/v1/dealFields` / `/v1/organizationFields` and reads and writes by the hash it finds.
 */
import type { V1Field } from './wire-types';

export interface FieldOption {
  id: string;
  label: string;
}

export interface FieldInfo {
  key: string;
  name: string;
  /** Pipedrive `field_type`: varchar, text, enum, set, user, date, monetary, address, double… */
  type: string;
  options: FieldOption[];
}

/** Name → field. When two fields share a name, a custom (hash-keyed) one wins over a standard one. */
export type FieldCatalog = Map<string, FieldInfo>;

const HASH_KEY = /^[0-9a-f]{40}$/;

export function buildFieldCatalog(fields: readonly V1Field[]): FieldCatalog {
  const catalog: FieldCatalog = new Map();
  for (const f of fields) {
    const info: FieldInfo = {
      key: f.key,
      name: f.name,
      type: f.field_type,
      options: (f.options ?? []).map((o) => ({ id: String(o.id), label: o.label })),
    };
    const existing = catalog.get(f.name);
    if (existing === undefined || (!HASH_KEY.test(existing.key) && HASH_KEY.test(f.key))) catalog.set(f.name, info);
  }
  return catalog;
}

/** Hash key → name, e.g. to name the fields a webhook's `previous` lists. */
export function fieldNamesByKey(catalog: FieldCatalog): Map<string, string> {
  return new Map([...catalog.values()].map((f) => [f.key, f.name]));
}
