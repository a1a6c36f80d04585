/** List paging: v2 opaque cursors (`limit` ≤ 500, `next_cursor` null on the last page) and v1 start/limit. */
import { badRequest } from './envelope';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

function limitOf(raw: unknown): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw badRequest(`limit must be an integer between 1 and ${MAX_LIMIT}`);
  return n;
}

/** Cursors encode the last id seen, so paging stays stable while records are added. Lists are sorted by id. */
export function cursorPage<T extends { id: number }>(
  items: T[],
  query: Record<string, unknown>,
): { page: T[]; additional: { next_cursor: string | null } } {
  const limit = limitOf(query.limit);
  let afterId = 0;
  if (typeof query.cursor === 'string' && query.cursor !== '') {
    const decoded = Number(Buffer.from(query.cursor, 'base64url').toString('utf8').replace(/^id:/, ''));
    if (!Number.isInteger(decoded)) throw badRequest('Invalid cursor');
    afterId = decoded;
  }
  const rest = items.filter((i) => i.id > afterId).sort((a, b) => a.id - b.id);
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  const next = rest.length > limit && last ? Buffer.from(`id:${last.id}`).toString('base64url') : null;
  return { page, additional: { next_cursor: next } };
}

export function startLimitPage<T>(
  items: T[],
  query: Record<string, unknown>,
): { page: T[]; additional: { pagination: Record<string, unknown> } } {
  const limit = limitOf(query.limit);
  const start = query.start === undefined ? 0 : Number(query.start);
  if (!Number.isInteger(start) || start < 0) throw badRequest('start must be a non-negative integer');
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return {
    page,
    additional: {
      pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) },
    },
  };
}

/** `ids=1,2,3` style filters. */
export function idList(raw: unknown): number[] | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  return raw.split(',').map(Number).filter(Number.isInteger);
}

export function optionalNumber(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw badRequest('expected a number');
  return n;
}
