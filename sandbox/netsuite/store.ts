/** The simulator's account state in SQLite: record bodies, their SuiteQL projections, async jobs and idempotency keys. */
import Database from 'better-sqlite3';
import { FIRST_ID, type AccountSeed } from './reference-data';
import { createSchema, DATA_TABLES } from './schema';

export type RecordType = keyof typeof FIRST_ID;
/** A stored record: scalar fields as given, references as internal-id strings, sublists as arrays. */
export type FlatRecord = Record<string, unknown> & { id: string };

export interface StoredJob {
  id: string;
  request: AsyncRequest;
  progress: 'pending' | 'succeeded' | 'failed';
  result: StoredResult | null;
  startTime: string;
  endTime: string | null;
}

export interface AsyncRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  base: string;
}

export interface StoredResult {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export class NetSuiteStore {
  readonly db: Database.Database;
  private customColumns = new Set<string>();

  constructor(dataFile: string | undefined, account?: AccountSeed) {
    this.db = new Database(dataFile ?? ':memory:');
    if (dataFile) this.db.pragma('journal_mode = WAL');
    createSchema(this.db, account);
    for (const column of this.db.prepare('SELECT name FROM pragma_table_info(?)').all('customer') as Array<{
      name: string;
    }>) {
      this.customColumns.add(column.name);
    }
  }

  close(): void {
    this.db.close();
  }

  wipeData(): void {
    this.db.transaction(() => {
      for (const table of DATA_TABLES) this.db.exec(`DELETE FROM ${table}`);
      this.db.exec('DELETE FROM sim_sequence');
    })();
  }

  referenceRow<T = Record<string, unknown>>(
    table: 'subsidiary' | 'term' | 'item' | 'currency' | 'contactrole' | 'leadsource',
    id: string,
  ): T | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    return this.db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(Number(id)) as T | undefined;
  }

  get(type: RecordType, id: string): FlatRecord | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT body FROM sim_record WHERE type = ? AND id = ?').get(type, Number(id)) as
      { body: string } | undefined;
    return row ? (JSON.parse(row.body) as FlatRecord) : undefined;
  }

  idByExternalId(type: RecordType, externalId: string): string | undefined {
    const row = this.db.prepare('SELECT id FROM sim_record WHERE type = ? AND externalid = ?').get(type, externalId) as
      { id: number } | undefined;
    return row ? String(row.id) : undefined;
  }

  all(type: RecordType): FlatRecord[] {
    const rows = this.db.prepare('SELECT body FROM sim_record WHERE type = ? ORDER BY id').all(type) as Array<{
      body: string;
    }>;
    return rows.map((r) => JSON.parse(r.body) as FlatRecord);
  }

  allocateId(type: RecordType): string {
    const row = this.db.prepare('SELECT next FROM sim_sequence WHERE type = ?').get(type) as
      { next: number } | undefined;
    const id = row?.next ?? FIRST_ID[type];
    this.db
      .prepare(
        'INSERT INTO sim_sequence (type, next) VALUES (?, ?) ON CONFLICT(type) DO UPDATE SET next = excluded.next',
      )
      .run(type, id + 1);
    return String(id);
  }

  /** Body and projection change together, so SuiteQL never sees a half-written record. */
  save(type: RecordType, record: FlatRecord, project: (db: Database.Database, store: NetSuiteStore) => void): void {
    this.db.transaction(() => {
      const externalId = typeof record.externalId === 'string' ? record.externalId : null;
      this.db
        .prepare(
          'INSERT INTO sim_record (type, id, externalid, body) VALUES (?, ?, ?, ?) ON CONFLICT(type, id) DO UPDATE SET externalid = excluded.externalid, body = excluded.body',
        )
        .run(type, Number(record.id), externalId, JSON.stringify(record));
      project(this.db, this);
    })();
  }

  remove(type: RecordType, id: string, unproject: (db: Database.Database) => void): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sim_record WHERE type = ? AND id = ?').run(type, Number(id));
      unproject(this.db);
    })();
  }

  /** custentity_* fields become real customer columns so SuiteQL can filter on them, as in NetSuite. */
  ensureCustomerColumn(name: string): void {
    if (this.customColumns.has(name)) return;
    this.db.exec(`ALTER TABLE customer ADD COLUMN "${name}" TEXT`);
    this.customColumns.add(name);
  }

  setting(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM sim_setting WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  }

  saveSetting(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO sim_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  // Async jobs and idempotency keys

  createJob(request: AsyncRequest, idempotencyKey: string | undefined, startTime: string): string {
    return this.db.transaction(() => {
      const info = this.db
        .prepare("INSERT INTO sim_async_job (request, progress, start_time) VALUES (?, 'pending', ?)")
        .run(JSON.stringify(request), startTime);
      const id = String(info.lastInsertRowid);
      if (idempotencyKey) {
        this.db
          .prepare('INSERT INTO sim_idempotency_key (key, job_id, created_at) VALUES (?, ?, ?)')
          .run(idempotencyKey, Number(id), startTime);
      }
      return id;
    })();
  }

  jobIdForKey(key: string): string | undefined {
    const row = this.db.prepare('SELECT job_id FROM sim_idempotency_key WHERE key = ?').get(key) as
      { job_id: number } | undefined;
    return row ? String(row.job_id) : undefined;
  }

  getJob(id: string): StoredJob | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT * FROM sim_async_job WHERE id = ?').get(Number(id)) as
      | {
          id: number;
          request: string;
          progress: StoredJob['progress'];
          result: string | null;
          start_time: string;
          end_time: string | null;
        }
      | undefined;
    if (!row) return undefined;
    return {
      id: String(row.id),
      request: JSON.parse(row.request) as AsyncRequest,
      progress: row.progress,
      result: row.result ? (JSON.parse(row.result) as StoredResult) : null,
      startTime: row.start_time,
      endTime: row.end_time,
    };
  }

  pendingJobIds(): string[] {
    return (
      this.db.prepare("SELECT id FROM sim_async_job WHERE progress = 'pending' ORDER BY id").all() as Array<{
        id: number;
      }>
    ).map((r) => String(r.id));
  }

  finishJob(id: string, progress: 'succeeded' | 'failed', result: StoredResult, endTime: string): void {
    this.db
      .prepare('UPDATE sim_async_job SET progress = ?, result = ?, end_time = ? WHERE id = ?')
      .run(progress, JSON.stringify(result), endTime, Number(id));
  }
}
