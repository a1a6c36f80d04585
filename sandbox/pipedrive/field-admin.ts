/**
 * Custom field administration (`POST /v1/dealFields`, `PUT /v1/dealFields/:id`, the same for persons and
 * organizations): a new field gets a 40-char hash key, like Pipedrive's, and options get ids; a rename keeps the key,
 * which is why the mapping template may name a field by key.
 */
import { badRequest, notFound } from './envelope';
import { customFieldKey } from './field-definitions';
import type { FieldDefinition, FieldOption, SimulatorState } from './model';

/** The types Pipedrive lets an admin create (v1 `field_type`). */
const CREATABLE = [
  'varchar',
  'varchar_auto',
  'text',
  'double',
  'monetary',
  'date',
  'set',
  'enum',
  'user',
  'org',
  'people',
  'phone',
  'time',
  'timerange',
  'daterange',
  'address',
];

function fieldsOf(state: SimulatorState, entity: 'deal' | 'person' | 'organization'): FieldDefinition[] {
  return entity === 'deal' ? state.dealFields : entity === 'person' ? state.personFields : state.organizationFields;
}

function optionsFrom(raw: unknown, firstId: number): FieldOption[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw badRequest('options must be an array of { label }');
  return raw.map((o, i) => {
    const label = typeof o === 'string' ? o : (o as { label?: unknown })?.label;
    if (typeof label !== 'string' || label.trim() === '') throw badRequest('every option needs a label');
    return { id: firstId + i, label };
  });
}

export function addCustomField(
  state: SimulatorState,
  entity: 'deal' | 'person' | 'organization',
  body: Record<string, unknown>,
): FieldDefinition {
  const fields = fieldsOf(state, entity);
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (name === '') throw badRequest('name is required');
  const type = body.field_type;
  if (typeof type !== 'string' || !CREATABLE.includes(type))
    throw badRequest(`field_type must be one of ${CREATABLE.join(', ')}`);
  const nextId = Math.max(0, ...fields.map((f) => f.id)) + 1;
  const nextOption = Math.max(1000, ...fields.flatMap((f) => (f.options ?? []).map((o) => o.id))) + 1;
  const options = optionsFrom(body.options, nextOption);
  if ((type === 'enum' || type === 'set') && !options?.length) throw badRequest('enum and set fields need options');
  // Two fields may share a name in Pipedrive; the key (from the name and its position) keeps them apart.
  const key = customFieldKey(state.company.domain, entity, `${name}#${nextId}`);
  const field: FieldDefinition = {
    id: nextId,
    key,
    name,
    field_type: type,
    is_custom: true,
    ...(options ? { options } : {}),
  };
  fields.push(field);
  return field;
}

export function updateCustomField(
  fields: FieldDefinition[],
  id: number,
  body: Record<string, unknown>,
): FieldDefinition {
  const field = fields.find((f) => f.id === id);
  if (!field) throw notFound('Field');
  if (!field.is_custom) throw badRequest('standard fields cannot be changed');
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.trim() === '') throw badRequest('name must be a non-empty string');
    field.name = body.name.trim();
  }
  if (body.options !== undefined) {
    const nextOption = Math.max(1000, ...fields.flatMap((f) => (f.options ?? []).map((o) => o.id))) + 1;
    field.options = optionsFrom(body.options, nextOption);
  }
  return field;
}
