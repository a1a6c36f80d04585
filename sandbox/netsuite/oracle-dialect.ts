/**
 * Just enough of SuiteQL's Oracle flavour on top of SQLite: the functions and clauses integration code commonly uses.
 * Rewrites touch only text outside single-quoted literals.
 */
import type Database from 'better-sqlite3';

/** BUILTIN.DF(<col>) shows a reference's display name; the simulator knows which table each reference column points to. */
const DISPLAY_LOOKUP: Record<string, (col: string) => string> = {
  subsidiary: (c) => `(SELECT name FROM subsidiary WHERE id = ${c})`,
  terms: (c) => `(SELECT name FROM term WHERE id = ${c})`,
  currency: (c) => `(SELECT name FROM currency WHERE id = ${c})`,
  leadsource: (c) => `(SELECT name FROM leadsource WHERE id = ${c})`,
  entity: (c) => `(SELECT entityid FROM customer WHERE id = ${c})`,
  item: (c) => `(SELECT itemid FROM item WHERE id = ${c})`,
  status: (c) => `(CASE ${c} WHEN 'A' THEN 'Invoice : Open' WHEN 'B' THEN 'Invoice : Paid In Full' ELSE ${c} END)`,
};

function displayField(_match: string, column: string, name: string): string {
  return DISPLAY_LOOKUP[name.toLowerCase()]?.(column) ?? `BUILTIN_DF(${column})`;
}

const REWRITES: Array<[RegExp, string | ((...args: string[]) => string)]> = [
  [/\bBUILTIN\.DF\s*\(\s*((?:\w+\.)?(\w+))\s*\)/gi, displayField as (...args: string[]) => string],
  [/\bBUILTIN\.DF\s*\(/gi, 'BUILTIN_DF('],
  [/\bSYSDATE\b(?!\s*\()/gi, 'SYSDATE()'],
  // TRANSACTION is an SQLite keyword; SuiteQL uses it as a plain table and column name.
  [/(?<!["\w])transaction(?!["\w])/gi, '"transaction"'],
  [/\bFETCH\s+(?:FIRST|NEXT)\s+(\d+)\s+ROWS?\s+ONLY\b/gi, 'LIMIT $1'],
];

export function toSqlite(suiteql: string): string {
  const trimmed = suiteql.trim().replace(/;\s*$/, '');
  // Split on single-quoted literals ('' is an escaped quote inside one); even indexes are code.
  const parts = trimmed.split(/('(?:[^']|'')*')/);
  return parts
    .map((part, i) =>
      i % 2 === 1
        ? part
        : REWRITES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement as string), part),
    )
    .join('');
}

type SqlValue = string | number | bigint | Buffer | null;

export function registerOracleFunctions(db: Database.Database): void {
  db.function('NVL', (value: SqlValue, fallback: SqlValue) => (value === null ? fallback : value));
  db.function('NVL2', (value: SqlValue, ifNotNull: SqlValue, ifNull: SqlValue) =>
    value === null ? ifNull : ifNotNull,
  );
  db.function('BUILTIN_DF', (value: SqlValue) => (value === null ? null : String(value)));
  db.function('TO_CHAR', { varargs: true }, (...args: SqlValue[]) =>
    args[0] === null || args[0] === undefined ? null : String(args[0]),
  );
  db.function('TO_DATE', { varargs: true }, (...args: SqlValue[]) => args[0] ?? null);
  db.function('TO_NUMBER', (value: SqlValue) => (value === null ? null : Number(value)));
  db.function('SYSDATE', () => new Date().toISOString().slice(0, 10));
  // DECODE(expr, search1, result1, …, default)
  db.function('DECODE', { varargs: true }, (...args: SqlValue[]) => {
    const [expr, ...pairs] = args;
    for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] === expr) return pairs[i + 1] ?? null;
    return pairs.length % 2 === 1 ? (pairs[pairs.length - 1] ?? null) : null;
  });
}
