/**
 * P1: webhook ack latency at a fixed rate, open loop, with the whole stack running as `npm start` runs it, the load
 * generator in its own process (bench/load/webhook-load.ts), and afterwards the check that every delivery the app
 * answered 2xx for (accepted, duplicate, or queued in the intake outbox) ends up a workflow Temporal knows: wait for
 * the outbox to drain (its depth gauge on /metrics), then a visibility count and a per-id diff if they differ.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { deriveExternalId } from '../domain/external-id';
import { OUTBOX_FILE } from '../starters/intake/outbox';
import type { WebhookLoadResult } from './load/webhook-load';
import { busyCores, coresUsed, cpuByRole, machineBusy } from './process-cpu';
import type { BenchResult } from './results-file';
import { startBenchStack, type BenchStack } from './stack';
import { summarize } from './stats';

export interface WebhookAckOptions {
  rate: number;
  seconds: number;
  /** Short warm-up at a low rate (JIT, sockets), excluded from the figures but included in the durability check. */
  warmupRate: number;
  warmupSeconds: number;
  /** Control phase at the same rate: deliveries the intake answers without calling Temporal. */
  controlSeconds: number;
  targetP99Ms: number;
  /**
   * Cap on the generator's open requests (WEBHOOK_LOAD_MAX_IN_FLIGHT): further deliveries wait for a socket, and that
   * wait counts in their latency. Default: rate × 10 s × 1.25, i.e. never reached (pure open loop, as Pipedrive).
   */
  maxInFlight?: number;
}

async function contractSignedStageId(pd: NonNullable<BenchStack['json']['pipedrive']>): Promise<number> {
  const res = await axios.get<{ data: Array<{ id: number; name: string }> }>(`${pd.url}/api/v2/stages`, {
    headers: { 'x-api-token': pd.apiToken },
    timeout: 10_000,
  });
  const stage = res.data.data.find((s) => s.name === 'Contract Signed');
  if (!stage) throw new Error('the Pipedrive simulator has no stage named Contract Signed');
  return stage.id;
}

function runGenerator(args: Record<string, string | number>, limitMs: number): Promise<void> {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load', 'webhook-load.ts'), ...argv], {
    cwd: join(__dirname, '..'),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`load generator exited with ${code ?? signal}`));
    });
  });
}

/** The app's own view: onboarding_webhook_ack_seconds (server-side, from request arrival to reply). */
interface AppHistogram {
  count: number;
  meanMs: number;
  within: Record<string, number>;
}

/** The app's own view of a histogram: count, mean and how many fell within each of `bounds` (seconds, as labelled). */
function appHistogram(text: string, name: string, bounds: string[]): AppHistogram {
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const count = num(new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\S+)$`, 'm'));
  const sum = num(new RegExp(`^${name}_sum(?:\\{[^}]*\\})? (\\S+)$`, 'm'));
  const within = Object.fromEntries(
    bounds.map((b) => [b, num(new RegExp(`^${name}_bucket\\{le="${b.replace('.', '\\.')}"[^}]*\\} (\\S+)$`, 'm'))]),
  );
  return { count, meanMs: Math.round((sum / count) * 1e5) / 100, within };
}

/** onboarding_webhook_ack_seconds (arrival to reply) and onboarding_intake_outbox_commit_seconds (what it waits on the disk for). */
async function serverAck(opsUrl: string): Promise<{ ack: AppHistogram; commit: AppHistogram }> {
  const text = (await axios.get<string>(`${opsUrl}/metrics`, { timeout: 10_000, responseType: 'text' })).data;
  return {
    ack: appHistogram(text, 'onboarding_webhook_ack_seconds', ['0.025']),
    commit: appHistogram(text, 'onboarding_intake_outbox_commit_seconds', ['0.005', '0.01', '0.025', '0.05', '0.1']),
  };
}

/** How long the end check waits for the intake outbox to drain (the Temporal dev server starts some 10–80 workflows/s here). */
const DRAIN_LIMIT_MINUTES = 10;

/** Polls the app's outbox depth gauge until it is 0; the seconds that took (undefined: still pending at `limitMs`). */
async function waitForDrain(
  opsUrl: string,
  limitMs: number,
): Promise<{ seconds?: number; depthAtEnd: number; maxDepth: number }> {
  const t0 = Date.now();
  let maxDepth = 0;
  for (;;) {
    // A scrape can time out while the app is saturated: that is a reading missed, not the end of the wait.
    const text =
      (await axios.get<string>(`${opsUrl}/metrics`, { timeout: 10_000, responseType: 'text' }).catch(() => undefined))
        ?.data ?? '';
    const depth = Number(/^onboarding_intake_outbox_depth (\S+)$/m.exec(text)?.[1] ?? NaN);
    maxDepth = Math.max(maxDepth, Number.isFinite(depth) ? depth : 0);
    if (depth === 0) return { seconds: Math.round((Date.now() - t0) / 100) / 10, depthAtEnd: 0, maxDepth };
    if (Date.now() - t0 > limitMs) return { depthAtEnd: depth, maxDepth };
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Deal ids still pending in the app's intake outbox (read-only; the app keeps writing beside us, WAL allows it). */
function pendingInOutbox(stack: BenchStack): Set<string> {
  const db = new Database(join(stack.dataDir, OUTBOX_FILE), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT event FROM intake_outbox').all() as Array<{ event: string }>;
    return new Set(rows.map((r) => String((JSON.parse(r.event) as { meta: { entity_id: string } }).meta.entity_id)));
  } finally {
    db.close();
  }
}

/**
 * Every 2xx must be a workflow Temporal knows, or still pending in the outbox (durable, to be started): `missing`
 * are neither, i.e. lost. `pending` counts those still in the outbox when the drain wait ended.
 */
async function verifyDurable(
  stack: BenchStack,
  accepted: string[],
  pending: Set<string>,
): Promise<{ counted: number; missing: string[]; pending: number; extra: number; waitedMs: number }> {
  const connection = await Connection.connect({ address: stack.json.temporal.address });
  const client = new Client({ connection, namespace: stack.json.temporal.namespace });
  const t0 = Date.now();
  try {
    // Visibility is written asynchronously after the start commits: wait (bounded) until it has caught up.
    let counted = 0;
    for (let stable = 0; Date.now() - t0 < 90_000;) {
      const c = (await client.workflow.count(`WorkflowType='onboardDeal'`)).count;
      stable = c === counted ? stable + 1 : 0;
      counted = c;
      if (counted >= accepted.length || stable >= 5) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const waitedMs = Date.now() - t0;
    if (counted === accepted.length) return { counted, missing: [], pending: 0, extra: 0, waitedMs };
    // Differ: name the missing ones (durable but not yet visible ones are checked one by one with describe).
    const seen = new Set<string>();
    for await (const wf of client.workflow.list({ query: `WorkflowType='onboardDeal'` })) seen.add(wf.workflowId);
    const notSeen = accepted.filter((a) => !seen.has(a));
    const stillPending = notSeen.filter((id) => pending.has(id));
    const missing: string[] = [];
    for (const id of notSeen.filter((a) => !pending.has(a))) {
      const ok = await client.workflow
        .getHandle(id)
        .describe()
        .then(
          () => true,
          () => false,
        );
      if (!ok) missing.push(id);
    }
    const acceptedSet = new Set(accepted);
    return {
      counted,
      missing,
      pending: stillPending.length,
      extra: [...seen].filter((id) => !acceptedSet.has(id)).length,
      waitedMs,
    };
  } finally {
    await connection.close();
  }
}

export async function webhookAck(o: WebhookAckOptions): Promise<BenchResult> {
  const stack = await startBenchStack('webhook-ack');
  const work = mkdtempSync(join(tmpdir(), 'bench-webhook-load-'));
  try {
    const pd = stack.json.pipedrive;
    if (!pd)
      throw new Error('webhook-ack needs the Pipedrive simulator (no real Pipedrive credentials in the environment)');
    const stageId = await contractSignedStageId(pd);
    // The sandbox's own company id (as in real deliveries' meta.company_id), from GET /v1/users/me.
    const me = await axios.get<{ data: { company_id: number } }>(`${pd.url}/v1/users/me`, {
      headers: { 'x-api-token': pd.apiToken },
      timeout: 10_000,
    });
    // Enough sockets that the generator never holds a delivery back: every delivery may stay open for the whole 10 s
    // timeout (as Pipedrive, which does not cap its connections to us), so rate × 10 s, with room to spare.
    const maxInFlight = o.maxInFlight ?? Math.ceil(o.rate * 10 * 1.25);
    const common = {
      url: stack.json.app.url,
      user: pd.webhookUser,
      password: pd.webhookPassword,
      stage: stageId,
      company: me.data.data.company_id,
      'max-in-flight': maxInFlight,
    };

    let warm: Pick<WebhookLoadResult, 'acceptedWorkflowIds' | 'ackedDealIds'> = {
      acceptedWorkflowIds: [],
      ackedDealIds: [],
    };
    if (o.warmupSeconds > 0) {
      const warmFile = join(work, 'warmup.json');
      await runGenerator(
        { ...common, rate: o.warmupRate, seconds: o.warmupSeconds, 'first-deal-id': 900_000, out: warmFile },
        (o.warmupSeconds + 240) * 1000,
      );
      warm = JSON.parse(readFileSync(warmFile, 'utf8')) as WebhookLoadResult;
    }

    // Control: the same app, rate and generator, but deliveries the intake answers without a Temporal call.
    const controlFile = join(work, 'control.json');
    await runGenerator(
      {
        ...common,
        kind: 'ignored',
        rate: o.rate,
        seconds: o.controlSeconds,
        'first-deal-id': 500_000,
        out: controlFile,
      },
      (o.controlSeconds + 240) * 1000,
    );
    const control = JSON.parse(readFileSync(controlFile, 'utf8')) as WebhookLoadResult;
    // Floor: the same generator and app process, a path no route serves (fastify's 404): what the host, Node's HTTP
    // stack and the generator cost before any of the intake runs.
    const floorFile = join(work, 'floor.json');
    await runGenerator(
      {
        ...common,
        path: '/__bench/floor',
        rate: o.rate,
        seconds: o.controlSeconds,
        'first-deal-id': 400_000,
        out: floorFile,
      },
      (o.controlSeconds + 240) * 1000,
    );
    const floor = JSON.parse(readFileSync(floorFile, 'utf8')) as WebhookLoadResult;

    const loadFile = join(work, 'load.json');
    const cpu0 = cpuByRole(stack.pid);
    const busy0 = machineBusy();
    const load0 = loadavg()[0]!;
    const wall0 = performance.now();
    await runGenerator(
      { ...common, rate: o.rate, seconds: o.seconds, 'first-deal-id': 1_000_000, out: loadFile },
      (o.seconds + 240) * 1000,
    );
    const wall = (performance.now() - wall0) / 1000;
    const cores = coresUsed(cpu0, cpuByRole(stack.pid), wall);
    const machineCores = busyCores(busy0, machineBusy(), cpus().length);
    const load1 = loadavg()[0]!;
    const r = JSON.parse(readFileSync(loadFile, 'utf8')) as WebhookLoadResult;
    const server = await serverAck(stack.json.ops.url).catch(() => undefined);

    // Every 2xx (accepted, duplicate, queued) must become a workflow: once the outbox is empty, all were handled.
    const drain = await waitForDrain(stack.json.ops.url, DRAIN_LIMIT_MINUTES * 60_000);
    const company = String(me.data.data.company_id);
    const acked = [...(warm.ackedDealIds ?? []), ...r.ackedDealIds].map((dealId) =>
      deriveExternalId({ companyId: company, dealId }),
    );
    const accepted = [...new Set(acked)];
    const pending = new Set(
      [...pendingInOutbox(stack)].map((dealId) => deriveExternalId({ companyId: company, dealId })),
    );
    const durable = await verifyDurable(stack, accepted, pending);

    const all = summarize(r.latencyMs);
    const ok = summarize(r.latency2xxMs);
    const achieved = Math.round((r.completed / r.elapsedSeconds) * 10) / 10;
    const row = (what: string, s: ReturnType<typeof summarize>): Record<string, string | number> => ({
      deliveries: what,
      'target rate /s': o.rate,
      seconds: o.seconds,
      n: s.n,
      'p50 ms': s.p50,
      'p90 ms': s.p90,
      'p99 ms': s.p99,
      'max ms': s.max,
      'answered /s': achieved,
    });
    const accepted2xx = r.outcomes.accepted ?? 0;
    return {
      // INTAKE_OUTBOX_SYNC=normal (inherited by the stack): what the fsync of every commit costs, in its own file.
      // APP_NODE_FLAGS (inherited too), e.g. --single-threaded-gc → webhook-ack-app-single-threaded-gc.
      name:
        (o.maxInFlight ? `webhook-ack-cap${o.maxInFlight}` : 'webhook-ack') +
        (process.env.INTAKE_OUTBOX_SYNC === 'normal' ? '-sync-normal' : '') +
        appFlagsSuffix(),
      description:
        `P1: POST /webhooks/pipedrive ack latency, open loop at ${o.rate} deliveries/s for ${o.seconds} s (each a valid webhook v2 "deal change into Contract Signed" for a distinct deal, Basic auth), ` +
        "latency measured from each delivery's scheduled send time to the end of the answer (no coordinated omission). Whole stack as `npm start` runs it (embedded Temporal dev server on SQLite, worker, app, simulators); " +
        `app Node flags: ${process.env.APP_NODE_FLAGS?.trim() || 'none (APP_NODE_FLAGS unset)'}; ` +
        `intake outbox INTAKE_OUTBOX_SYNC=${process.env.INTAKE_OUTBOX_SYNC ?? 'full'}${process.env.INTAKE_OUTBOX_SYNC === 'normal' ? ' (no fsync per commit: survives an app crash, not a host crash)' : ' (every commit fsynced)'}; ` +
        `load generator in its own process (bench/load/webhook-load.ts, keep-alive, ${o.maxInFlight ? `at most ${o.maxInFlight} open requests (capped: later deliveries wait for a socket, counted in their latency)` : `up to ${Math.ceil(o.rate * 10 * 1.25)} open requests so it never holds a delivery back`}, 10 s timeout like Pipedrive).`,
      rows: [
        row('start (all answers)', all),
        row('start (2xx answers)', ok),
        {
          ...row('control: ignored, no Temporal call', summarize(control.latencyMs)),
          seconds: o.controlSeconds,
          'answered /s': Math.round((control.completed / control.elapsedSeconds) * 10) / 10,
        },
        {
          ...row('floor: unrouted path, 404 from fastify', summarize(floor.latencyMs)),
          seconds: o.controlSeconds,
          'answered /s': Math.round((floor.completed / floor.elapsedSeconds) * 10) / 10,
        },
      ],
      notes: [
        `Statuses: ${JSON.stringify(r.statuses)}; intake outcomes of 2xx: ${JSON.stringify(r.outcomes)}; ${r.completed}/${r.scheduled} answered; largest send lag ${r.maxSendLagMs} ms (generator keeping schedule).`,
        `Control statuses: ${JSON.stringify(control.statuses)} (${control.completed}/${control.scheduled} answered): the HTTP + auth + parse + decision path alone at ${o.rate}/s.`,
        `Floor statuses: ${JSON.stringify(floor.statuses)} (${floor.completed}/${floor.scheduled} answered; largest send lag ${floor.maxSendLagMs} ms): the host, Node's HTTP server and the generator, no intake code; control and floor run before the load, with the dev server and worker idle.`,
        `Target p99 ≤ ${o.targetP99Ms} ms at ${o.rate}/s: ${all.p99 <= o.targetP99Ms && r.completed === r.scheduled ? 'MET' : 'NOT MET'} (p99 over all answers ${all.p99} ms).`,
        `Durability: ${accepted.length} deliveries answered 2xx (${o.warmupSeconds > 0 ? `${warm.ackedDealIds.length} in a ${o.warmupSeconds} s warm-up at ${o.warmupRate}/s, not in the latency figures, + ` : ''}${r.ackedDealIds.length}; "accepted" at once: ${accepted2xx}, "queued" in the intake outbox: ${r.outcomes.queued ?? 0}); ` +
          `the outbox ${drain.seconds !== undefined ? `drained in ${drain.seconds} s after the load ended` : `still held ${drain.depthAtEnd} deliveries ${DRAIN_LIMIT_MINUTES} min after the load (drained ${drain.maxDepth - drain.depthAtEnd} in that time)`} (depth when first read ${drain.maxDepth}); ` +
          `Temporal visibility then counts ${durable.counted} onboardDeal workflows (after ${durable.waitedMs} ms); 2xx still pending in the outbox (durable, not yet started): ${durable.pending}; 2xx neither started nor pending (lost): ${durable.missing.length}${durable.missing.length ? ` (${durable.missing.slice(0, 5).join(', ')}…)` : ''}; ` +
          `in Temporal but never answered 2xx: ${durable.extra} (deliveries whose answer timed out after they were written). ${durable.missing.length === 0 ? (drain.seconds !== undefined ? 'every 2xx started: OK.' : 'nothing lost, but not all started within the wait.') : 'every 2xx started: FAILED (lost deliveries).'}`,
        server
          ? `App-side histogram onboarding_webhook_ack_seconds over all ${server.ack.count} answers (warm-up included): mean ${server.ack.meanMs} ms, ${server.ack.within['0.025']} answered within 25 ms of arrival.`
          : 'App /metrics unavailable.',
        ...(server
          ? [
              `Outbox group commits (transaction + fsync, onboarding_intake_outbox_commit_seconds) over the whole run: ${server.commit.count}, mean ${server.commit.meanMs} ms; within 5 / 10 / 25 / 50 / 100 ms: ` +
                ['0.005', '0.01', '0.025', '0.05', '0.1']
                  .map((b) => `${((server.commit.within[b]! / server.commit.count) * 100).toFixed(1)}%`)
                  .join(' / ') +
                '. Every accepted answer waits for one of these.',
            ]
          : []),
        `CPU during the load (cores used, by process): ${cores.map(([role, c]) => `${role} ${c}`).join(', ')}; whole machine busy ${machineCores} of ${cpus().length} cores; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}. ` +
          'The machine is shared with other sessions running tests at the same time: figures are pessimistic.',
        `Stack startup ${stack.startupSeconds} s (not measured in the figures).`,
      ],
    };
  } finally {
    // BENCH_KEEP_WORK=1 keeps the generator's per-delivery latencies (indexed by send slot) for a closer look.
    if (process.env.BENCH_KEEP_WORK === '1') console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    await stack.stop();
  }
}

function appFlagsSuffix(): string {
  const flags = process.env.APP_NODE_FLAGS?.trim();
  return flags
    ? `-app-${flags
        .replace(/^-+/, '')
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/-+$/, '')
        .toLowerCase()}`
    : '';
}
