/**
 * The Pipedrive webhook intake end to end: the real Pipedrive simulator delivers to a real app (buildApp on a free
 * port) that starts workflows on the run's real Temporal dev server. No worker runs: the test is about what the
 * intake makes Temporal durably record (one run per deal, signals), not about the workflow. The apps here wait up to
 * 30 s for each delivery's real outcome (INTAKE_ACK_BUDGET_MS), so answers are the intake's own, not "queued"; each
 * app has its own outbox (DATA_DIR).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client, Connection } from '@temporalio/client';
import { Registry } from 'prom-client';
import { startPipedriveSimulator, type RunningPipedriveSimulator, type WebhookBody } from '../../sandbox/pipedrive';
import { DEAL_FIELDS } from '../../domain/pipedrive-fields';
import { deriveExternalId } from '../../domain/external-id';
import { PipedriveClient } from '../../integrations/pipedrive';
import { parseConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { freePort } from '../../scripts/process-utils';
import { buildApp } from '../../starters/http/app';
import { registerPipedriveWebhook } from '../../starters/intake/webhook-registration';
import type { AppContext } from '../../starters/http/app-context';
import { DRAINED_COUNTER, INTAKE_COUNTER, OUTBOX_DEPTH_GAUGE } from '../../starters/intake/intake-metrics';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { createSyntheticDeal, simCall } from '../integrations/pipedrive/sim-admin';
import { startWebhookReceiver } from '../sandbox/pipedrive/webhook-receiver';

const BODY_LIMIT = 4096;

describe('POST /webhooks/pipedrive', () => {
  let t: TestTemporal;
  let sim: RunningPipedriveSimulator;
  let pipedrive: PipedriveClient;
  let registry: Registry;
  let app: FastifyInstance;
  let appUrl: string;
  let auth: string;
  const taskQueue = uniqueTaskQueue('webhook-intake');
  const startedIds = new Set<string>();
  const dataDirs: string[] = [];
  const freshDataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-intake-'));
    dataDirs.push(dir);
    return dir;
  };

  const contextFor = (
    connection: Connection,
    client: TestTemporal['client'],
    reg: Registry,
    temporalTimeoutMs?: number,
  ): AppContext => ({
    config: parseConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: freshDataDir(),
      INTAKE_ACK_BUDGET_MS: '30000',
      TEMPORAL_ADDRESS: t.address,
      TEMPORAL_NAMESPACE: t.namespace,
      WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      PIPEDRIVE_API_URL: sim.url,
      PIPEDRIVE_API_TOKEN: sim.stackEntry.apiToken,
      PIPEDRIVE_COMPANY_DOMAIN: sim.stackEntry.companyDomain,
      PIPEDRIVE_WEBHOOK_USER: sim.stackEntry.webhookUser,
      PIPEDRIVE_WEBHOOK_PASSWORD: sim.stackEntry.webhookPassword,
    }),
    log: createLogger('webhook-intake-test', 'silent'),
    connection,
    client,
    registry: reg,
    webhookIntake: { pipedrive, taskQueue, temporalTimeoutMs, drainRetryMaxMs: 1_000 },
  });

  const metricOf = async (reg: Registry, name: string, labels: Record<string, string> = {}): Promise<number> => {
    const metric = await reg.getSingleMetric(name)?.get();
    return metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  };

  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const portOf = (server: FastifyInstance): number => {
    const address = server.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  };

  const counted = async (outcome: string): Promise<number> => {
    const metric = await registry.getSingleMetric(INTAKE_COUNTER)?.get();
    return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  };

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${appUrl}/webhooks/pipedrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> }));

  /** The exact body the simulator delivers when a person moves `dealId` to Contract Signed, captured by a plain receiver. */
  async function captureContractSignedMove(dealId: number): Promise<WebhookBody> {
    const receiver = await startWebhookReceiver();
    const hook = await simCall<{ id: number }>(sim.url, 'POST', `/v1/webhooks?api_token=${sim.stackEntry.apiToken}`, {
      subscription_url: receiver.url,
      event_action: 'change',
      event_object: 'deal',
    });
    try {
      await simCall(sim.url, 'POST', `/__sim/deals/${dealId}/move`, { stage_name: 'Contract Signed' });
      await receiver.waitFor((r) => r.some((d) => d.body.meta.entity_id === String(dealId)));
      return receiver.received.find((d) => d.body.meta.entity_id === String(dealId))!.body;
    } finally {
      await simCall(sim.url, 'DELETE', `/v1/webhooks/${hook.id}?api_token=${sim.stackEntry.apiToken}`);
      await receiver.close();
    }
  }

  /** Waits until the simulator logged a finished delivery of a deal's event matching `pred`, and returns it. */
  async function delivered(dealId: number, pred: (body: WebhookBody) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = await simCall<
        Array<{ outcome: string; http_status: number | null; body: WebhookBody; webhook_id: number }>
      >(sim.url, 'GET', `/__sim/deliveries?entity_id=${dealId}&entity=deal`);
      const found = records.find((r) => r.outcome !== 'dropped_banned' && pred(r.body));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no delivery for deal ${dealId} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const runsOf = async (workflowId: string): Promise<string[]> => {
    const runs: string[] = [];
    for await (const wf of t.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf.runId);
    return runs;
  };

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startPipedriveSimulator();
    pipedrive = new PipedriveClient({ apiUrl: sim.url, apiToken: sim.stackEntry.apiToken });
    registry = new Registry();
    app = buildApp(contextFor(t.connection, t.client, registry));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    auth = `Basic ${Buffer.from(`${sim.stackEntry.webhookUser}:${sim.stackEntry.webhookPassword}`).toString('base64')}`;
  });

  afterAll(async () => {
    for (const id of startedIds)
      await t.client.workflow
        .getHandle(id)
        .terminate('webhook intake test done')
        .catch(() => undefined);
    await app?.close();
    await sim?.close();
    await t?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('refusals are JSON that say why', () => {
    const valid = {
      meta: {
        action: 'change',
        entity: 'person',
        entity_id: '1',
        id: 'evt-refusal',
        company_id: '7340001',
        version: '2.0',
      },
      data: { id: 1 },
      previous: { name: 'x' },
    };

    it('401 with WWW-Authenticate for missing, wrong or malformed credentials', async () => {
      const before = await counted('refused_401');
      const wrongPassword = `Basic ${Buffer.from(`${sim.stackEntry.webhookUser}:not-the-password`).toString('base64')}`;
      const wrongUser = `Basic ${Buffer.from(`someone:${sim.stackEntry.webhookPassword}`).toString('base64')}`;
      for (const authorization of ['', wrongPassword, wrongUser, 'Basic %%%', 'Bearer abc']) {
        const res = await post(valid, { authorization });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
      }
      expect(await counted('refused_401')).toBe(before + 5);
    });

    it('415 for a body that is not JSON, even when it would parse', async () => {
      const res = await post('payload=1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({
        error: 'unsupported_media_type',
        message: expect.stringContaining('application/json'),
      });
      const none = await fetch(`${appUrl}/webhooks/pipedrive`, {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify(valid),
      });
      expect(none.status).toBe(415);
      expect(await counted('refused_415')).toBe(2);
    });

    it('413 when the body exceeds the configured limit', async () => {
      const res = await post({ ...valid, padding: 'x'.repeat(BODY_LIMIT * 2) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        error: 'payload_too_large',
        message: expect.stringContaining(String(BODY_LIMIT)),
        limitBytes: BODY_LIMIT,
      });
      expect(await counted('refused_413')).toBe(1);
    });

    it('400 for invalid JSON and for JSON that is not a webhook v2 payload, listing the issues', async () => {
      const broken = await post('{"meta": ');
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({
        error: 'invalid_json',
        message: expect.any(String),
        issues: [expect.any(String)],
      });
      const notV2 = await post({ meta: { action: 'change', entity: 'deal' }, data: {} });
      expect(notV2.status).toBe(400);
      expect(notV2.body.error).toBe('invalid_payload');
      expect(notV2.body.issues).toEqual(
        expect.arrayContaining([expect.stringMatching(/^meta\.id: /), expect.stringMatching(/^meta\.company_id: /)]),
      );
      expect(await counted('refused_400')).toBe(2);
    });

    it('non-deal events and deletes are acknowledged and ignored', async () => {
      const person = await post(valid);
      expect(person).toMatchObject({
        status: 200,
        body: { outcome: 'ignored', reason: expect.stringContaining('person') },
      });
      const deleted = await post({ ...valid, meta: { ...valid.meta, entity: 'deal', action: 'delete' }, data: null });
      expect(deleted).toMatchObject({ status: 200, body: { outcome: 'ignored' } });
    });
  });

  it('five concurrent copies of one real Contract Signed delivery start one workflow: 1 accepted + 4 duplicate', async () => {
    const { dealId } = await createSyntheticDeal(sim.url, { country: 'NL' });
    const body = await captureContractSignedMove(dealId);
    const externalId = deriveExternalId({ companyId: String(body.meta.company_id), dealId });
    startedIds.add(externalId);
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const outcomes = answers.map((a) => a.body.outcome).sort();
    expect(outcomes).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    for (const a of answers) expect(a.body).toMatchObject({ externalId, workflowId: externalId });
    expect(await runsOf(externalId)).toHaveLength(1);
    const description = await t.client.workflow.getHandle(externalId).describe();
    expect(description.memo).toEqual({ dealTitle: expect.stringContaining('Vandelay') });
  });

  describe('through the simulator, with the webhook registered by ensureWebhook', () => {
    let dealId: number;
    let externalId: string;

    beforeAll(async () => {
      await pipedrive.ensureWebhook({
        subscriptionUrl: `${appUrl}/webhooks/pipedrive`,
        user: sim.stackEntry.webhookUser,
        password: sim.stackEntry.webhookPassword,
      });
      dealId = (await createSyntheticDeal(sim.url, { country: 'GB' })).dealId;
      // Each sandbox is its own company: the external id is derived from its company id.
      const me = (await (
        await fetch(`${sim.url}/v1/users/me`, { headers: { 'x-api-token': sim.stackEntry.apiToken } })
      ).json()) as { data: { company_id: number } };
      externalId = deriveExternalId({ companyId: String(me.data.company_id), dealId });
      startedIds.add(externalId);
    });

    it('a person moving the deal to Contract Signed starts exactly one workflow with ID = external_id', async () => {
      await simCall(sim.url, 'POST', `/__sim/deals/${dealId}/move`, { stage_name: 'Contract Signed' });
      const record = await delivered(
        dealId,
        (b) => (b.previous as { stage_id?: unknown } | null)?.stage_id !== undefined,
      );
      expect(record).toMatchObject({ outcome: 'delivered', http_status: 202 });
      const runs = await runsOf(externalId);
      expect(runs).toHaveLength(1);
      const description = await t.client.workflow.getHandle(externalId).describe();
      expect(description).toMatchObject({
        workflowId: externalId,
        type: 'onboardDeal',
        taskQueue,
        status: { name: 'RUNNING' },
      });
    });

    it('our own setDealFields write-back comes back and is loop-dropped', async () => {
      const before = await counted('loop_dropped');
      expect(
        await pipedrive.setDealFields(dealId, {
          [DEAL_FIELDS.externalId]: externalId,
          [DEAL_FIELDS.onboardingStatus]: 'RECEIVED',
        }),
      ).toMatchObject({ written: true });
      const record = await delivered(dealId, (b) => b.meta.change_source === 'api');
      expect(record).toMatchObject({ outcome: 'delivered', http_status: 200 });
      expect(await counted('loop_dropped')).toBe(before + 1);
      expect(await runsOf(externalId)).toHaveLength(1);
    });

    it('a later human edit of the deal signals the running workflow (found by the External ID now on the deal)', async () => {
      await simCall(sim.url, 'PATCH', `/__sim/deals/${dealId}`, { title: 'Renamed by sales', value: 30000 });
      const record = await delivered(dealId, (b) => (b.previous as { title?: unknown } | null)?.title !== undefined);
      expect(record).toMatchObject({ outcome: 'delivered', http_status: 202 });
      const history = await t.client.workflow.getHandle(externalId).fetchHistory();
      const signals = (history.events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'dealUpdated',
      );
      expect(signals).toHaveLength(1);
      expect(await counted('signalled')).toBe(1);
    });

    it('an edit of a deal with no onboarding run is acknowledged and ignored', async () => {
      const other = (await createSyntheticDeal(sim.url, { country: 'AU' })).dealId;
      const before = await counted('ignored');
      await simCall(sim.url, 'PATCH', `/__sim/deals/${other}`, { title: 'Still negotiating' });
      const record = await delivered(other, (b) => b.meta.action === 'change');
      expect(record).toMatchObject({ outcome: 'delivered', http_status: 200 });
      expect(await counted('ignored')).toBe(before + 1);
    });

    it('exposes the intake counter and ack histogram on the registry /metrics serves', async () => {
      // /metrics is on the internal listener (ops/http/ops-app.ts), which shares this registry.
      const text = await registry.metrics();
      expect(text).toContain('onboarding_webhook_intake_total{outcome="accepted"}');
      expect(text).toMatch(/onboarding_webhook_ack_seconds_count \d+/);
    });
  });

  it('answers 202 queued when the Pipedrive lookups the decision needs fail, and keeps the delivery for a retry', async () => {
    const { dealId } = await createSyntheticDeal(sim.url, { country: 'US' });
    const body = await captureContractSignedMove(dealId);
    startedIds.add(deriveExternalId({ companyId: String(body.meta.company_id), dealId }));
    const blindRegistry = new Registry();
    const ctx = contextFor(t.connection, t.client, blindRegistry);
    const blind = buildApp({
      ...ctx,
      webhookIntake: {
        ...ctx.webhookIntake,
        pipedrive: new PipedriveClient({ apiUrl: 'http://127.0.0.1:1', apiToken: 'x', timeoutMs: 500 }),
      },
    });
    try {
      await blind.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`http://127.0.0.1:${portOf(blind)}/webhooks/pipedrive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ outcome: 'queued', deliveryId: expect.any(String) });
      expect(
        await metricOf(blindRegistry, DRAINED_COUNTER, { outcome: 'unavailable', final: 'false' }),
      ).toBeGreaterThanOrEqual(1);
      expect(await metricOf(blindRegistry, OUTBOX_DEPTH_GAUGE)).toBe(1);
    } finally {
      await blind.close();
    }
  });

  it('webhook registration on app start logs a failure instead of crashing', async () => {
    const config = contextFor(t.connection, t.client, new Registry()).config;
    const unreachable = new PipedriveClient({ apiUrl: 'http://127.0.0.1:1', apiToken: 'x', timeoutMs: 500 });
    const errors: unknown[] = [];
    const log = {
      ...createLogger('registration-test', 'silent'),
      error: (...args: unknown[]) => errors.push(args),
      info: () => undefined,
      warn: () => undefined,
    };
    await expect(
      registerPipedriveWebhook(unreachable, config.pipedrive!, 'http://127.0.0.1:3000', log as never),
    ).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    const id = await registerPipedriveWebhook(
      pipedrive,
      config.pipedrive!,
      appUrl,
      createLogger('registration-test', 'silent'),
    );
    expect(id).toBeDefined();
    const hooks = (await simCall<Array<{ subscription_url: string }>>(sim.url, 'GET', '/__sim/webhooks')).filter(
      (w) => w.subscription_url === `${appUrl}/webhooks/pipedrive`,
    );
    expect(hooks).toHaveLength(1);
  });

  it('answers a durable 202 queued while Temporal is unreachable, and starts the onboarding once Temporal is back', async () => {
    const { dealId } = await createSyntheticDeal(sim.url, { country: 'CA' });
    const captured = await captureContractSignedMove(dealId);
    // The healthy app's webhook saw that move too: clean its run up with the others.
    startedIds.add(deriveExternalId({ companyId: String(captured.meta.company_id), dealId }));
    // The same delivery for a deal id no other app has seen, so the run this app starts is its own.
    const ownDealId = dealId + 7_000_000;
    const body = {
      ...captured,
      meta: { ...captured.meta, entity_id: String(ownDealId) },
      data: { ...(captured.data as object), id: ownDealId },
    };
    const externalId = deriveExternalId({ companyId: String(captured.meta.company_id), dealId: ownDealId });
    startedIds.add(externalId);

    // "Temporal" for this app is a TCP relay to the real server that does not listen yet.
    const relayPort = await freePort();
    const sockets = new Set<Socket>();
    const relay: Server = createServer((inbound) => {
      const [host, port] = t.address.split(':');
      const outbound = connect(Number(port), host);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    const laterConnection = Connection.lazy({ address: `127.0.0.1:${relayPort}` });
    const downRegistry = new Registry();
    const down = buildApp(
      contextFor(
        laterConnection,
        new Client({ connection: laterConnection, namespace: t.namespace }),
        downRegistry,
        2_000,
      ),
    );
    try {
      await down.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`http://127.0.0.1:${portOf(down)}/webhooks/pipedrive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toEqual({ outcome: 'queued', deliveryId: expect.any(String) });
      expect(await metricOf(downRegistry, INTAKE_COUNTER, { outcome: 'queued' })).toBe(1);
      expect(
        await metricOf(downRegistry, DRAINED_COUNTER, { outcome: 'unavailable', final: 'false' }),
      ).toBeGreaterThanOrEqual(1);
      expect(await runsOf(externalId)).toHaveLength(0);

      await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
      await until(
        'the queued delivery is started',
        async () => (await metricOf(downRegistry, DRAINED_COUNTER, { outcome: 'accepted', final: 'true' })) === 1,
        60_000,
      );
      expect(await runsOf(externalId)).toHaveLength(1);
      expect(await metricOf(downRegistry, OUTBOX_DEPTH_GAUGE)).toBe(0);
      const description = await t.client.workflow.getHandle(externalId).describe();
      expect(description).toMatchObject({ workflowId: externalId, type: 'onboardDeal', taskQueue });
    } finally {
      await down.close();
      await laterConnection.close().catch(() => undefined);
      for (const s of sockets) s.destroy();
      await new Promise((r) => relay.close(r));
    }
  }, 120_000);
});
