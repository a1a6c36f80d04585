/**
 * v2 custom field values ⇄ the plain strings the product works with: enum option id ⇄ label, user id (number or
 * user object) ⇄ id string, money → amount, address → formatted text, text/date as is. Empty means undefined.
 */
import type { FieldInfo } from './field-catalog';

function idOf(raw: unknown): string | undefined {
  if (typeof raw === 'number' || typeof raw === 'string') return String(raw).trim() || undefined;
  if (raw !== null && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    return idOf(o.id ?? o.value);
  }
  return undefined;
}

function optionLabel(field: FieldInfo, raw: unknown): string | undefined {
  const id = idOf(raw);
  if (id === undefined) return undefined;
  return field.options.find((o) => o.id === id)?.label ?? id;
}

/** The stored value of `field` as a string (undefined when empty). */
export function decodeCustomField(field: FieldInfo, raw: unknown): string | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  switch (field.type) {
    case 'enum':
      return optionLabel(field, raw);
    case 'set': {
      const items = Array.isArray(raw) ? raw : String(raw).split(',');
      const labels = items.map((i) => optionLabel(field, i)).filter((l): l is string => l !== undefined);
      return labels.length ? labels.join(',') : undefined;
    }
    case 'user':
    case 'people':
    case 'org':
      return idOf(raw);
    default:
      if (typeof raw === 'object') {
        const o = raw as Record<string, unknown>;
        const v = o.formatted_address ?? o.value;
        return v === null || v === undefined || v === '' ? undefined : String(v);
      }
      return String(raw);
  }
}

export class UnencodableFieldValue extends Error {
  override readonly name = 'UnencodableFieldValue';
}

/** The value to PATCH for `field` (v2 strict typing): enum ⇒ option id number, user ⇒ user id number, else string. */
export function encodeCustomField(field: FieldInfo, value: string | null): string | number | null {
  if (value === null) return null;
  switch (field.type) {
    case 'enum': {
      const option = field.options.find((o) => o.label === value || o.id === value);
      if (!option) throw new UnencodableFieldValue(`"${field.name}" has no option "${value}"`);
      return Number(option.id);
    }
    case 'user':
    case 'double':
    case 'int': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UnencodableFieldValue(`"${field.name}" needs a number`);
      return n;
    }
    default:
      return value;
  }
}
