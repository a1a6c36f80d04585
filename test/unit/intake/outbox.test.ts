/**
 * The intake outbox and its drainer on a real SQLite file (no Temporal): what is written survives a crash and is
 * drained exactly once by the next process; 503-like outcomes are retried; and the route's admission control:
 * budget expiry answers 202 queued, a failed outbox write answers 503 JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { parseWebhookV2, type WebhookV2Event } from '../../../domain/webhook-v2';
import { parseConfig } from '../../../runtime/config';
import { createLogger } from '../../../runtime/logger';
import { freePort } from '../../../scripts/process-utils';
import { buildApp } from '../../../starters/http/app';
import { DRAINED_COUNTER, INTAKE_COUNTER, OUTBOX_DEPTH_GAUGE } from '../../../starters/intake/intake-metrics';
import type { IntakeLookups } from '../../../starters/intake/intake-facts';
import { IntakeOutbox, OUTBOX_FILE } from '../../../starters/intake/outbox';
import { OutboxDrainer } from '../../../starters/intake/outbox-drainer';
import type { IntakeResult } from '../../../starters/intake/webhook-intake';

const log = createLogger('outbox-test', 'silent');

function contractSigned(dealId: number, eventId = `evt-${dealId}`): WebhookV2Event {
  const parsed = parseWebhookV2({
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: String(dealId),
      id: eventId,
      company_id: '900',
      change_source: 'app',
      user_id: '2',
      version: '2.0',
    },
    data: { id: dealId, title: `Deal ${dealId}`, stage_id: 4, custom_fields: {} },
    previous: { stage_id: 3 },
  });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.event;
}

const accepted = (e: WebhookV2Event): IntakeResult => ({
  status: 202,
  outcome: 'accepted',
  body: { outcome: 'accepted', workflowId: `wf-${e.meta.entity_id}` },
});
const unavailable: IntakeResult = {
  status: 503,
  outcome: 'unavailable',
  body: { error: 'unavailable', message: 'retry later' },
};

describe('intake outbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'intake-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rows written before a crash are drained exactly once by the next process, oldest first', async () => {
    const path = join(dir, OUTBOX_FILE);
    const crashed = new IntakeOutbox(path);
    const rows = await Promise.all(
      [1, 2, 3].map((d) => crashed.append(contractSigned(d), new Date(Date.UTC(2026, 0, 1, 0, 0, d)))),
    );
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    // "Crash": the first process never drains nor closes; a second one opens the same file.
    const restarted = new IntakeOutbox(path);
    expect(restarted.stats()).toEqual({ depth: 3, oldestReceivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)) });
    const handled: string[] = [];
    const drainer = new OutboxDrainer({
      outbox: restarted,
      log,
      concurrency: 2,
      handle: async (e) => {
        handled.push(e.meta.id);
        return accepted(e);
      },
    });
    drainer.start();
    await drainer.whenIdle();
    await restarted.flush();
    expect(handled).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(restarted.stats()).toEqual({ depth: 0 });
    // A third start finds nothing left.
    const again = new OutboxDrainer({
      outbox: restarted,
      log,
      concurrency: 2,
      handle: async (e) => (handled.push(e.meta.id), accepted(e)),
    });
    again.start();
    await again.whenIdle();
    expect(handled).toHaveLength(3);
    await drainer.stop(100);
    await again.stop(100);
    await restarted.close();
    await crashed.close();
  });

  it('a 503-like outcome is retried with backoff until final; the first attempt answers queued', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    let calls = 0;
    const attempts: string[] = [];
    const drainer = new OutboxDrainer({
      outbox,
      log,
      concurrency: 4,
      retryInitialMs: 5,
      retryMaxMs: 20,
      handle: async (e) => (++calls <= 2 ? unavailable : accepted(e)),
      onAttempt: (r, final) => attempts.push(`${r.outcome}:${final}`),
    });
    drainer.start();
    const row = await outbox.append(contractSigned(7), new Date());
    expect(await drainer.submit(row)).toEqual({ kind: 'queued' });
    await drainer.whenIdle();
    await outbox.flush();
    expect(attempts).toEqual(['unavailable:false', 'unavailable:false', 'accepted:true']);
    expect(outbox.stats().depth).toBe(0);
    await drainer.stop(100);
    await outbox.close();
  });

  it('a delivery that fails until the stop stays on disk with its attempts counted, and the next start drains it', async () => {
    const path = join(dir, OUTBOX_FILE);
    const first = new IntakeOutbox(path);
    const down = new OutboxDrainer({
      outbox: first,
      log,
      concurrency: 1,
      retryInitialMs: 5,
      retryMaxMs: 5,
      handle: async () => unavailable,
    });
    down.start();
    const row = await first.append(contractSigned(8), new Date());
    await down.submit(row);
    await new Promise((r) => setTimeout(r, 50));
    await down.stop(500);
    await first.close();
    const second = new IntakeOutbox(path);
    const [left] = second.readAfter(0, 10);
    expect(left).toMatchObject({ id: row.id, event: { meta: { id: 'evt-8' } } });
    expect(left!.attempts).toBeGreaterThanOrEqual(2);
    const up = new OutboxDrainer({ outbox: second, log, concurrency: 1, handle: async (e) => accepted(e) });
    up.start();
    await up.whenIdle();
    await second.flush();
    expect(second.stats().depth).toBe(0);
    await up.stop(100);
    await second.close();
  });

  it('times every group commit for the commit histogram, and answers the gauges from the received_at index', async () => {
    const commits: Array<{ seconds: number; appends: number; deletes: number }> = [];
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE), { onCommit: (c) => commits.push(c) });
    const rows = await Promise.all([1, 2, 3].map((d) => outbox.append(contractSigned(d), new Date(1_000 * d))));
    outbox.delete(rows[0]!.id);
    await outbox.flush();
    expect(commits.reduce((n, c) => n + c.appends, 0)).toBe(3);
    expect(commits.reduce((n, c) => n + c.deletes, 0)).toBe(1);
    expect(commits.every((c) => c.seconds > 0 && c.seconds < 10)).toBe(true);
    expect(outbox.stats()).toEqual({ depth: 2, oldestReceivedAt: new Date(2_000) });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, OUTBOX_FILE), { readonly: true });
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) AS depth, MIN(received_at) AS oldest FROM intake_outbox')
      .all() as Array<{ detail: string }>;
    db.close();
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/COVERING INDEX intake_outbox_received_at/);
    await outbox.close();
  });

  it('fsyncs every commit unless INTAKE_OUTBOX_SYNC=normal asks it to leave the WAL to the OS', async () => {
    const full = new IntakeOutbox(join(dir, 'full.sqlite'));
    const normal = new IntakeOutbox(join(dir, 'normal.sqlite'), { synchronous: 'normal' });
    expect(await full.writerSettings()).toEqual({ synchronous: 2, journalMode: 'wal' });
    expect(await normal.writerSettings()).toEqual({ synchronous: 1, journalMode: 'wal' });
    await normal.append(contractSigned(1), new Date());
    expect(normal.stats().depth).toBe(1);
    await Promise.all([full.close(), normal.close()]);
    expect(parseConfig({}).intake.outboxSync).toBe('full');
    expect(parseConfig({ INTAKE_OUTBOX_SYNC: 'normal' }).intake.outboxSync).toBe('normal');
  });

  it('answers queued at once when every drain slot is busy, and still drains the row', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const drainer = new OutboxDrainer({ outbox, log, concurrency: 1, handle: async (e) => (await gate, accepted(e)) });
    drainer.start();
    const first = drainer.submit(await outbox.append(contractSigned(41), new Date()));
    const second = await drainer.submit(await outbox.append(contractSigned(42), new Date()));
    expect(second).toEqual({ kind: 'queued' });
    release();
    expect(await first).toMatchObject({ kind: 'final', result: { outcome: 'accepted' } });
    await drainer.whenIdle();
    await outbox.flush();
    expect(outbox.stats().depth).toBe(0);
    await drainer.stop(100);
    await outbox.close();
  });

  it('holds at most `window` rows in memory and reads the backlog from disk in order', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    for (let d = 1; d <= 25; d += 1) await outbox.append(contractSigned(d), new Date());
    const handled: number[] = [];
    let maxHeld = 0;
    const drainer: OutboxDrainer = new OutboxDrainer({
      outbox,
      log,
      concurrency: 3,
      window: 6,
      handle: async (e) => {
        maxHeld = Math.max(maxHeld, drainer.heldCount);
        handled.push(Number(e.meta.entity_id));
        await new Promise((r) => setTimeout(r, 1));
        return accepted(e);
      },
    });
    drainer.start();
    await drainer.whenIdle();
    expect(handled.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(maxHeld).toBeLessThanOrEqual(6);
    await drainer.stop(100);
    await outbox.close();
  });

  it('reads a backlog in small chunks just ahead of the drain, not a window at a time', async () => {
    const outbox = new IntakeOutbox(join(dir, OUTBOX_FILE));
    for (let d = 1; d <= 100; d += 1) await outbox.append(contractSigned(d), new Date());
    const reads: number[] = [];
    const counted = {
      readAfter: (after: number, limit: number) => (reads.push(limit), outbox.readAfter(after, limit)),
      delete: (id: number) => outbox.delete(id),
      recordAttempt: (id: number) => outbox.recordAttempt(id),
      deadLetter: (id: number, why: string) => outbox.deadLetter(id, why),
    };
    const handled: number[] = [];
    const drainer = new OutboxDrainer({
      outbox: counted,
      log,
      concurrency: 4,
      handle: async (e) => (handled.push(Number(e.meta.entity_id)), accepted(e)),
    });
    drainer.start();
    await drainer.whenIdle();
    expect(handled).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(Math.max(...reads)).toBe(16);
    expect(reads.length).toBeGreaterThanOrEqual(7);
    await drainer.stop(100);
    await outbox.close();
  });
});

describe('POST /webhooks/pipedrive admission control (no Temporal: its address answers nothing)', () => {
  let dir: string;
  let connection: Connection;
  const lookups: IntakeLookups = {
    getCurrentUserId: async () => '1',
    dealFieldKeys: async () => new Map(),
    findStageIdsByName: async () => ['4'],
  };
  const auth = `Basic ${Buffer.from('pipedrive-hook:hook-password-123').toString('base64')}`;

  beforeAll(async () => {
    connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  });
  afterAll(async () => {
    await connection.close().catch(() => undefined);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'intake-admission-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function appWith(
    budgetMs: number,
    registry: Registry,
    outbox?: IntakeOutbox,
  ): Promise<{ app: FastifyInstance; url: string }> {
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: dir,
      INTAKE_ACK_BUDGET_MS: String(budgetMs),
      PIPEDRIVE_API_URL: 'http://127.0.0.1:1',
      PIPEDRIVE_API_TOKEN: 'token-not-used',
      PIPEDRIVE_COMPANY_DOMAIN: 'acme',
      PIPEDRIVE_WEBHOOK_USER: 'pipedrive-hook',
      PIPEDRIVE_WEBHOOK_PASSWORD: 'hook-password-123',
    });
    const client = new Client({ connection, namespace: 'default' });
    // Each Temporal call gives up after 1 s, inside the app's 2 s stop grace: nothing is left retrying on a closed connection.
    const app = buildApp({
      config,
      log,
      connection,
      client,
      registry,
      webhookIntake: { pipedrive: lookups, temporalTimeoutMs: 1_000, outbox },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    return {
      app,
      url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks/pipedrive`,
    };
  }

  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(body),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));

  const metric = async (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> => {
    const m = await registry.getSingleMetric(name)?.get();
    return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  };

  it('budget expiry answers 202 queued with the delivery id; the row stays on disk after the stop', async () => {
    const registry = new Registry();
    const { app, url } = await appWith(50, registry);
    try {
      const res = await post(url, contractSigned(31));
      expect(res).toEqual({ status: 202, body: { outcome: 'queued', deliveryId: '1' } });
      expect(await metric(registry, INTAKE_COUNTER, { outcome: 'queued' })).toBe(1);
      expect(await metric(registry, OUTBOX_DEPTH_GAUGE)).toBe(1);
      // Answered without the outbox: a person event is ignored at once.
      const person = await post(url, { ...contractSigned(32), meta: { ...contractSigned(32).meta, entity: 'person' } });
      expect(person).toMatchObject({ status: 200, body: { outcome: 'ignored' } });
    } finally {
      await app.close();
    }
    const reopened = new IntakeOutbox(join(dir, OUTBOX_FILE));
    expect(reopened.readAfter(0, 10).map((r) => r.event.meta.id)).toEqual(['evt-31']);
    await reopened.close();
  });

  it('a failed outbox write answers 503 JSON and counts the delivery unavailable', async () => {
    const registry = new Registry();
    const failing = new IntakeOutbox(join(dir, 'failing.sqlite'));
    failing.append = () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    const { app, url } = await appWith(50, registry, failing);
    try {
      const res = await post(url, contractSigned(33));
      expect(res).toEqual({ status: 503, body: { error: 'unavailable', message: expect.stringContaining('retry') } });
      expect(await metric(registry, INTAKE_COUNTER, { outcome: 'unavailable' })).toBe(1);
      expect(await metric(registry, DRAINED_COUNTER)).toBe(0);
    } finally {
      await app.close();
    }
  });
});
