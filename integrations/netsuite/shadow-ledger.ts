/**
 * Shadow mode's durable record of the NetSuite writes the orchestrator would have made: one row per would-be record
 * state (customer by externalId, invoice by externalId, a PATCH by customer id), with the exact request body.
 * A retried activity repeats its write; the row is updated and its attempt count grows, so the ledger reads as
 * "what NetSuite would now hold", not as a log of retries. SQLite in WAL mode: the worker writes, the CLI reads
 * (`npm run cli -- shadow-report`) while the worker runs. The bodies hold customer data: the file stays on the
 * worker's local disk (DATA_DIR) and never reaches a log.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export const SHADOW_LEDGER_FILE = join('shadow', 'netsuite-writes.sqlite');

export type ShadowOperation =
  'customer.upsert' | 'customer.upsertAsync' | 'invoice.create' | 'customer.patch' | 'contact.upsert';

export interface ShadowWrite {
  seq: number;
  operation: ShadowOperation;
  /** The request as it would have been sent: `PUT record/v1/customer/eid:X`. */
  method: string;
  path: string;
  /** Which record the write is about: the externalId, or the internal id of a PATCHed customer. */
  recordKey: string;
  /** What the orchestrator was given back instead of NetSuite's id (`shadow-…`). */
  syntheticId: string;
  /** `create` when NetSuite had no such record at the first attempt, `update` when it had (then its id). */
  effect: 'create' | 'update';
  existingId?: string;
  body: unknown;
  firstRecordedAt: string;
  lastRecordedAt: string;
  attempts: number;
}

interface Row {
  seq: number;
  operation: ShadowOperation;
  method: string;
  path: string;
  record_key: string;
  synthetic_id: string;
  effect: 'create' | 'update';
  existing_id: string | null;
  body: string;
  first_recorded_at: string;
  last_recorded_at: string;
  attempts: number;
}

export class ShadowLedger {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** The ledger under `dataDir` (created when missing). */
  static open(dataDir: string): ShadowLedger {
    return ShadowLedger.openFile(join(dataDir, SHADOW_LEDGER_FILE));
  }

  static openFile(file: string): ShadowLedger {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS shadow_writes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      operation TEXT NOT NULL,
      method TEXT NOT NULL,
      path TEXT NOT NULL,
      record_key TEXT NOT NULL,
      synthetic_id TEXT NOT NULL,
      effect TEXT NOT NULL,
      existing_id TEXT,
      body TEXT NOT NULL,
      first_recorded_at TEXT NOT NULL,
      last_recorded_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 1,
      UNIQUE (operation, record_key)
    )`);
    return new ShadowLedger(db);
  }

  /** Records a would-be write (or repeats one: same operation and record ⇒ same row, latest body, one more attempt). */
  record(
    w: Omit<ShadowWrite, 'seq' | 'firstRecordedAt' | 'lastRecordedAt' | 'attempts'>,
    at = new Date(),
  ): ShadowWrite {
    const now = at.toISOString();
    this.db
      .prepare(
        `INSERT INTO shadow_writes (operation, method, path, record_key, synthetic_id, effect, existing_id, body, first_recorded_at, last_recorded_at)
         VALUES (@operation, @method, @path, @recordKey, @syntheticId, @effect, @existingId, @body, @now, @now)
         ON CONFLICT (operation, record_key) DO UPDATE SET body = excluded.body, last_recorded_at = excluded.last_recorded_at, attempts = attempts + 1`,
      )
      .run({ ...w, existingId: w.existingId ?? null, body: JSON.stringify(w.body), now });
    return this.find(w.operation, w.recordKey)!;
  }

  find(operation: ShadowOperation, recordKey: string): ShadowWrite | undefined {
    const row = this.db
      .prepare('SELECT * FROM shadow_writes WHERE operation = ? AND record_key = ?')
      .get(operation, recordKey) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The write that returned this synthetic id. */
  bySyntheticId(syntheticId: string): ShadowWrite | undefined {
    const row = this.db
      .prepare('SELECT * FROM shadow_writes WHERE synthetic_id = ? ORDER BY seq LIMIT 1')
      .get(syntheticId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(opts: { since?: string } = {}): ShadowWrite[] {
    const rows = (
      opts.since
        ? this.db.prepare('SELECT * FROM shadow_writes WHERE last_recorded_at >= ? ORDER BY seq').all(opts.since)
        : this.db.prepare('SELECT * FROM shadow_writes ORDER BY seq').all()
    ) as Row[];
    return rows.map(fromRow);
  }

  close(): void {
    this.db.close();
  }
}

function fromRow(r: Row): ShadowWrite {
  return {
    seq: r.seq,
    operation: r.operation,
    method: r.method,
    path: r.path,
    recordKey: r.record_key,
    syntheticId: r.synthetic_id,
    effect: r.effect,
    ...(r.existing_id ? { existingId: r.existing_id } : {}),
    body: JSON.parse(r.body) as unknown,
    firstRecordedAt: r.first_recorded_at,
    lastRecordedAt: r.last_recorded_at,
    attempts: r.attempts,
  };
}
