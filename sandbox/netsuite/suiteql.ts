/**
 * `POST query/v1/suiteql`: real SQL over the NetSuite-named tables, read-only, paged like NetSuite
 * (limit ≤ 1000, count/hasMore/offset/totalResults, self/first/previous/next/last links).
 */
import type Database from 'better-sqlite3';
import { CONTENT_TYPE, type SimResponse } from './http-io';
import { NetSuiteError } from './netsuite-error';
import { toSqlite } from './oracle-dialect';
import { isPlainObject } from './record-fields';

const MAX_LIMIT = 1000;
/** Simulator bookkeeping and SQLite internals are not part of the account's schema. */
const HIDDEN_TABLE = /\b(sim_\w+|sqlite_\w+|pragma_\w+)\b/i;

function invalidQuery(detail: string): NetSuiteError {
  return new NetSuiteError(
    400,
    'INVALID_PARAMETER',
    `Invalid search query. Detailed unprocessed description follows. ${detail}`,
    { errorQueryParam: 'q' },
  );
}

function pagingParam(
  query: URLSearchParams,
  name: 'limit' | 'offset',
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new NetSuiteError(
      400,
      'INVALID_PARAMETER',
      `Invalid value for the query parameter ${name}: it must be an integer from ${min} to ${max}.`,
      {
        errorQueryParam: name,
      },
    );
  }
  return n;
}

/** NetSuite returns every value as a string and leaves null columns out. */
function renderRow(row: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = { links: [] };
  for (const [key, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    item[key.toLowerCase()] = String(value);
  }
  return item;
}

export function runSuiteQl(
  db: Database.Database,
  body: unknown,
  query: URLSearchParams,
  base: string,
  preferHeader: string | undefined,
): SimResponse {
  const prefer = (preferHeader ?? '').split(',').map((p) => p.trim().toLowerCase());
  if (!prefer.includes('transient')) {
    throw new NetSuiteError(400, 'INVALID_HEADER', 'The request must include the header Prefer: transient.', {
      errorHeader: 'Prefer',
    });
  }
  const limit = pagingParam(query, 'limit', MAX_LIMIT, 1, MAX_LIMIT);
  const offset = pagingParam(query, 'offset', 0, 0, 100_000);
  const q = isPlainObject(body) ? body.q : undefined;
  if (typeof q !== 'string' || q.trim() === '')
    throw invalidQuery('The request body must be {"q": "<SuiteQL SELECT statement>"}.');

  const sql = toSqlite(q);
  if (!/^\s*(SELECT|WITH)\b/i.test(sql)) throw invalidQuery('Only SELECT statements are allowed.');
  const hidden = HIDDEN_TABLE.exec(sql.replace(/'(?:[^']|'')*'/g, "''"));
  if (hidden) throw invalidQuery(`Search error occurred: Record '${hidden[1] ?? ''}' was not found.`);
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (err) {
    throw invalidQuery(`Search error occurred: ${(err as Error).message}`);
  }
  // SQLite knows whether the statement could write; a WITH … DELETE passes the regex but not this.
  if (!statement.readonly || !statement.reader) throw invalidQuery('Only SELECT statements are allowed.');

  let total: number;
  let rows: Array<Record<string, unknown>>;
  try {
    total = (db.prepare(`SELECT COUNT(*) AS n FROM (${sql})`).get() as { n: number }).n;
    rows = db.prepare(`SELECT * FROM (${sql}) LIMIT ? OFFSET ?`).all(limit, offset) as Array<Record<string, unknown>>;
  } catch (err) {
    throw invalidQuery(`Search error occurred: ${(err as Error).message}`);
  }

  const href = (o: number) => `${base}/services/rest/query/v1/suiteql?limit=${limit}&offset=${o}`;
  const hasMore = offset + rows.length < total;
  const links = [{ rel: 'self', href: href(offset) }];
  if (offset > 0 || hasMore) {
    const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
    links.unshift({ rel: 'first', href: href(0) });
    if (offset > 0) links.push({ rel: 'previous', href: href(Math.max(0, offset - limit)) });
    if (hasMore) links.push({ rel: 'next', href: href(offset + limit) });
    links.push({ rel: 'last', href: href(lastOffset) });
  }
  return {
    status: 200,
    contentType: CONTENT_TYPE.collection,
    body: { links, count: rows.length, hasMore, items: rows.map(renderRow), offset, totalResults: total },
  };
}
