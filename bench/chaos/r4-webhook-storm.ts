/**
 * R4: webhook storms. Deals are driven through the Pipedrive simulator as usual (its webhook to the app, with
 * Pipedrive's retry schedule at a fast time scale), and a second webhook on every deal event feeds a storm relay
 * here that posts each delivery it receives to the app 5 times concurrently, each copy after its own random delay
 * (so copies of a deal's create, Contract Signed move and our own write-backs arrive interleaved and out of order).
 * The relay also fails the first three attempts of a few events (below the simulator's ban threshold), so those go
 * through the whole 3/30/150 s (× scale) retry schedule and are stormed at every attempt.
 * Then: exactly one customer and one invoice per deal (verify-deals), every stormed copy answered 2xx, and (R6)
 * no secret, email or tax id in any log line.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent, request } from 'node:http';
import axios from 'axios';
import { startChaosStack, type ChaosStack } from './chaos-stack';
import { logScans, OutputCapture, scanKey, scanLogs, scanNote, scanRows, sensitiveValues } from './r6-log-scan';
import { driveAndVerify, LoadSampler, log, type ChaosResult } from './scenario';

const COPIES = 5;
/**
 * Events whose attempts 1–3 the relay fails. The simulator bans a webhook at 10 first-try failures, and a first try
 * can also time out on this busy machine: 5 leaves room, so the relay is never banned (a ban would drop its storms).
 */
const RETRIED_EVENTS = 5;
/** Webhook timeout 10 s × 0.2 = 2 s; retries after 0.6, 6 and 30 s; ban 6 min. */
const TIME_SCALE = 0.2;

interface StormRelay {
  url: string;
  received: number;
  retriedEvents: Set<string>;
  failedAttempts: number;
  statuses: Record<string, number>;
  outcomes: Record<string, number>;
  pending: number;
  /** Resolves when no copy is waiting or in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function startStormRelay(stack: ChaosStack, maxDelayMs: number): Promise<StormRelay> {
  const pd = stack.json.pipedrive!;
  const target = new URL('/webhooks/pipedrive', stack.json.app.url);
  const auth = `Basic ${Buffer.from(`${pd.webhookUser}:${pd.webhookPassword}`).toString('base64')}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const count = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);
  const idleWaiters: Array<() => void> = [];
  const relay: StormRelay = {
    url: '',
    received: 0,
    retriedEvents: new Set(),
    failedAttempts: 0,
    statuses: {},
    outcomes: {},
    pending: 0,
    idle: () => (relay.pending === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))),
    close: async () => undefined,
  };
  const settleOne = (): void => {
    relay.pending -= 1;
    if (relay.pending === 0) for (const w of idleWaiters.splice(0)) w();
  };
  const post = (body: string): void => {
    relay.pending += 1;
    setTimeout(() => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          timeout: 30_000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: auth,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            count(relay.statuses, String(res.statusCode));
            try {
              count(
                relay.outcomes,
                String(
                  (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { outcome?: string; error?: string })
                    .outcome ?? 'none',
                ),
              );
            } catch {
              count(relay.outcomes, 'unparseable');
            }
            settleOne();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        count(relay.statuses, `error:${(err as NodeJS.ErrnoException).code ?? err.message}`);
        settleOne();
      });
      req.end(body);
    }, Math.random() * maxDelayMs);
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      relay.received += 1;
      let meta: { id?: string; attempt?: number } = {};
      try {
        meta = (JSON.parse(body) as { meta?: typeof meta }).meta ?? {};
      } catch {
        // forwarded as is: the app must refuse it cleanly
      }
      for (let i = 0; i < COPIES; i += 1) post(body);
      const id = meta.id ?? '';
      if (id && (meta.attempt ?? 1) === 1 && relay.retriedEvents.size < RETRIED_EVENTS) relay.retriedEvents.add(id);
      if (relay.retriedEvents.has(id) && (meta.attempt ?? 1) < 4) {
        relay.failedAttempts += 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"storm relay asks for a retry"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  relay.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/storm`;
  relay.close = async () => {
    await new Promise((r) => server.close(r));
    agent.destroy();
  };
  const hook = await axios.post(
    `${pd.url}/v1/webhooks`,
    { subscription_url: relay.url, event_action: '*', event_object: 'deal' },
    { params: { api_token: pd.apiToken }, timeout: 30_000 },
  );
  log(`storm relay ${relay.url} subscribed as webhook ${String((hook.data as { data?: { id?: number } }).data?.id)}`);
  return relay;
}

export async function r4WebhookStorm(quick: boolean, deals?: number): Promise<ChaosResult> {
  const count = deals ?? (quick ? 20 : 300);
  const rate = quick ? 2 : 5;
  const load = new LoadSampler();
  const capture = new OutputCapture().start();
  let captured = '';
  const stack = await startChaosStack({ label: 'r4', webhookTimeScale: TIME_SCALE, env: { LOG_LEVEL: 'info' } });
  try {
    const relay = await startStormRelay(stack, 1_500);
    const run = await driveAndVerify(stack, {
      count,
      ratePerSecond: rate,
      concurrency: 10,
      reviewEvery: 10,
      settleTimeoutMs: (quick ? 10 : 40) * 60_000,
      stallMs: 5 * 60_000,
      async beforeVerify() {
        // The last retries (3 + 30 + 150 s, × scale) and their storms must have landed before the check counts customers.
        await new Promise((r) => setTimeout(r, 183_000 * TIME_SCALE + 5_000));
        await relay.idle();
        await relay.close();
        const dropped = (
          await axios.get<{ data?: unknown[] } | unknown[]>(`${stack.json.pipedrive!.url}/__sim/deliveries`, {
            params: { outcome: 'dropped_banned' },
            timeout: 30_000,
          })
        ).data;
        const droppedCount = Array.isArray(dropped) ? dropped.length : (dropped.data?.length ?? 0);
        const hooks = (
          await axios.get<{
            data: Array<{
              id: number;
              subscription_url: string;
              first_try_failures?: number;
              banned_until?: string | null;
            }>;
          }>(`${stack.json.pipedrive!.url}/__sim/webhooks`, { timeout: 30_000 })
        ).data.data;
        return [
          `Storm: the relay received ${relay.received} deliveries (attempts) from the simulator and posted each ${COPIES}× to the app after random delays of 0–1.5 s: ${relay.received * COPIES} copies; statuses ${JSON.stringify(relay.statuses)}; intake outcomes ${JSON.stringify(relay.outcomes)}.`,
          `Pipedrive retry schedule (× ${TIME_SCALE}): the relay failed attempts 1–3 of ${relay.retriedEvents.size} events (${relay.failedAttempts} failed attempts), each stormed again at every retry; webhooks at the end ${JSON.stringify(hooks.map((h) => ({ id: h.id, url: h.subscription_url.replace(/^https?:\/\/[^/]+/, ''), first_try_failures: h.first_try_failures, banned_until: h.banned_until })))}; deliveries dropped by a ban (of the last 2,000 logged): ${droppedCount}.`,
        ];
      },
    });
    const copies = Object.values(relay.statuses).reduce((a, b) => a + b, 0);
    const copies2xx = Object.entries(relay.statuses)
      .filter(([s]) => /^2\d\d$/.test(s))
      .reduce((a, [, n]) => a + n, 0);
    captured = capture.stop();
    const scan = scanLogs(stack, captured, await sensitiveValues(stack));
    logScans.set(scanKey('R4', quick), scan);
    const allAcked = copies > 0 && copies2xx === copies;
    return {
      name: 'chaos-r4',
      passed: run.verify.passed && allAcked && scan.passed,
      description: `R4: ${count} deals driven through the Pipedrive simulator while every deal event is also posted to the app ${COPIES}× concurrently and out of order, with the simulator's retry schedule (× ${TIME_SCALE}) on top; then exactly one customer and one invoice per deal.`,
      rows: [
        ...run.rows,
        { check: 'stormed copies posted to the app', value: copies },
        { check: 'stormed copies answered 2xx (must be all)', value: copies2xx },
        { check: 'events sent through the full retry schedule', value: relay.retriedEvents.size },
        ...scanRows(scan),
      ],
      notes: [...run.notes, scanNote(scan), load.stop()],
    };
  } finally {
    if (!captured) capture.stop();
    load.stop();
    await stack.stop();
  }
}
