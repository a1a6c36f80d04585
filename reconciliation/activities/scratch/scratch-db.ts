/**
 * The reconciliation's scratch file: signed deals and NetSuite customers as pages arrive, in a SQLite file under
 * DATA_DIR/scratch (0600 in a 0700 directory: it holds names and e-mails), so the comparison runs as SQL over the
 * two tables and the worker never holds either vendor's records in memory. Each page's rows and the position after
 * it are committed in one transaction: the file always says exactly how far each listing got, which is what a retried
 * activity resumes from. Normalised columns are computed here, in JS, with the same functions the in-memory rules use
 * (model/reconciliation.ts), so the SQL compares exactly what `reconcileRecords` compares.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DERIVED_EXTERNAL_ID_PREFIX } from '../../../domain/external-id';
import { ensurePrivateDir, touchPrivateFile } from '../../../runtime/private-files';
import {
  normaliseEmail,
  normaliseText,
  type Attribution,
  type NetSuiteCustomerRow,
  type SignedDealRecord,
} from '../../model/reconciliation';

export const ATTRIBUTION_KEYS = ['campaign', 'leadSource', 'channel'] as const;
/** Column prefix per attribution key. */
export const ATTRIBUTION_COLUMN: Record<(typeof ATTRIBUTION_KEYS)[number], string> = {
  campaign: 'campaign',
  leadSource: 'lead_source',
  channel: 'channel',
};

/** Each attribution value as stored and normalised ('' when absent, as normaliseText gives). */
const attributionColumns = (): string =>
  ATTRIBUTION_KEYS.map(
    (k) => `${ATTRIBUTION_COLUMN[k]} TEXT, ${ATTRIBUTION_COLUMN[k]}_norm TEXT NOT NULL DEFAULT ''`,
  ).join(', ');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deals (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  deal_id TEXT NOT NULL UNIQUE,
  external_id TEXT NOT NULL,
  id_key TEXT NOT NULL,
  title TEXT NOT NULL,
  stage_name TEXT,
  organization_name TEXT,
  org_norm TEXT NOT NULL,
  email TEXT,
  email_norm TEXT NOT NULL,
  ${attributionColumns()}
);
CREATE INDEX IF NOT EXISTS deals_by_key ON deals (id_key, seq);
CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY,
  id_num REAL NOT NULL,
  external_id TEXT NOT NULL,
  id_key TEXT NOT NULL,
  email TEXT,
  email_key TEXT NOT NULL,
  company_name TEXT,
  company_norm TEXT NOT NULL,
  ours_prefix INTEGER NOT NULL,
  ours INTEGER NOT NULL DEFAULT 0,
  ${attributionColumns()}
);
CREATE INDEX IF NOT EXISTS customers_by_key ON customers (id_key, id_num, id);
CREATE INDEX IF NOT EXISTS customers_by_email ON customers (email_key, id_num, id);
CREATE TABLE IF NOT EXISTS starts (deal_id TEXT PRIMARY KEY, external_id TEXT NOT NULL, outcome TEXT NOT NULL, n INTEGER NOT NULL);
`;

/** How far each listing got; also the activity's heartbeat details. */
export interface ScratchProgress {
  /** Pipedrive: the next page's position, `done` once the listing is complete. */
  pipedrive?: { stageIndex: number; cursor?: string } | 'done';
  /** NetSuite: the last customer id stored (keyset paging by id), `done` once complete. */
  netsuite?: { afterId: string } | 'done';
  /** Whether NetSuite's attribution fields were readable (undefined until the first customer page). */
  attribution?: boolean;
  dealsStored?: number;
  customersStored?: number;
}

export class ScratchDb {
  private constructor(
    readonly path: string,
    readonly db: Database.Database,
  ) {}

  /** Opens (or creates, 0600) the scratch file of one run. `fresh` discards what an earlier attempt left. */
  static open(path: string, opts: { fresh: boolean }): ScratchDb {
    if (opts.fresh) removeScratch(path);
    touchPrivateFile(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // A scratch file: losing the last commit on a power cut costs one page, never correctness (positions commit with rows).
    db.pragma('synchronous = NORMAL');
    // Bounded: SQLite's page cache, not the record count, sets the memory (8 MB).
    db.pragma('cache_size = -8000');
    db.pragma('temp_store = FILE');
    db.exec(SCHEMA);
    return new ScratchDb(path, db);
  }

  progress(): ScratchProgress {
    const row = this.db.prepare(`SELECT v FROM meta WHERE k = 'progress'`).get() as { v: string } | undefined;
    return row ? (JSON.parse(row.v) as ScratchProgress) : {};
  }

  private saveProgress(p: ScratchProgress): void {
    this.db
      .prepare(`INSERT INTO meta (k, v) VALUES ('progress', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`)
      .run(JSON.stringify(p));
  }

  private count(table: 'deals' | 'customers'): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  /** One page of signed deals and the position after it, in one transaction. A deal seen again is kept once. */
  storeDealPage(deals: readonly SignedDealRecord[], next: ScratchProgress['pipedrive']): ScratchProgress {
    const cols = ATTRIBUTION_KEYS.flatMap((k) => [ATTRIBUTION_COLUMN[k], `${ATTRIBUTION_COLUMN[k]}_norm`]);
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO deals (deal_id, external_id, id_key, title, stage_name, organization_name, org_norm, email, email_norm, ${cols.join(', ')})
       VALUES (${Array.from({ length: 9 + cols.length }, () => '?').join(', ')})`,
    );
    return this.db.transaction(() => {
      for (const d of deals) {
        insert.run(
          d.dealId,
          d.externalId,
          idKey(d.externalId),
          d.title,
          d.stageName ?? null,
          d.organizationName ?? null,
          normaliseText(d.organizationName),
          d.email ?? null,
          normaliseEmail(d.email),
          ...attributionValues(d.attribution),
        );
      }
      const p = { ...this.progress(), pipedrive: next, dealsStored: this.count('deals') };
      this.saveProgress(p);
      return p;
    })();
  }

  /** One page of customers and the last id stored, in one transaction. */
  storeCustomerPage(
    customers: readonly NetSuiteCustomerRow[],
    next: ScratchProgress['netsuite'],
    attribution: boolean,
  ): ScratchProgress {
    const cols = ATTRIBUTION_KEYS.flatMap((k) => [ATTRIBUTION_COLUMN[k], `${ATTRIBUTION_COLUMN[k]}_norm`]);
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO customers (id, id_num, external_id, id_key, email, email_key, company_name, company_norm, ours_prefix, ${cols.join(', ')})
       VALUES (${Array.from({ length: 9 + cols.length }, () => '?').join(', ')})`,
    );
    return this.db.transaction(() => {
      for (const c of customers) {
        const n = Number(c.id);
        insert.run(
          c.id,
          Number.isFinite(n) ? n : 0,
          c.externalId,
          idKey(c.externalId),
          c.email ?? null,
          normaliseEmail(c.email),
          c.companyName ?? null,
          normaliseText(c.companyName),
          c.externalId.trim().toLowerCase().startsWith(DERIVED_EXTERNAL_ID_PREFIX) ? 1 : 0,
          ...attributionValues(c.attribution),
        );
      }
      const p = { ...this.progress(), netsuite: next, attribution, customersStored: this.count('customers') };
      this.saveProgress(p);
      return p;
    })();
  }

  close(): void {
    this.db.close();
  }
}

/** External ids are compared as NetSuite looks them up (model/reconciliation.ts). */
export const idKey = (externalId: string): string => externalId.trim().toLowerCase();

function attributionValues(a: Attribution | undefined): Array<string | null> {
  return ATTRIBUTION_KEYS.flatMap((k) => [a?.[k] ?? null, normaliseText(a?.[k])]);
}

export function removeScratch(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
}

/** `<dataDir>/scratch`, created 0700. */
export function scratchDir(dataDir: string): string {
  const dir = join(dataDir, 'scratch');
  ensurePrivateDir(dataDir);
  ensurePrivateDir(dir);
  return dir;
}

/** Scratch files of runs that ended without cleaning up (a run given up on): gone after a day, they hold e-mails. */
export function removeStaleScratch(dir: string, keep: string, maxAgeMs = 24 * 60 * 60_000, now = Date.now()): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (file.startsWith(keep)) continue;
    try {
      if (now - statSync(file).mtimeMs > maxAgeMs) rmSync(file, { force: true });
    } catch {
      // Removed by another attempt meanwhile.
    }
  }
}
