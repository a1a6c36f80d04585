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
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WebhookV2Event } from '../../domain/webhook-v2';

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

interface Batch {
  appends: Array<[number, string]>;
  deletes: number[];
  bumps: number[];
}

/** The writer connection's durability settings as SQLite reports them (synchronous: 1 = NORMAL, 2 = FULL). */
export interface WriterSettings {
  synchronous: number;
  journalMode: string;
}

type WriterReply = { ids: number[]; commitMs: number } | { error: string } | { closed: true } | { settings: WriterSettings };

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
const commit = db.transaction((b) => {
  for (const id of b.deletes) remove.run(id);
  for (const id of b.bumps) bump.run(id);
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
    mkdirSync(dirname(path), { recursive: true });
    this.reader = new Database(path);
    this.reader.pragma('journal_mode = WAL');
    this.reader.exec(SCHEMA);
    this.writer = new Worker(WRITER_SOURCE, { eval: true, workerData: { path, sqlite: require.resolve('better-sqlite3'), synchronous: (o.synchronous ?? 'full').toUpperCase() } });
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

  /** Pending rows with id > afterId, oldest first. */
  readAfter(afterId: number, limit: number): OutboxRow[] {
    const rows = this.reader.prepare('SELECT id, received_at, event, attempts FROM intake_outbox WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as RawRow[];
    return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event) as WebhookV2Event, receivedAt: new Date(r.received_at), attempts: r.attempts }));
  }

  /** Pending rows and the arrival time of the oldest, for the depth and age gauges. */
  stats(): { depth: number; oldestReceivedAt?: Date } {
    if (this.closed) return { depth: 0 };
    const r = this.reader.prepare('SELECT COUNT(*) AS depth, MIN(received_at) AS oldest FROM intake_outbox').get() as { depth: number; oldest: number | null };
    return { depth: r.depth, oldestReceivedAt: r.oldest === null ? undefined : new Date(r.oldest) };
  }

  /** Resolves once everything queued so far is written (or failed). */
  flush(): Promise<void> {
    if (!this.committing && this.appends.length + this.deletes.length + this.bumps.length === 0) return Promise.resolve();
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
    if (this.appends.length + this.deletes.length + this.bumps.length === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    const appends = this.appends;
    const batch: Batch = { appends: appends.map((a) => [a.receivedAt.getTime(), JSON.stringify(a.event)]), deletes: this.deletes, bumps: this.bumps };
    this.appends = [];
    this.deletes = [];
    this.bumps = [];
    this.committing = { appends, deletes: batch.deletes.length };
    this.writer.postMessage(batch);
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
      appends.forEach((a, i) => a.resolve({ id: reply.ids[i]!, event: a.event, receivedAt: a.receivedAt, attempts: 0 }));
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
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
