/** Field-level checks shared by the customer and invoice records. */
import { NetSuiteError, userError } from './netsuite-error';
import type { NetSuiteStore, RecordType } from './store';

const EXTERNAL_ID = /^[A-Za-z0-9_-]+$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new NetSuiteError(400, 'INVALID_CONTENT', 'The request body must be a JSON object.');
  return body;
}

export function textField(value: unknown, path: string, maxLength = 4000): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw userError(`Invalid value for field ${path}: a text value is required.`, path);
  const text = String(value);
  if (text.length > maxLength)
    throw userError(
      `The field ${path} contained more than the maximum number ( ${maxLength} ) of characters allowed.`,
      path,
    );
  return text;
}

export function booleanField(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw userError(`Invalid value for field ${path}: true or false is required.`, path);
  return value;
}

export function numberField(value: unknown, path: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw userError(`Invalid number ${String(value)} for field ${path}.`, path);
  return n;
}

export function dateField(value: unknown, path: string): string {
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  ) {
    if (new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value) return value;
  }
  throw userError(`Invalid date value ${String(value)} for field ${path}. Use the format YYYY-MM-DD.`, path);
}

export function validExternalId(value: unknown, path = 'externalId'): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !EXTERNAL_ID.test(text) || text.length > 255) {
    throw new NetSuiteError(
      400,
      'INVALID_PARAMETER',
      `Invalid external ID ${String(value)}. Use only letters, digits, underscores and hyphens.`,
      {
        errorPath: path,
      },
    );
  }
  return text;
}

/** externalId is unique per record type. */
export function assertExternalIdFree(store: NetSuiteStore, type: RecordType, externalId: unknown, ownId: string): void {
  if (typeof externalId !== 'string') return;
  const holder = store.idByExternalId(type, externalId);
  if (holder !== undefined && holder !== ownId) {
    throw userError(`A record with the external ID ${externalId} already exists.`, 'externalId');
  }
}

export function isoTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
