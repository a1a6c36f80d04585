/**
 * Validation of custom field values the way v2's strict typing demands (text/date = string, enum = option id,
 * user = user id), plus a friendlier form for the admin routes (keys by name, enum by label, user by name).
 */
import { badRequest } from './envelope';
import type { CustomFields, FieldDefinition, User } from './model';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateCustomFields(fields: FieldDefinition[], users: User[], input: unknown): CustomFields {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw badRequest('custom_fields must be an object');
  const out: CustomFields = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const field = fields.find((f) => f.is_custom && f.key === key);
    if (!field) throw badRequest(`Unknown custom field key: ${key}`);
    out[key] = checkValue(field, users, value);
  }
  return out;
}

function checkValue(field: FieldDefinition, users: User[], value: unknown): string | number | null {
  if (value === null) return null;
  const invalid = () => badRequest(`Invalid value for custom field '${field.name}' (${field.field_type})`);
  switch (field.field_type) {
    case 'enum':
      if (typeof value !== 'number' || !field.options?.some((o) => o.id === value)) throw invalid();
      return value;
    case 'user':
      if (typeof value !== 'number' || !users.some((u) => u.id === value)) throw invalid();
      return value;
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value)) throw invalid();
      return value;
    case 'int':
    case 'double':
      if (typeof value !== 'number') throw invalid();
      return value;
    default:
      if (typeof value !== 'string') throw invalid();
      return value;
  }
}

/** Admin-route convenience: `{ "Onboarding package": "GROWTH", "CSM": "Casey CSM" }` → hash keys and ids. */
export function resolveFriendlyCustomFields(
  fields: FieldDefinition[],
  users: User[],
  input: unknown,
): Record<string, unknown> {
  if (input === undefined || input === null || typeof input !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const field = fields.find((f) => f.is_custom && (f.key === name || f.name === name));
    if (!field) throw badRequest(`Unknown custom field: ${name}`);
    let resolved = value;
    if (field.field_type === 'enum' && typeof value === 'string')
      resolved = field.options?.find((o) => o.label === value)?.id ?? value;
    if (field.field_type === 'user' && typeof value === 'string')
      resolved = users.find((u) => u.name === value)?.id ?? value;
    out[field.key] = resolved;
  }
  return out;
}
