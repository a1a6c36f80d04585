/** One create/change/delete of a deal, person or organization, as the webhook dispatcher receives it. */
import type { ChangeSource, EntityName } from './model';

export interface Actor {
  userId: number;
  source: ChangeSource;
  /** Shared by every event one request causes (e.g. org + person + deal of a synthetic deal). */
  correlationId: string;
}

export interface ChangeEvent {
  action: 'create' | 'change' | 'delete';
  entity: EntityName;
  entityId: number;
  data: object | null;
  previous: object | null;
  actor: Actor;
  timestamp: string;
}

/** Fields that change on every write; leaving them out of `previous` keeps "only these fields changed" checks meaningful. */
const BOOKKEEPING_FIELDS = new Set(['update_time']);

/** The old values of the fields that differ (custom fields per hash), or null when nothing changed. */
export function changedFields<T extends { custom_fields: Record<string, unknown> }>(
  before: T,
  after: T,
): Record<string, unknown> | null {
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after) as Array<keyof T & string>) {
    if (BOOKKEEPING_FIELDS.has(key) || key === 'custom_fields') continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  const customPrevious: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before.custom_fields), ...Object.keys(after.custom_fields)]);
  for (const key of keys) {
    const old = before.custom_fields[key] ?? null;
    if (JSON.stringify(old) !== JSON.stringify(after.custom_fields[key] ?? null)) customPrevious[key] = old;
  }
  if (Object.keys(customPrevious).length > 0) previous.custom_fields = customPrevious;
  return Object.keys(previous).length > 0 ? previous : null;
}
