/**
 * Custom fields by display name. Pipedrive keys them by per-company 40-char hashes, so the product looks the name up
 * in `/v1/dealFields` / `/v1/organizationFields` / `/v1/personFields` and reads and writes by the hash it finds. The
 * mapping template's aliases add the canonical ids (domain/pipedrive-fields.ts) as names of the company's own fields,
 * so code that asks for `DEAL_FIELDS.csm` gets whatever field the template says is the CSM.
 */
import type { FieldRef } from '../../domain/pipedrive-fields';
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

export function buildFieldCatalog(fields: readonly V1Field[], aliases?: ReadonlyMap<string, FieldRef>): FieldCatalog {
  const catalog: FieldCatalog = new Map();
  const byKey = new Map<string, FieldInfo>();
  for (const f of fields) {
    const info: FieldInfo = {
      key: f.key,
      name: f.name,
      type: f.field_type,
      options: (f.options ?? []).map((o) => ({ id: String(o.id), label: o.label })),
    };
    byKey.set(f.key, info);
    const existing = catalog.get(f.name);
    if (existing === undefined || (!HASH_KEY.test(existing.key) && HASH_KEY.test(f.key))) catalog.set(f.name, info);
  }
  for (const [canonical, ref] of aliases ?? []) {
    const target = 'key' in ref ? byKey.get(ref.key) : catalog.get(ref.name);
    // A mapped field the company lacks must not fall back to a same-named field the template did not choose.
    if (target) catalog.set(canonical, target);
    else catalog.delete(canonical);
  }
  return catalog;
}

/** A field by the template's reference (name or key). */
export function findField(catalog: FieldCatalog, ref: FieldRef): FieldInfo | undefined {
  if ('name' in ref) return catalog.get(ref.name);
  for (const f of catalog.values()) if (f.key === ref.key) return f;
  return undefined;
}

/** Hash key → name, e.g. to name the fields a webhook's `previous` lists. */
export function fieldNamesByKey(catalog: FieldCatalog): Map<string, string> {
  return new Map([...catalog.values()].map((f) => [f.key, f.name]));
}
