/**
 * Drains the intake outbox (outbox.ts) through WebhookIntake.handle with bounded concurrency. A final outcome
 * (2xx/4xx-like: accepted, duplicate, signalled, ignored, loop-dropped) deletes the row; anything else (503: Temporal
 * or Pipedrive unreachable; 500: Temporal refused; a throw) is retried with capped exponential backoff, for as long
 * as it takes: the oldest-pending-age gauge is what makes a stuck row visible, not a silent drop.
 *
 * At most `window` rows are held in memory (ready, waiting for a retry, or in flight); the rest stay on disk and are
 * read in id order as room frees up, so hours of Temporal outage cost disk, not memory. Rows pending at start-up are
 * drained the same way. The backlog is read in small chunks, just ahead of the drain: the read and the JSON parse
 * run on the app's main thread, and a 500-row read held it ~7 ms (more on a busy host) while webhooks waited.
 *
 * A delivery Temporal refuses deterministically (INVALID_ARGUMENT: a workflow id or search attribute over its limits;
 * temporal-availability.ts) is not retried: it moves to the outbox's dead letters, out of the window, so rows behind
 * it drain. An operator lists them (`cli intake dead-letters`) and puts one back (`cli intake replay <id>`, a new row
 * at the end of the outbox); the drainer polls for rows written by another process while it has nothing on disk.
 *
 * Drained twice is harmless: after a crash between the start and the row's removal the delivery is handled again,
 * and the start is idempotent by workflow ID (WorkflowIdReusePolicy REJECT_DUPLICATE + conflict policy USE_EXISTING,
 * see start-onboarding.ts), so the second time answers "duplicate". A dealUpdated signal drained twice is recorded
 * twice; the workflow treats it as "re-read the deal", which is idempotent too.
 */
import type { Logger } from '../../runtime/logger';
import { firstLine } from '../../domain/first-line';
import type { WebhookV2Event } from '../../domain/webhook-v2';
import type { IntakeResult } from './webhook-intake';
import type { OutboxRow } from './outbox';

/** What the HTTP answer learns from a delivery's first attempt. */
export type FirstAttempt = { kind: 'final'; result: IntakeResult } | { kind: 'queued' };

/** The outbox operations the drainer needs (IntakeOutbox; tests may wrap it). */
export interface DrainableOutbox {
  readAfter(afterId: number, limit: number): OutboxRow[];
  delete(id: number): void;
  recordAttempt(id: number): void;
  deadLetter(id: number, reason: string): void;
  /** The highest row id ever assigned (ids of drained rows included), so new rows are known to follow it. */
  lastAssignedId?(): number;
}

export interface OutboxDrainerOptions {
  outbox: DrainableOutbox;
  handle: (event: WebhookV2Event, receivedAt: Date) => Promise<IntakeResult>;
  log: Logger;
  /** Deliveries handled at once. */
  concurrency: number;
  /** Rows held in memory at most. Default 1000. */
  window?: number;
  /** Backoff between attempts of one delivery: initial, doubling up to max, with jitter. Default 500 ms → 30 s. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Each attempt's outcome (`accepted`, `unavailable`, …), for the drained-by-outcome counter. */
  onAttempt?: (result: IntakeResult, final: boolean) => void;
  /** A row moved to the dead letters (the dead-lettered counter; logs carry ids and the reason only). */
  onDeadLetter?: (row: OutboxRow, reason: string) => void;
  /** How often an idle drainer looks for rows another process wrote (a replayed dead letter). Default 2 s. */
  pollMs?: number;
}

interface Entry {
  row: OutboxRow;
  started?: boolean;
  failures: number;
  waiters: Array<(first: FirstAttempt) => void>;
  timer?: NodeJS.Timeout;
}

export const isFinal = (r: IntakeResult): boolean => r.status < 500;

export class OutboxDrainer {
  private readonly ready: Entry[] = [];
  private readonly held = new Map<number, Entry>();
  private readonly window: number;
  /** Rows read from disk at once: two rounds of the drain's concurrency. */
  private readonly chunk: number;
  private inFlight = 0;
  private cursor = 0;
  private backlogOnDisk = true;
  private running = false;
  private idleWaiters: Array<() => void> = [];
  private poller?: NodeJS.Timeout;

  constructor(private readonly o: OutboxDrainerOptions) {
    this.window = o.window ?? 1000;
    this.chunk = Math.max(16, 2 * o.concurrency);
  }

  /** Starts draining, beginning with the rows left on disk by an earlier run. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // Read before the backlog: a row another process adds after this read has a higher id, found by the poll.
    const assigned = this.o.outbox.lastAssignedId?.() ?? 0;
    this.refill();
    if (!this.backlogOnDisk) this.cursor = Math.max(this.cursor, assigned);
    this.poller = setInterval(() => this.poll(), this.o.pollMs ?? 2_000);
    this.poller.unref();
    if (this.held.size > 0)
      this.o.log.info(
        { pending: this.held.size, more: this.backlogOnDisk },
        'intake outbox: draining deliveries left by an earlier run',
      );
    this.pump();
  }

  /**
   * Hands over a row just written. Resolves with the first attempt's final result, or `queued` when that attempt
   * must be retried or the row waits on disk behind a backlog (the drainer reaches it in id order).
   */
  submit(row: OutboxRow): Promise<FirstAttempt> {
    if (!this.running) return Promise.resolve({ kind: 'queued' });
    const existing = this.held.get(row.id);
    if (existing) return new Promise((resolve) => existing.waiters.push(resolve));
    // A gap before this id is a row another process wrote (a replay): take the disk path so it is read, in order.
    if (this.backlogOnDisk || this.held.size >= this.window || row.id > this.cursor + 1) {
      this.backlogOnDisk = true;
      this.pump();
      return Promise.resolve({ kind: 'queued' });
    }
    this.cursor = Math.max(this.cursor, row.id);
    return new Promise((resolve) => {
      const entry: Entry = { row, failures: row.attempts, waiters: [resolve] };
      this.held.set(row.id, entry);
      this.ready.push(entry);
      this.pump();
      // Every slot busy: its outcome cannot come within an ack budget, so the answer need not wait for it.
      if (!entry.started) this.settleWaiters(entry, { kind: 'queued' });
    });
  }

  /** Rows held in memory (ready, in flight, or waiting for a retry). */
  get heldCount(): number {
    return this.held.size;
  }

  /** Resolves once nothing is held in memory and nothing is left on disk (tests and the graceful stop). */
  whenIdle(): Promise<void> {
    if (this.held.size === 0 && !this.backlogOnDisk) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking new work, waits up to `graceMs` for the deliveries in flight, and leaves everything else on disk
   * for the next start. A delivery still in flight after the grace is simply handled again next time.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.poller);
    for (const e of this.held.values()) {
      if (e.timer) clearTimeout(e.timer);
      this.settleWaiters(e, { kind: 'queued' });
    }
    this.ready.length = 0;
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.inFlight > 0)
      this.o.log.warn(
        { inFlight: this.inFlight },
        'intake outbox: stopping with deliveries in flight; they are handled again at the next start',
      );
  }

  private pump(): void {
    if (!this.running) return;
    if (this.backlogOnDisk && this.ready.length < this.o.concurrency) this.refill();
    while (this.inFlight < this.o.concurrency && this.ready.length > 0) {
      const entry = this.ready.shift()!;
      void this.attempt(entry);
    }
    if (this.held.size === 0 && !this.backlogOnDisk) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Rows appended by another process (the CLI's replay) past the cursor while the drainer thought the disk empty. */
  private poll(): void {
    if (!this.running || this.backlogOnDisk) return;
    try {
      if (this.o.outbox.readAfter(this.cursor, 1).length === 0) return;
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'intake outbox: poll for replayed rows failed');
      return;
    }
    this.backlogOnDisk = true;
    this.pump();
  }

  private refill(): void {
    const room = Math.min(this.window - this.held.size, this.chunk);
    if (room <= 0) return;
    const rows = this.o.outbox.readAfter(this.cursor, room);
    for (const row of rows) {
      this.cursor = Math.max(this.cursor, row.id);
      if (this.held.has(row.id)) continue;
      const entry: Entry = { row, failures: row.attempts, waiters: [] };
      this.held.set(row.id, entry);
      this.ready.push(entry);
    }
    this.backlogOnDisk = rows.length === room;
  }

  private async attempt(entry: Entry): Promise<void> {
    entry.started = true;
    this.inFlight += 1;
    let result: IntakeResult;
    try {
      result = await this.o.handle(entry.row.event, entry.row.receivedAt);
    } catch (err) {
      this.o.log.error(
        { deliveryId: entry.row.id, err: firstLine(err) },
        'intake outbox: handling a delivery threw; retrying',
      );
      result = { status: 500, outcome: 'error', body: { error: 'internal_error', message: 'handling failed' } };
    } finally {
      this.inFlight -= 1;
    }
    if (result.deadLetter !== undefined) {
      this.bury(entry, result.deadLetter);
      this.pump();
      return;
    }
    const final = isFinal(result);
    this.o.onAttempt?.(result, final);
    if (final) {
      this.o.outbox.delete(entry.row.id);
      this.held.delete(entry.row.id);
      this.settleWaiters(entry, { kind: 'final', result });
      if (entry.failures > 0) this.retryNow();
    } else {
      entry.failures += 1;
      this.o.outbox.recordAttempt(entry.row.id);
      this.settleWaiters(entry, { kind: 'queued' });
      if (this.running) {
        const initial = this.o.retryInitialMs ?? 500;
        const max = this.o.retryMaxMs ?? 30_000;
        const backoff = Math.min(max, initial * 2 ** Math.min(entry.failures - 1, 20));
        const delay = backoff / 2 + Math.random() * (backoff / 2);
        if (entry.failures === 1 || entry.failures % 10 === 0) {
          this.o.log.warn(
            {
              deliveryId: entry.row.id,
              dealId: entry.row.event.meta.entity_id,
              outcome: result.outcome,
              failures: entry.failures,
              retryInMs: Math.round(delay),
            },
            'intake outbox: delivery not handled yet; will retry',
          );
        }
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          this.ready.push(entry);
          this.pump();
        }, delay);
        entry.timer.unref();
      }
    }
    this.pump();
  }

  /** Sets a deterministically refused row aside; its place in the window goes to the rows behind it. */
  private bury(entry: Entry, reason: string): void {
    const { row } = entry;
    this.o.outbox.deadLetter(row.id, reason);
    this.held.delete(row.id);
    if (entry.timer) clearTimeout(entry.timer);
    const result: IntakeResult = {
      status: 202,
      outcome: 'dead_lettered',
      body: { outcome: 'dead_lettered', deliveryId: String(row.id), reason },
    };
    this.o.onAttempt?.(result, true);
    this.o.onDeadLetter?.(row, reason);
    this.o.log.error(
      {
        deliveryId: row.id,
        dealId: row.event.meta.entity_id?.slice(0, 40),
        eventId: row.event.meta.id?.slice(0, 140),
        reason,
      },
      'intake outbox: Temporal refused a delivery deterministically; moved to dead letters (cli intake dead-letters)',
    );
    this.settleWaiters(entry, { kind: 'final', result });
  }

  /** A delivery that had failed went through: whatever was down is back, so the rows waiting for a retry go now. */
  private retryNow(): void {
    for (const e of this.held.values()) {
      if (!e.timer) continue;
      clearTimeout(e.timer);
      e.timer = undefined;
      this.ready.push(e);
    }
  }

  private settleWaiters(entry: Entry, first: FirstAttempt): void {
    const waiters = entry.waiters;
    entry.waiters = [];
    for (const w of waiters) w(first);
  }
}
