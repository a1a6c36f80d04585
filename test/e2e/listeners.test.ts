/**
 * The app's two listeners on real sockets, against the run's Temporal dev server and the real Pipedrive simulator:
 * which routes each one serves (the rest 404), the internal listener's optional bearer / Basic auth, the start-up
 * refusal of an exposed internal listener without it, and the public listener's per-address rate limit: a flood from
 * one address answered 429 before authentication while the simulator's signed deliveries from another all land.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { deriveExternalId } from '../../domain/external-id';
import { PipedriveClient } from '../../integrations/pipedrive';
import { buildOpsApp } from '../../ops/http/ops-app';
import { parseConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import { buildApp } from '../../starters/http/app';
import type { AppContext } from '../../starters/http/app-context';
import { RATE_LIMITED_COUNTER } from '../../starters/http/public-rate-limit';
import { INTAKE_COUNTER } from '../../starters/intake/intake-metrics';
import { SLACK_BODY_LIMIT_BYTES } from '../../starters/slack/slack-events-route';
import { registerPipedriveWebhook } from '../../starters/intake/webhook-registration';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { createSyntheticDeal, simCall } from '../integrations/pipedrive/sim-admin';

jest.setTimeout(120_000);

const BEARER = 'ops-bearer-token-0123456789';
const BASIC = { user: 'prometheus', password: 'ops-basic-password-42' };
const basicHeader = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a real socket, optionally from another loopback source address. */
function send(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent; localAddress?: string } = {},
): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        method: o.method ?? 'GET',
        headers: {
          ...o.headers,
          ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}),
        },
        agent: o.agent,
        localAddress: o.localAddress,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('public and internal listeners', () => {
  let t: TestTemporal;
  let sim: RunningPipedriveSimulator;
  let pipedrive: PipedriveClient;
  const taskQueue = uniqueTaskQueue('listeners');
  const dirs: string[] = [];
  const apps: FastifyInstance[] = [];

  const contextFor = (
    env: NodeJS.ProcessEnv,
    registry = new Registry(),
    log: AppContext['log'] = createLogger('listeners-test', 'silent'),
  ): AppContext => {
    const dir = mkdtempSync(join(tmpdir(), 'listeners-'));
    dirs.push(dir);
    return {
      config: parseConfig({
        LOG_LEVEL: 'silent',
        DATA_DIR: dir,
        TEMPORAL_ADDRESS: t.address,
        TEMPORAL_NAMESPACE: t.namespace,
        PIPEDRIVE_API_URL: sim.url,
        PIPEDRIVE_API_TOKEN: sim.stackEntry.apiToken,
        PIPEDRIVE_COMPANY_DOMAIN: sim.stackEntry.companyDomain,
        PIPEDRIVE_WEBHOOK_USER: sim.stackEntry.webhookUser,
        PIPEDRIVE_WEBHOOK_PASSWORD: sim.stackEntry.webhookPassword,
        ...env,
      }),
      log,
      connection: t.connection,
      client: t.client,
      registry,
      webhookIntake: { pipedrive, taskQueue, drainRetryMaxMs: 1_000 },
    };
  };

  const listen = async (app: FastifyInstance): Promise<string> => {
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };

  beforeAll(async () => {
    t = await connectTestTemporal();
    sim = await startPipedriveSimulator();
    pipedrive = new PipedriveClient({ apiUrl: sim.url, apiToken: sim.stackEntry.apiToken });
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await sim?.close();
    await t?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves each route on its own listener and 404s the rest', async () => {
    const ctx = contextFor({});
    const publicUrl = await listen(buildApp(ctx));
    const opsUrl = await listen(buildOpsApp(ctx));

    // Probes on both: /readyz answers JSON whether or not a worker polls this namespace's queue.
    for (const url of [publicUrl, opsUrl]) {
      expect((await send(`${url}/healthz`)).status).toBe(200);
      const ready = await send(`${url}/readyz`);
      expect([200, 503]).toContain(ready.status);
      expect(JSON.parse(ready.body)).toMatchObject({ temporal: 'ok' });
    }

    // Public: the webhook and Slack answer as themselves (here: no credentials, Slack not configured), the rest 404.
    const webhook = await send(`${publicUrl}/webhooks/pipedrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([webhook.status, JSON.parse(webhook.body).error]).toEqual([401, 'unauthorized']);
    const slack = await send(`${publicUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'payload=%7B%7D',
    });
    expect([slack.status, JSON.parse(slack.body).error]).toEqual([503, 'not_configured']);
    // Slack's own body limit, below the webhook's 256 KiB: read and refused before any handler runs.
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(
      (
        await send(`${publicUrl}/slack/events`, {
          method: 'POST',
          headers: form,
          body: `payload=${'x'.repeat(SLACK_BODY_LIMIT_BYTES)}`,
        })
      ).status,
    ).toBe(413);
    expect(
      (
        await send(`${publicUrl}/slack/events`, {
          method: 'POST',
          headers: form,
          body: `payload=${'x'.repeat(SLACK_BODY_LIMIT_BYTES - 100)}`,
        })
      ).status,
    ).toBe(503);
    for (const path of ['/ops', '/ops.json', '/metrics', '/ops/', '/anything'])
      expect([path, (await send(`${publicUrl}${path}`)).status]).toEqual([path, 404]);
    expect((await send(`${publicUrl}/webhooks/pipedrive`)).status).toBe(404);

    // Internal: the card, its JSON and Prometheus text; not the webhook nor Slack.
    const card = await send(`${opsUrl}/ops`);
    expect([card.status, card.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(card.body).toContain('Onboarding health');
    // The card's own links are relative, so they stay on this listener.
    expect(card.body).toContain('<a href="ops.json">JSON</a> · <a href="metrics">metrics</a>');
    const json = await send(`${opsUrl}/ops.json`);
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body)).toHaveProperty('readiness.temporal', 'ok');
    const metrics = await send(`${opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    // One registry behind both: the public listener's counters are scraped here.
    expect(metrics.body).toContain(`# TYPE ${RATE_LIMITED_COUNTER} counter`);
    expect(metrics.body).toContain(`${INTAKE_COUNTER}{outcome="refused_401"} 1`);
    for (const [method, path] of [
      ['POST', '/webhooks/pipedrive'],
      ['POST', '/slack/events'],
      ['GET', '/anything'],
    ] as const) {
      expect([
        path,
        (
          await send(`${opsUrl}${path}`, {
            method,
            headers: { 'content-type': 'application/json' },
            body: method === 'POST' ? '{}' : undefined,
          })
        ).status,
      ]).toEqual([path, 404]);
    }
  });

  describe('internal listener authentication', () => {
    const expectStatuses = async (opsUrl: string, authorization: string | undefined, status: number): Promise<void> => {
      for (const path of ['/ops', '/ops.json', '/metrics', '/nowhere']) {
        const answer = await send(`${opsUrl}${path}`, { headers: authorization ? { authorization } : {} });
        expect([authorization?.split(' ')[0] ?? 'none', path, answer.status]).toEqual([
          authorization?.split(' ')[0] ?? 'none',
          path,
          path === '/nowhere' && status === 200 ? 404 : status,
        ]);
      }
      // Probes stay open for load balancers and kubelets.
      expect((await send(`${opsUrl}/healthz`)).status).toBe(200);
    };

    it('bearer: the token as Prometheus sends it (Authorization: Bearer), nothing else', async () => {
      const opsUrl = await listen(buildOpsApp(contextFor({ OPS_BEARER_TOKEN: BEARER })));
      await expectStatuses(opsUrl, `Bearer ${BEARER}`, 200);
      await expectStatuses(opsUrl, undefined, 401);
      await expectStatuses(opsUrl, `Bearer ${BEARER}x`, 401);
      await expectStatuses(opsUrl, `Bearer ${BEARER.slice(0, -1)}`, 401);
      await expectStatuses(opsUrl, basicHeader('x', BEARER), 401);
      const refused = await send(`${opsUrl}/metrics`);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="onboarding-ops"');
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'unauthorized' });
    });

    it('basic: the pair as Prometheus basic_auth and browsers send it', async () => {
      const opsUrl = await listen(
        buildOpsApp(contextFor({ OPS_BASIC_USER: BASIC.user, OPS_BASIC_PASSWORD: BASIC.password })),
      );
      await expectStatuses(opsUrl, basicHeader(BASIC.user, BASIC.password), 200);
      await expectStatuses(opsUrl, undefined, 401);
      await expectStatuses(opsUrl, basicHeader(BASIC.user, `${BASIC.password}!`), 401);
      await expectStatuses(opsUrl, basicHeader('someone', BASIC.password), 401);
      await expectStatuses(opsUrl, `Bearer ${BASIC.password}`, 401);
      // A browser asked for Basic shows its login prompt.
      expect((await send(`${opsUrl}/ops`)).headers['www-authenticate']).toBe(
        'Basic realm="onboarding-ops", charset="UTF-8"',
      );
    });

    it('both set: either is accepted; off (the loopback default): no credentials needed', async () => {
      const both = await listen(
        buildOpsApp(
          contextFor({ OPS_BEARER_TOKEN: BEARER, OPS_BASIC_USER: BASIC.user, OPS_BASIC_PASSWORD: BASIC.password }),
        ),
      );
      await expectStatuses(both, `Bearer ${BEARER}`, 200);
      await expectStatuses(both, basicHeader(BASIC.user, BASIC.password), 200);
      await expectStatuses(both, undefined, 401);
      const off = await listen(buildOpsApp(contextFor({})));
      await expectStatuses(off, undefined, 200);
    });

    it('the app process refuses to start an exposed internal listener without credentials', async () => {
      const root = resolve(__dirname, '../..');
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'starters/http/main.ts')], {
        cwd: root,
        env: { PATH: process.env.PATH, OPS_HOST: '0.0.0.0', TEMPORAL_ADDRESS: t.address, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(78);
      expect(err).toMatch(
        /Invalid configuration[\s\S]*OPS_HOST: 0\.0\.0\.0 is not a loopback address.*OPS_BEARER_TOKEN.*OPS_BASIC_USER and OPS_BASIC_PASSWORD/,
      );
    });
  });

  describe('public rate limit', () => {
    it('lets a burst of 200 valid deliveries from one address through at the default limit', async () => {
      const ctx = contextFor({});
      expect(ctx.config.app.rateLimitPerSec).toBe(1000);
      const publicUrl = await listen(buildApp(ctx));
      // Signed and valid, of a kind the intake answers at once (not a deal): 200 in flight together.
      const agent = new Agent({ keepAlive: true, maxSockets: 50 });
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          send(`${publicUrl}/webhooks/pipedrive`, {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              authorization: basicHeader(sim.stackEntry.webhookUser, sim.stackEntry.webhookPassword),
            },
            body: JSON.stringify({
              meta: {
                action: 'change',
                entity: 'person',
                entity_id: String(i + 1),
                id: `burst-${i}`,
                company_id: '1',
                version: '2.0',
                timestamp: new Date().toISOString(),
              },
              data: { id: i + 1 },
              previous: {},
            }),
          }),
        ),
      );
      agent.destroy();
      expect(answers.filter((a) => a.status === 429)).toHaveLength(0);
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    });

    it('answers a flood from one address 429 before authentication, while every signed delivery from another lands', async () => {
      const registry = new Registry();
      const lines: Array<{ msg?: string; level?: number; req?: { remoteAddress?: string }; address?: string }> = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean))
            lines.push(JSON.parse(line) as (typeof lines)[number]);
          done();
        },
      });
      // A low limit so this host's flood is surely over it, however loaded; the simulator delivers from 127.0.0.1
      // (a few deliveries a second here), the flood comes from 127.0.0.2.
      const LIMIT = 20;
      const ctx = contextFor({ PUBLIC_RATE_LIMIT_PER_SEC: String(LIMIT) }, registry, pino({ level: 'info' }, sink));
      const publicUrl = await listen(buildApp(ctx));
      const opsUrl = await listen(buildOpsApp(ctx));
      await registerPipedriveWebhook(pipedrive, ctx.config.pipedrive!, publicUrl, ctx.log);
      const me = await simCall<{ company_id: number }>(
        sim.url,
        'GET',
        `/v1/users/me?api_token=${sim.stackEntry.apiToken}`,
      );
      const started: string[] = [];
      const seqBefore = (await simCall<Array<{ seq: number }>>(sim.url, 'GET', '/__sim/deliveries')).reduce(
        (m, d) => Math.max(m, d.seq),
        0,
      );

      let flooding = true;
      const flood = { sent: 0, statuses: {} as Record<string, number> };
      const agent = new Agent({ keepAlive: true, maxSockets: 32 });
      const t0 = performance.now();
      const floods = Array.from({ length: 32 }, async () => {
        while (flooding) {
          const a = await send(`${publicUrl}/webhooks/pipedrive`, {
            method: 'POST',
            agent,
            localAddress: '127.0.0.2',
            headers: { 'content-type': 'application/json', authorization: basicHeader('intruder', 'guess') },
            body: '{"meta":{}}',
          }).catch((e: Error) => ({ status: `error:${e.message}` }));
          flood.sent += 1;
          flood.statuses[String(a.status)] = (flood.statuses[String(a.status)] ?? 0) + 1;
        }
      });
      // Signed deliveries interleaved with the flood: the simulator posts each Contract Signed move.
      const dealIds: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { dealId } = await createSyntheticDeal(sim.url, { country: 'US' });
        dealIds.push(String(dealId));
        started.push(deriveExternalId({ companyId: String(me.company_id), dealId }));
        await simCall(sim.url, 'POST', `/__sim/deals/${dealId}/move`, { stage_name: 'Contract Signed' });
        await new Promise((r) => setTimeout(r, 250));
      }
      // The simulator logs a delivery once it is answered (or failed).
      let ours: Array<{
        seq: number;
        outcome: string;
        http_status: number | null;
        attempt: number;
        entity_id: string;
      }> = [];
      for (let i = 0; i < 200; i++) {
        ours = (await simCall<typeof ours>(sim.url, 'GET', '/__sim/deliveries?entity=deal')).filter(
          (d) => d.seq > seqBefore,
        );
        if (dealIds.every((id) => ours.some((d) => d.entity_id === id))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      flooding = false;
      await Promise.all(floods);
      const seconds = (performance.now() - t0) / 1000;
      agent.destroy();

      try {
        // Every delivery of the simulator landed on its first attempt: none was refused.
        expect(dealIds.filter((id) => !ours.some((d) => d.entity_id === id))).toEqual([]);
        expect(
          ours.filter((d) => d.outcome !== 'delivered' || d.attempt !== 1 || ![200, 202].includes(d.http_status ?? 0)),
        ).toEqual([]);
        // The flood: only 429s and, within the limit's budget, the 401 its credentials earn.
        expect(Object.keys(flood.statuses).sort()).toEqual(['401', '429']);
        const passed = flood.statuses['401']!;
        expect(passed).toBeLessThanOrEqual(LIMIT + Math.ceil(LIMIT * seconds) + 1);
        expect(flood.statuses['429']!).toBeGreaterThan(flood.sent / 2);
        // Refused before authentication: the webhook's own counter saw only those let through.
        const text = (await send(`${opsUrl}/metrics`)).body;
        expect(text).toContain(`${RATE_LIMITED_COUNTER}{route="/webhooks/pipedrive"} ${flood.statuses['429']}`);
        expect(text).toContain(`${INTAKE_COUNTER}{outcome="refused_401"} ${passed}`);
        // Not a flood of log lines: requests are logged (two lines each) only as far as they were let through, plus a
        // warning; had the refused ones been logged too, there would be more than twice as many.
        const requestLines = lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
        expect(
          lines.filter((l) => l.msg === 'incoming request' && l.req?.remoteAddress === '127.0.0.2').length,
        ).toBeLessThanOrEqual(passed + 32);
        expect(requestLines.length).toBeLessThanOrEqual(2 * (passed + ours.length + 32));
        expect(
          lines.filter(
            (l) => l.level === 40 && l.address === '127.0.0.2' && /over PUBLIC_RATE_LIMIT_PER_SEC/.test(l.msg ?? ''),
          ),
        ).toHaveLength(1);
        process.stderr.write(
          `flood: ${flood.sent} in ${seconds.toFixed(1)} s (${Math.round(flood.sent / seconds)}/s) ${JSON.stringify(flood.statuses)}; ${ours.length} signed deliveries all 2xx\n`,
        );
      } finally {
        for (const id of started)
          await t.client.workflow
            .getHandle(id)
            .terminate('listeners test done')
            .catch(() => undefined);
      }
    });
  });
});
