/**
 * Open-loop load generator for `POST /webhooks/pipedrive`, run in its own process by bench/webhook-ack.ts:
 *
 *   node --import tsx bench/load/webhook-load.ts --url … --user … --password … --stage 4 --rate 200 --seconds 60 --out f.json
 *
 * Delivery i is scheduled at t0 + i/rate whatever happened to the earlier ones, and its latency is measured from that
 * scheduled time to the end of the answer, so a stalled server shows up as latency (no coordinated omission). Each
 * delivery is a valid Pipedrive webhook v2 "deal change into Contract Signed" for a distinct deal id, with the Basic
 * auth pair the app registered (or, with `--kind ignored`, a no-op edit the intake answers without Temporal). Bounded: rate × seconds deliveries, a 10 s timeout each (Pipedrive's), and at most
 * `--max-in-flight` open requests (further ones wait for a socket, and that wait counts in their latency).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

export interface WebhookLoadResult {
  rate: number;
  seconds: number;
  scheduled: number;
  completed: number;
  /** Wall time from the first scheduled send to the last answer. */
  elapsedSeconds: number;
  /** Largest delay between a delivery's scheduled time and the moment it was handed to the socket layer. */
  maxSendLagMs: number;
  /** Scheduled time → answer received, per completed delivery (any status), in send order. */
  latencyMs: number[];
  /** Same, for 2xx answers only. */
  latency2xxMs: number[];
  /** HTTP status (or `timeout` / `error:<code>`) → count. */
  statuses: Record<string, number>;
  /** Intake outcome from the 2xx body (`accepted`, `duplicate`, …) → count. */
  outcomes: Record<string, number>;
  /** Workflow ids the app answered `accepted` for (2xx), to check against Temporal afterwards. */
  acceptedWorkflowIds: string[];
  /** Deal ids of every 2xx answer other than `ignored` (accepted, duplicate, queued): each must end up started. */
  ackedDealIds: number[];
}

const TIMEOUT_MS = 10_000;

/**
 * `start`: the deal moved into Contract Signed (the intake starts a workflow). `ignored`: an edit of a deal in another
 * stage that changed nothing but update_time, which the intake answers 200 without calling Temporal (the control).
 */
export type DeliveryKind = 'start' | 'ignored';

function delivery(kind: DeliveryKind, dealId: number, contractSignedStageId: number, companyId: string): string {
  const stageId = kind === 'start' ? contractSignedStageId : contractSignedStageId === 2 ? 1 : 2;
  const now = new Date().toISOString();
  return JSON.stringify({
    meta: {
      action: 'change',
      entity: 'deal',
      entity_id: String(dealId),
      id: randomUUID(),
      company_id: companyId,
      correlation_id: randomUUID(),
      is_bulk_edit: false,
      timestamp: now,
      type: 'general',
      user_id: '2',
      version: '2.0',
      webhook_id: '1',
      webhook_owner_id: '1',
      change_source: 'app',
      attempt: 1,
      host: 'acme-sandbox.pipedrive.com',
      permitted_user_ids: ['1', '2', '3', '4'],
    },
    data: {
      id: dealId,
      title: `Load deal ${dealId}`,
      stage_id: stageId,
      pipeline_id: 1,
      status: 'open',
      owner_id: 2,
      value: 4500,
      currency: 'USD',
      update_time: now,
      custom_fields: {},
    },
    previous: kind === 'start' ? { stage_id: stageId === 3 ? 2 : 3, update_time: now } : { update_time: now },
  });
}

export async function runLoad(o: {
  url: string;
  user: string;
  password: string;
  stageId: number;
  companyId: string;
  kind: DeliveryKind;
  rate: number;
  seconds: number;
  firstDealId: number;
  maxInFlight: number;
  /** Another path on the app, e.g. one no route serves (the HTTP floor: Node + fastify's 404, none of the intake). */
  path?: string;
}): Promise<WebhookLoadResult> {
  const target = new URL(o.path ?? '/webhooks/pipedrive', o.url);
  const auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxInFlight });
  const total = Math.round(o.rate * o.seconds);
  const latencyMs: number[] = new Array<number>(total).fill(Number.NaN);
  const is2xx: boolean[] = new Array<boolean>(total).fill(false);
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const acceptedWorkflowIds: string[] = [];
  const ackedDealIds: number[] = [];
  const count = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);
  let completed = 0;
  let maxSendLagMs = 0;
  let lastAnswer = 0;

  const send = (i: number, scheduledAt: number): Promise<void> =>
    new Promise((resolve) => {
      const body = delivery(o.kind, o.firstDealId + i, o.stageId, o.companyId);
      let settled = false;
      const finish = (status: string, text?: string): void => {
        if (settled) return;
        settled = true;
        const now = performance.now();
        lastAnswer = Math.max(lastAnswer, now);
        latencyMs[i] = now - scheduledAt;
        count(statuses, status);
        completed += 1;
        if (/^2\d\d$/.test(status)) {
          is2xx[i] = true;
          try {
            const parsed = JSON.parse(text ?? '{}') as { outcome?: string; workflowId?: string };
            count(outcomes, parsed.outcome ?? 'unknown');
            if (parsed.outcome === 'accepted' && parsed.workflowId) acceptedWorkflowIds.push(parsed.workflowId);
            if (parsed.outcome !== 'ignored') ackedDealIds.push(o.firstDealId + i);
          } catch {
            count(outcomes, 'unparseable');
          }
        }
        resolve();
      };
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: auth,
          },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(String(res.statusCode), Buffer.concat(chunks).toString('utf8')));
          res.on('error', (err: NodeJS.ErrnoException) => finish(`error:${err.code ?? err.message}`));
        },
      );
      req.on('timeout', () => {
        req.destroy();
        finish('timeout');
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish(`error:${err.code ?? err.message}`));
      req.end(body);
      maxSendLagMs = Math.max(maxSendLagMs, performance.now() - scheduledAt);
    });

  const inFlight: Array<Promise<void>> = [];
  const t0 = performance.now();
  let next = 0;
  // Catch up on every tick: all deliveries whose scheduled time has passed go out now, stamped with that time.
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * o.rate) + 1);
    for (; next < due; next += 1) inFlight.push(send(next, t0 + (next * 1000) / o.rate));
    if (next < total) {
      const wait = t0 + (next * 1000) / o.rate - performance.now();
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, 5))));
    }
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    rate: o.rate,
    seconds: o.seconds,
    scheduled: total,
    completed,
    elapsedSeconds: Math.round(lastAnswer - t0) / 1000,
    maxSendLagMs: Math.round(maxSendLagMs * 100) / 100,
    latencyMs: latencyMs.map((x) => Math.round(x * 1000) / 1000),
    latency2xxMs: latencyMs.filter((_, i) => is2xx[i]).map((x) => Math.round(x * 1000) / 1000),
    statuses,
    outcomes,
    acceptedWorkflowIds,
    ackedDealIds,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      stage: { type: 'string' },
      kind: { type: 'string', default: 'start' },
      company: { type: 'string', default: '7340001' },
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '60' },
      'first-deal-id': { type: 'string', default: '1000000' },
      'max-in-flight': { type: 'string', default: '2500' },
      out: { type: 'string' },
      path: { type: 'string' },
    },
  });
  for (const k of ['url', 'user', 'password', 'stage', 'out'] as const)
    if (!values[k]) throw new Error(`--${k} is required`);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  if (!(rate > 0 && rate <= 2000 && seconds > 0 && seconds <= 300))
    throw new Error('--rate must be in (0, 2000] and --seconds in (0, 300]');
  const result = await runLoad({
    url: values.url!,
    user: values.user!,
    password: values.password!,
    stageId: Number(values.stage),
    kind: values.kind === 'ignored' ? 'ignored' : 'start',
    ...(values.path ? { path: values.path } : {}),
    companyId: values.company!,
    rate,
    seconds,
    firstDealId: Number(values['first-deal-id']),
    maxInFlight: Number(values['max-in-flight']),
  });
  writeFileSync(values.out!, JSON.stringify(result));
  process.stderr.write(
    `webhook-load: ${result.completed}/${result.scheduled} answered in ${result.elapsedSeconds} s: ${JSON.stringify(result.statuses)}\n`,
  );
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`webhook-load failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
