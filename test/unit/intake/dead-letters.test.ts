/**
 * Poison deliveries on a real outbox file (no Temporal: the refusal is the intake's result, as webhook-intake.ts
 * builds it from a gRPC INVALID_ARGUMENT): a deterministic refusal moves the row to the dead letters in the same
 * transaction as its removal, so a window full of them never holds up the rows behind; an outbox written before
 * the dead-letter table existed is migrated in place; `intake replay` puts a row back and a running drainer takes it.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { status } from '@grpc/grpc-js';
import { parseWebhookV2, type WebhookV2Event } from '../../../domain/webhook-v2';
import { createLogger } from '../../../runtime/logger';
import { formatDeadLetters, runIntakeCommand } from '../../../starters/cli/intake-command';
import { IntakeOutbox, OUTBOX_FILE, openOutboxFile, replayDeadLetter } from '../../../starters/intake/outbox';
import { OutboxDrainer } from '../../../starters/intake/outbox-drainer';
import { deterministicRefusal, isTemporalUnavailable } from '../../../starters/intake/temporal-availability';
import type { IntakeResult } from '../../../starters/intake/webhook-intake';

const log = createLogger('dead-letters-test', 'silent');

function delivery(dealId: string, eventId = `evt-${dealId.slice(0, 20)}`): WebhookV2Event {
  const parsed = parseWebhookV2({
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: '1',
      id: eventId,
      company_id: '900',
      change_source: 'app',
      user_id: '2',
    },
    data: { id: 1, stage_id: 4 },
    previous: { stage_id: 3 },
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  // Written as an app from before the parse-time id bound would have: the poison id goes in after parsing.
  return {
    ...parsed.event,
    meta: { ...parsed.event.meta, entity_id: dealId },
    data: { ...parsed.event.data, id: dealId },
  };
}

const POISON = '9'.repeat(3000);
const accepted: IntakeResult = { status: 202, outcome: 'accepted', body: { outcome: 'accepted' } };
const refused: IntakeResult = {
  status: 500,
  outcome: 'error',
  body: { error: 'internal_error', message: 'Temporal refused the start' },
  deadLetter: 'Temporal refused the start: INVALID_ARGUMENT: search attribute value too long',
};

describe('intake dead letters', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'intake-dead-letters-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a window full of deterministic refusals does not hold up the rows behind them', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    for (let i = 0; i < 12; i += 1) await outbox.append(delivery(`${POISON}${i}`), new Date());
    for (let i = 0; i < 5; i += 1) await outbox.append(delivery(String(100 + i)), new Date());
    const handled: string[] = [];
    const buried: number[] = [];
    const drainer = new OutboxDrainer({
      outbox,
      log,
      concurrency: 2,
      window: 4,
      retryInitialMs: 5,
      retryMaxMs: 20,
      handle: async (e) => {
        if (e.meta.entity_id.length > 32) return refused;
        handled.push(e.meta.entity_id);
        return accepted;
      },
      onDeadLetter: (row) => buried.push(row.id),
    });
    drainer.start();
    await Promise.race([
      drainer.whenIdle(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('drain blocked by poison rows')), 5_000)),
    ]);
    await outbox.flush();
    expect(handled).toEqual(['100', '101', '102', '103', '104']);
    expect(buried).toHaveLength(12);
    expect(outbox.stats()).toEqual({ depth: 0 });
    expect(outbox.deadLetterStats().count).toBe(12);
    const letters = outbox.listDeadLetters();
    expect(letters[0]).toMatchObject({ id: 12, attempts: 1, reason: refused.deadLetter });
    expect(letters[0]!.event.meta.entity_id).toBe(`${POISON}11`);
    await drainer.stop(100);
    await outbox.close();
  });

  it('the first attempt of a refused delivery answers 202 dead_lettered with its id, not a retry', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    const drainer = new OutboxDrainer({ outbox, log, concurrency: 1, handle: async () => refused });
    drainer.start();
    const row = await outbox.append(delivery(POISON), new Date());
    const first = await drainer.submit(row);
    expect(first).toEqual({
      kind: 'final',
      result: {
        status: 202,
        outcome: 'dead_lettered',
        body: { outcome: 'dead_lettered', deliveryId: String(row.id), reason: refused.deadLetter },
      },
    });
    await drainer.stop(100);
    await outbox.close();
  });

  it('an outbox written before dead letters existed is migrated in place, its pending rows kept', async () => {
    const path = join(dir, OUTBOX_FILE);
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(`CREATE TABLE intake_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX intake_outbox_received_at ON intake_outbox (received_at)`);
    old
      .prepare('INSERT INTO intake_outbox (received_at, event, attempts) VALUES (?, ?, 7)')
      .run(Date.UTC(2026, 0, 1), JSON.stringify(delivery(POISON)));
    old.close();

    const outbox = new IntakeOutbox(path);
    expect(outbox.stats().depth).toBe(1);
    const drainer = new OutboxDrainer({ outbox, log, concurrency: 1, handle: async () => refused });
    drainer.start();
    await drainer.whenIdle();
    await outbox.flush();
    expect(outbox.listDeadLetters()).toEqual([
      expect.objectContaining({ id: 1, attempts: 8, receivedAt: new Date(Date.UTC(2026, 0, 1)) }),
    ]);
    await drainer.stop(100);
    await outbox.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    check.close();
  });

  it('`intake replay` puts a dead letter back and a running, idle drainer takes it; the CLI lists ids, never deal data', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    const valid = delivery('4242');
    let refuse = true;
    const handled: string[] = [];
    const drainer = new OutboxDrainer({
      outbox,
      log,
      concurrency: 1,
      pollMs: 50,
      handle: async (e) => {
        if (refuse) return refused;
        handled.push(e.meta.entity_id);
        return accepted;
      },
    });
    drainer.start();
    const row = await outbox.append({ ...valid, data: { ...valid.data, title: 'Secret Customer GmbH' } }, new Date());
    expect((await drainer.submit(row)).kind).toBe('final');
    await outbox.flush();

    const listed = runIntakeCommand(dir, 'dead-letters', undefined);
    expect(listed).toEqual([expect.objectContaining({ id: row.id, dealId: '4242', reason: refused.deadLetter })]);
    expect(JSON.stringify(listed) + formatDeadLetters(listed as never)).not.toContain('Secret Customer');

    // Temporal's limit was the problem and has been raised: the operator replays from another process.
    refuse = false;
    expect(runIntakeCommand(dir, 'replay', String(row.id))).toEqual({ replayed: row.id, outboxRowId: row.id + 1 });
    const deadline = Date.now() + 3_000;
    while (handled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(handled).toEqual(['4242']);
    // A later delivery of this process is taken at once, after the replayed row.
    const later = await outbox.append(delivery('4343'), new Date());
    expect(await drainer.submit(later)).toMatchObject({ kind: 'final', result: { outcome: 'accepted' } });
    expect(runIntakeCommand(dir, 'dead-letters', undefined)).toEqual([]);
    expect(() => runIntakeCommand(dir, 'replay', String(row.id))).toThrow(/no dead letter with id/);
    await drainer.stop(100);
    await outbox.close();
  });

  it("replay refuses a dead letter today's webhook parser would refuse (it could never start)", async () => {
    const path = join(dir, OUTBOX_FILE);
    const outbox = new IntakeOutbox(path);
    const drainer = new OutboxDrainer({ outbox, log, concurrency: 1, handle: async () => refused });
    drainer.start();
    const row = await outbox.append(delivery(POISON), new Date());
    await drainer.submit(row);
    await drainer.stop(100);
    await outbox.close();
    expect(() => runIntakeCommand(dir, 'replay', String(row.id))).toThrow(
      /meta\.entity_id: a Pipedrive id is digits only/,
    );
    const db = openOutboxFile(path);
    expect(replayDeadLetter(db, 999)).toBeUndefined();
    db.close();
  });

  it('only INVALID_ARGUMENT-like gRPC statuses are deterministic; outages and configuration errors are retried', () => {
    const grpc = (code: number, details: string) =>
      Object.assign(new Error(`${code} X: ${details}`), { code, details });
    const wrapped = (code: number, details: string) =>
      Object.assign(new Error('ServiceError'), { cause: grpc(code, details) });
    expect(deterministicRefusal(grpc(status.INVALID_ARGUMENT, 'WorkflowId length exceeds limit.\nmore'))).toBe(
      'INVALID_ARGUMENT: WorkflowId length exceeds limit.',
    );
    expect(deterministicRefusal(wrapped(status.INVALID_ARGUMENT, 'search attribute too long'))).toBe(
      'INVALID_ARGUMENT: search attribute too long',
    );
    for (const code of [
      status.UNAVAILABLE,
      status.DEADLINE_EXCEEDED,
      status.RESOURCE_EXHAUSTED,
      status.NOT_FOUND,
      status.PERMISSION_DENIED,
      status.INTERNAL,
      status.UNKNOWN,
    ]) {
      expect(deterministicRefusal(wrapped(code, 'x'))).toBeUndefined();
    }
    expect(isTemporalUnavailable(wrapped(status.UNAVAILABLE, 'x'))).toBe(true);
    expect(deterministicRefusal(new Error('plain'))).toBeUndefined();
  });

  it('the outbox file and its directory are owner-only, also when an earlier version left them open', async () => {
    const data = join(dir, 'data');
    const path = join(data, OUTBOX_FILE);
    const first = new IntakeOutbox(path);
    await first.append(delivery('1'), new Date());
    await first.close();
    const { chmodSync } = await import('node:fs');
    chmodSync(data, 0o755);
    chmodSync(path, 0o644);
    const outbox = new IntakeOutbox(path);
    await outbox.append(delivery('2'), new Date());
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(f).mode & 0o777).toBe(0o600);
    await outbox.close();
  });
});
