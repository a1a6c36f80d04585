/**
 * Poison deliveries against the run's real Temporal dev server: rows an app from before the parse-time id bound
 * wrote to its outbox (deal ids thousands of digits long) are refused by Temporal deterministically (INVALID_ARGUMENT,
 * the PipedriveDealId search attribute over its size limit) and land in the dead letters, while the valid rows
 * queued behind them start their workflows. The outbox file is of the old schema (no dead-letter table), as an
 * existing `.data/` would be. A new delivery with such an id is answered 400 with the reason. No worker runs.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { CONTRACT_SIGNED_STAGE } from '../../domain/pipedrive-fields';
import { deriveExternalId } from '../../domain/external-id';
import { PipedriveClient } from '../../integrations/pipedrive';
import { parseConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { buildApp } from '../../starters/http/app';
import { runIntakeCommand } from '../../starters/cli/intake-command';
import { DEAD_LETTERED_COUNTER, DEAD_LETTERS_GAUGE, INTAKE_COUNTER } from '../../starters/intake/intake-metrics';
import { OUTBOX_FILE } from '../../starters/intake/outbox';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { runOpsCli } from '../helpers/ops-cli-process';
import { waitUntil } from '../helpers/wait-until';

describe('intake dead letters on a real Temporal', () => {
  let t: TestTemporal;
  let sim: RunningPipedriveSimulator;
  let app: FastifyInstance | undefined;
  let dataDir: string;
  const taskQueue = uniqueTaskQueue('intake-dead-letters');
  const registry = new Registry();
  const started: string[] = [];

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startPipedriveSimulator();
    dataDir = mkdtempSync(join(tmpdir(), 'intake-dead-letters-'));
  });

  afterAll(async () => {
    for (const id of started)
      await t.client.workflow
        .getHandle(id)
        .terminate('dead-letter test done')
        .catch(() => undefined);
    await app?.close();
    await sim?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const m = await registry.getSingleMetric(name)?.get();
    return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  };

  it('refused rows move to dead letters while the rows behind them start; a new poison id is answered 400', async () => {
    const pipedrive = new PipedriveClient({ apiUrl: sim.url, apiToken: sim.stackEntry.apiToken });
    const [stage] = await pipedrive.findStageIdsByName(CONTRACT_SIGNED_STAGE);
    const companyId = '7340001';
    const delivery = (dealId: string, eventId: string) => ({
      meta: {
        action: 'change',
        entity: 'deal',
        entity_id: dealId,
        id: eventId,
        company_id: companyId,
        change_source: 'app',
        user_id: '99',
        version: '2.0',
      },
      data: { id: dealId, title: `Deal ${eventId}`, stage_id: stage, custom_fields: {} },
      previous: { stage_id: '1' },
    });

    // The outbox an earlier version left: its schema only, 4 poison rows first, then 3 valid ones.
    const path = join(dataDir, OUTBOX_FILE);
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(`CREATE TABLE intake_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX intake_outbox_received_at ON intake_outbox (received_at)`);
    const insert = old.prepare('INSERT INTO intake_outbox (received_at, event) VALUES (?, ?)');
    for (let i = 0; i < 4; i += 1)
      insert.run(Date.now(), JSON.stringify(delivery(`${'9'.repeat(4000)}${i}`, `evt-poison-${i}`)));
    const valid = [`${Date.now() % 1_000_000}1`, `${Date.now() % 1_000_000}2`, `${Date.now() % 1_000_000}3`];
    for (const id of valid) insert.run(Date.now(), JSON.stringify(delivery(id, `evt-${id}`)));
    old.close();
    const validIds = valid.map((dealId) => deriveExternalId({ companyId, dealId }));
    started.push(...validIds);

    app = buildApp({
      config: parseConfig({
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: t.address,
        TEMPORAL_NAMESPACE: t.namespace,
        PIPEDRIVE_API_URL: sim.url,
        PIPEDRIVE_API_TOKEN: sim.stackEntry.apiToken,
        PIPEDRIVE_COMPANY_DOMAIN: sim.stackEntry.companyDomain,
        PIPEDRIVE_WEBHOOK_USER: sim.stackEntry.webhookUser,
        PIPEDRIVE_WEBHOOK_PASSWORD: sim.stackEntry.webhookPassword,
      }),
      log: createLogger('intake-dead-letters-test', 'silent'),
      connection: t.connection,
      client: t.client,
      registry,
      webhookIntake: { pipedrive, taskQueue, drainRetryMaxMs: 500 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });

    await waitUntil('four dead letters', async () => ((await metric(DEAD_LETTERED_COUNTER)) === 4 ? true : undefined), {
      timeoutMs: 30_000,
    });
    for (const id of validIds) {
      const d = await waitUntil(
        `workflow ${id}`,
        () =>
          t.client.workflow
            .getHandle(id)
            .describe()
            .catch(() => undefined),
        { timeoutMs: 30_000 },
      );
      expect(d).toMatchObject({ type: 'onboardDeal', taskQueue, status: { name: 'RUNNING' } });
    }
    const letters = runIntakeCommand(dataDir, 'dead-letters', undefined);
    expect(letters).toHaveLength(4);
    for (const l of letters as Array<{ reason: string; dealId: string }>) {
      expect(l.reason).toMatch(/^Temporal refused the start: INVALID_ARGUMENT: /);
      expect(l.dealId).toMatch(/^9{40}… \(4001 chars\)$/);
    }
    expect(await metric(DEAD_LETTERS_GAUGE)).toBe(4);
    expect(await metric('onboarding_intake_outbox_depth')).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);

    const port = (app.server.address() as { port: number }).port;
    const auth = `Basic ${Buffer.from(`${sim.stackEntry.webhookUser}:${sim.stackEntry.webhookPassword}`).toString('base64')}`;
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/pipedrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(delivery('1'.repeat(33), 'evt-new-poison')),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_payload',
      message: expect.any(String),
      issues: [
        'meta.entity_id: a Pipedrive id is digits only, at most 32 of them',
        'data.id: a Pipedrive id is digits only, at most 32 of them',
      ],
    });
    expect(await metric(INTAKE_COUNTER, { outcome: 'refused_400' })).toBe(1);

    // The operator's view, through `npm run cli` exactly as run on the app's host (DATA_DIR names the outbox).
    const before = process.env.DATA_DIR;
    process.env.DATA_DIR = dataDir;
    try {
      const listed = await runOpsCli(t, 'intake', 'dead-letters', '--json');
      expect(listed.code).toBe(0);
      const lines = JSON.parse(listed.stdout) as Array<{ id: number; dealId: string; reason: string }>;
      expect(lines.map((l) => l.id)).toEqual([4, 3, 2, 1]);
      expect(listed.stdout).not.toContain('Deal evt-');
      const text = await runOpsCli(t, 'intake', 'dead-letters');
      expect(text.stdout).toMatch(
        /^4 dead letter\(s\), newest first \(replay one with: npm run cli -- intake replay <id>\)/,
      );
      const replay = await runOpsCli(t, 'intake', 'replay', '1');
      expect(replay.code).toBe(1);
      expect(replay.stderr).toContain(
        'dead letter 1 is not a valid delivery today and cannot start anything: meta.entity_id: a Pipedrive id is digits only',
      );
      expect((await runOpsCli(t, 'intake', 'replay', '99')).stderr).toContain('no dead letter with id 99');
    } finally {
      if (before === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = before;
    }
  });
});
