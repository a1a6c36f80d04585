/**
 * The intake's durable buffer: every valid Pipedrive delivery is appended here before the app answers 2xx, and
 * removed once the drainer (outbox-drainer.ts) got a final outcome for it. SQLite in WAL mode with synchronous=FULL
 * by default, so a resolved append() has been fsynced: a 2xx can no longer be lost to a crash (with NORMAL, chosen
 * by INTAKE_OUTBOX_SYNC=normal, only to a crash of the host).
 *
 * Writes happen on a worker thread: better-sqlite3 is synchronous, and an fsync blocks its thread for its whole time
 * (0.7 ms on an idle disk here, 5 ms and more when the machine is busy), which on the main thread would stall every
 * request in flight. Group commit: one transaction at a time; everything appended or removed while it runs goes
 * into the next one, so under load a commit carries many rows for one fsync. Reads (start-up drain, paging, the
 * gauges) use a second connection on the main thread; WAL lets them run beside the writer.
 *
 * The rows hold the delivery as parsed (it may carry deal data: names, emails in custom fields). They stay on the
 * app's local disk (DATA_DIR) for as long as the delivery is pending and never reach a log.
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WebhookV2Event } from '../../domain/webhook-v2';
import { restrictFile, touchPrivateFile } from '../../runtime/private-files';

export const OUTBOX_FILE = 'intake-outbox.sqlite';

export interface OutboxRow {
  id: number;
  event: WebhookV2Event;
  receivedAt: Date;
  /** Drain attempts made before this row was read (kept across restarts, for logs and metrics). */
  attempts: number;
}

interface PendingAppend {
  event: WebhookV2Event;
  receivedAt: Date;
  resolve: (row: OutboxRow) => void;
  reject: (err: Error) => void;
}

interface RawRow {
  id: number;
  received_at: number;
  event: string;
  attempts: number;
}

/** A delivery Temporal refused deterministically, kept aside until an operator replays it (`cli intake replay`). */
export interface DeadLetter {
  /** The outbox row's id (AUTOINCREMENT ids are never reused, so it stays unique). */
  id: number;
  event: WebhookV2Event;
  receivedAt: Date;
  deadAt: Date;
  attempts: number;
  /** Why it was set aside: the refusal's first line, e.g. the gRPC status and Temporal's message. */
  reason: string;
}

interface RawDeadLetter extends RawRow {
  dead_at: number;
  reason: string;
}

interface Batch {
  appends: Array<[number, string]>;
  deletes: number[];
  bumps: number[];
  /** [row id, time set aside, reason]: moved from the outbox to the dead letters in the same transaction. */
  deadLetters: Array<[number, number, string]>;
}

/** The writer connection's durability settings as SQLite reports them (synchronous: 1 = NORMAL, 2 = FULL). */
export interface WriterSettings {
  synchronous: number;
  journalMode: string;
}

type WriterReply =
  { ids: number[]; commitMs: number } | { error: string } | { closed: true } | { settings: WriterSettings };

/** One group commit, as the writer timed it (the transaction including its fsync). */
export interface OutboxCommit {
  seconds: number;
  appends: number;
  deletes: number;
}

// The index serves the gauges: without it COUNT(*) and MIN(received_at) read every row's event (a 10,000-row backlog
// is ~25 MB) on the main thread at each scrape; with it they read a few hundred KB of index.
const SCHEMA = `CREATE TABLE IF NOT EXISTS intake_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  event TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS intake_outbox_received_at ON intake_outbox (received_at)`;

/**
 * Migrations by `PRAGMA user_version`, applied in order to a file of any earlier version (an outbox written before
 * version 1 has only the table above, at user_version 0). Additive only: a newer file stays readable by this code.
 */
const MIGRATIONS: readonly string[] = [
  // 1: deliveries Temporal refuses deterministically leave the outbox for this table instead of holding the drain.
  `CREATE TABLE IF NOT EXISTS intake_dead_letters (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    event TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    dead_at INTEGER NOT NULL,
    reason TEXT NOT NULL
  )`,
];

/** Brings the file's schema to the current version; safe to run from several connections and processes. */
export function migrateOutbox(db: Database.Database): void {
  db.exec(SCHEMA);
  const apply = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v += 1) db.exec(MIGRATIONS[v]!);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  apply.immediate();
}

/** Opens an outbox file outside the app (the ops CLI), migrated, with the private file modes. */
export function openOutboxFile(path: string): Database.Database {
  touchPrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  migrateOutbox(db);
  restrictOutboxFiles(path);
  return db;
}

/** The outbox and its WAL side files hold raw deliveries (names, e-mails): owner-only (docs/trust-boundaries.md). */
function restrictOutboxFiles(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) restrictFile(f);
}

const deadLetterOf = (r: RawDeadLetter): DeadLetter => ({
  id: r.id,
  event: JSON.parse(r.event) as WebhookV2Event,
  receivedAt: new Date(r.received_at),
  deadAt: new Date(r.dead_at),
  attempts: r.attempts,
  reason: r.reason,
});

/** Dead letters, newest first. */
export function listDeadLetters(db: Database.Database, limit = 1000): DeadLetter[] {
  const rows = db
    .prepare(
      'SELECT id, received_at, event, attempts, dead_at, reason FROM intake_dead_letters ORDER BY id DESC LIMIT ?',
    )
    .all(limit) as RawDeadLetter[];
  return rows.map(deadLetterOf);
}

export function getDeadLetter(db: Database.Database, id: number): DeadLetter | undefined {
  const row = db
    .prepare('SELECT id, received_at, event, attempts, dead_at, reason FROM intake_dead_letters WHERE id = ?')
    .get(id) as RawDeadLetter | undefined;
  return row ? deadLetterOf(row) : undefined;
}

/**
 * Puts a dead letter back at the end of the outbox as a new row (new id, original arrival time), in one
 * transaction; the running app's drainer picks it up within its poll interval. Undefined when no such dead letter.
 */
export function replayDeadLetter(db: Database.Database, id: number): { newRowId: number } | undefined {
  const move = db.transaction((deadId: number) => {
    const found = db.prepare('SELECT received_at, event FROM intake_dead_letters WHERE id = ?').get(deadId) as
      { received_at: number; event: string } | undefined;
    if (!found) return undefined;
    const inserted = db
      .prepare('INSERT INTO intake_outbox (received_at, event) VALUES (?, ?)')
      .run(found.received_at, found.event);
    db.prepare('DELETE FROM intake_dead_letters WHERE id = ?').run(deadId);
    return { newRowId: Number(inserted.lastInsertRowid) };
  });
  return move.immediate(id);
}

// Plain CommonJS evaluated in the worker (no TypeScript loader there, under tsx or jest alike).
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 5000');
const insert = db.prepare('INSERT INTO intake_outbox (received_at, event) VALUES (?, ?)');
const remove = db.prepare('DELETE FROM intake_outbox WHERE id = ?');
const bump = db.prepare('UPDATE intake_outbox SET attempts = attempts + 1 WHERE id = ?');
const bury = db.prepare('INSERT OR REPLACE INTO intake_dead_letters (id, received_at, event, attempts, dead_at, reason) SELECT id, received_at, event, attempts + 1, ?, ? FROM intake_outbox WHERE id = ?');
const commit = db.transaction((b) => {
  for (const id of b.deletes) remove.run(id);
  for (const id of b.bumps) bump.run(id);
  for (const [id, at, reason] of b.deadLetters) {
    bury.run(at, reason, id);
    remove.run(id);
  }
  return b.appends.map(([at, event]) => Number(insert.run(at, event).lastInsertRowid));
});
parentPort.on('message', (b) => {
  if (b === 'settings') {
    parentPort.postMessage({ settings: { synchronous: db.pragma('synchronous', { simple: true }), journalMode: db.pragma('journal_mode', { simple: true }) } });
    return;
  }
  if (b === 'close') {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  try {
    const started = performance.now();
    const ids = commit(b);
    parentPort.postMessage({ ids, commitMs: performance.now() - started });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
});
`;

export class IntakeOutbox {
  private readonly reader: Database.Database;
  private readonly writer: Worker;
  private appends: PendingAppend[] = [];
  private deletes: number[] = [];
  private bumps: number[] = [];
  private deadLetters: Batch['deadLetters'] = [];
  /** The batch the writer is committing (undefined: none): its appends wait for their ids. */
  private committing?: { appends: PendingAppend[]; deletes: number };
  private idleWaiters: Array<() => void> = [];
  private settingsWaiters: Array<(s: WriterSettings) => void> = [];
  private broken?: Error;
  private closed = false;

  /**
   * `onCommit`: each group commit's duration (the intake's commit-time histogram: fsync latency under load).
   * `synchronous`: `full` (default) fsyncs every commit, so a resolved append survives power loss; `normal` leaves the
   * WAL to the OS between checkpoints: it survives a crash of this process, not of the host (INTAKE_OUTBOX_SYNC).
   */
  constructor(
    readonly path: string,
    private readonly o: { onCommit?: (commit: OutboxCommit) => void; synchronous?: 'full' | 'normal' } = {},
  ) {
    touchPrivateFile(path);
    this.reader = new Database(path);
    this.reader.pragma('journal_mode = WAL');
    this.reader.pragma('busy_timeout = 5000');
    migrateOutbox(this.reader);
    restrictOutboxFiles(path);
    this.writer = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: {
        path,
        sqlite: require.resolve('better-sqlite3'),
        synchronous: (o.synchronous ?? 'full').toUpperCase(),
      },
    });
    this.writer.unref();
    this.writer.on('message', (reply: WriterReply) => this.committed(reply));
    this.writer.on('error', (err) => this.fail(err));
    this.writer.on('exit', () => this.fail(new Error('intake outbox writer stopped')));
  }

  /** Resolves once the row is on disk (fsynced); rejects when it could not be written (disk full, read-only, closed). */
  append(event: WebhookV2Event, receivedAt: Date): Promise<OutboxRow> {
    if (this.closed) return Promise.reject(new Error('intake outbox is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.appends.push({ event, receivedAt, resolve, reject });
      this.kick();
    });
  }

  /** Forget a drained row. Not awaited: a removal lost to a crash only means the delivery is drained once more. */
  delete(id: number): void {
    if (this.closed || this.broken) return;
    this.deletes.push(id);
    this.kick();
  }

  /** Count one more failed attempt on a row (written with the next commit). */
  recordAttempt(id: number): void {
    if (this.closed || this.broken) return;
    this.bumps.push(id);
    this.kick();
  }

  /**
   * Moves a row to the dead letters (same transaction as its removal): Temporal refused it deterministically, so
   * retrying it would only hold a place in the drain forever. Not awaited, like delete().
   */
  deadLetter(id: number, reason: string): void {
    if (this.closed || this.broken) return;
    this.deadLetters.push([id, Date.now(), reason.slice(0, 1000)]);
    this.kick();
  }

  /** Dead letters kept and the time the oldest was set aside, for the dead-letter gauges. */
  deadLetterStats(): { count: number; oldestDeadAt?: Date } {
    if (this.closed) return { count: 0 };
    const r = this.reader
      .prepare('SELECT COUNT(*) AS count, MIN(dead_at) AS oldest FROM intake_dead_letters')
      .get() as { count: number; oldest: number | null };
    return { count: r.count, oldestDeadAt: r.oldest === null ? undefined : new Date(r.oldest) };
  }

  /** Dead letters, newest first (tests; the CLI opens the file itself, see listDeadLetters). */
  listDeadLetters(limit?: number): DeadLetter[] {
    return listDeadLetters(this.reader, limit);
  }

  /** Pending rows with id > afterId, oldest first. */
  readAfter(afterId: number, limit: number): OutboxRow[] {
    const rows = this.reader
      .prepare('SELECT id, received_at, event, attempts FROM intake_outbox WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit) as RawRow[];
    return rows.map((r) => ({
      id: r.id,
      event: JSON.parse(r.event) as WebhookV2Event,
      receivedAt: new Date(r.received_at),
      attempts: r.attempts,
    }));
  }

  /** The highest id ever assigned (AUTOINCREMENT's counter; 0 for a new file). */
  lastAssignedId(): number {
    const r = this.reader.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'intake_outbox'").get() as
      { seq: number } | undefined;
    return r?.seq ?? 0;
  }

  /** Pending rows and the arrival time of the oldest, for the depth and age gauges. */
  stats(): { depth: number; oldestReceivedAt?: Date } {
    if (this.closed) return { depth: 0 };
    const r = this.reader.prepare('SELECT COUNT(*) AS depth, MIN(received_at) AS oldest FROM intake_outbox').get() as {
      depth: number;
      oldest: number | null;
    };
    return { depth: r.depth, oldestReceivedAt: r.oldest === null ? undefined : new Date(r.oldest) };
  }

  /** Resolves once everything queued so far is written (or failed). */
  flush(): Promise<void> {
    if (!this.committing && this.queued() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is queued, then closes the file; rows still pending stay on disk for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (!this.broken) {
      const done = new Promise<void>((resolve) => this.writer.once('exit', () => resolve()));
      this.writer.postMessage('close');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await this.writer.terminate();
    }
    this.reader.close();
  }

  private kick(): void {
    if (this.committing || this.broken) return;
    if (this.queued() === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    const appends = this.appends;
    const batch: Batch = {
      appends: appends.map((a) => [a.receivedAt.getTime(), JSON.stringify(a.event)]),
      deletes: this.deletes,
      bumps: this.bumps,
      deadLetters: this.deadLetters,
    };
    this.appends = [];
    this.deletes = [];
    this.bumps = [];
    this.deadLetters = [];
    this.committing = { appends, deletes: batch.deletes.length };
    this.writer.postMessage(batch);
  }

  private queued(): number {
    return this.appends.length + this.deletes.length + this.bumps.length + this.deadLetters.length;
  }

  /** Asks the writer thread how its connection commits (tests, and anyone checking INTAKE_OUTBOX_SYNC took effect). */
  writerSettings(): Promise<WriterSettings> {
    return new Promise((resolve) => {
      this.settingsWaiters.push(resolve);
      this.writer.postMessage('settings');
    });
  }

  private committed(reply: WriterReply): void {
    if ('settings' in reply) {
      this.settingsWaiters.shift()?.(reply.settings);
      return;
    }
    if ('closed' in reply) {
      void this.writer.terminate();
      return;
    }
    const { appends, deletes } = this.committing ?? { appends: [], deletes: 0 };
    this.committing = undefined;
    if ('error' in reply) {
      const err = new Error(reply.error);
      for (const a of appends) a.reject(err);
    } else {
      appends.forEach((a, i) =>
        a.resolve({ id: reply.ids[i]!, event: a.event, receivedAt: a.receivedAt, attempts: 0 }),
      );
      try {
        this.o.onCommit?.({ seconds: reply.commitMs / 1000, appends: appends.length, deletes });
      } catch {
        // A metrics hook never fails a commit.
      }
    }
    this.kick();
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.broken ??= err;
    for (const a of [...(this.committing?.appends ?? []), ...this.appends]) a.reject(this.broken);
    this.committing = undefined;
    this.appends = [];
    this.deletes = [];
    this.bumps = [];
    this.deadLetters = [];
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
