/** Finding field definitions by display name or hash key. */
import type { FieldDefinition } from './model';

export function fieldByName(fields: FieldDefinition[], name: string): FieldDefinition {
  const field = fields.find((f) => f.name === name);
  if (!field) throw new Error(`no field named ${name}`);
  return field;
}

export function keyOf(fields: FieldDefinition[], name: string): string {
  return fieldByName(fields, name).key;
}

export function optionId(fields: FieldDefinition[], name: string, label: string): number {
  const option = fieldByName(fields, name).options?.find((o) => o.label === label);
  if (!option) throw new Error(`field ${name} has no option ${label}`);
  return option.id;
}
