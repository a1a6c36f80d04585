/**
 * The stack for chaos runs and the burst/memory benchmarks, assembled piece by piece instead of through `npm start`,
 * so a scenario can kill -9 the worker, stop and restart the Temporal dev server on the same SQLite file, and start
 * the simulators with settings `npm start` does not expose (NetSuite concurrency limit, Pipedrive burst limit).
 * Simulators run in this process with in-memory state (the Pipedrive simulator's JSON file is rewritten on every
 * change, which would dominate a 10,000-deal run); the worker and the app are child processes as in `npm start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import axios from 'axios';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TASK_QUEUES } from '../../domain/temporal-names';
import { startDevServer, type RunningDevServer } from '../../scripts/dev-server';
import { freePort, stackNodeProcess, waitFor } from '../../scripts/process-utils';
import { parseConfig } from '../../runtime/config';
import { workerNodeArgs } from '../../runtime/node-flags';
import { RECYCLE_EXIT_CODE } from '../../workers/idle-recycle';
import { WORKER_MALLOC_ENV } from '../../workers/malloc-env';
import { cachedWorkflowBundle } from '../../workers/workflow-bundle';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../sandbox/netsuite';
import type { FaultPatch } from '../../sandbox/netsuite/types';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../sandbox/pipedrive';
import { startSlackSimulator, type RunningSlackSimulator } from '../../sandbox/slack';
import type { StackJson } from '../../test/helpers/stack-process';

const ROOT = resolve(__dirname, '../..');
const NAMESPACE = 'default';
const HOST = '127.0.0.1';

/** Stacks still running, for the runner's Ctrl-C: the dev server runs in its own process group and would outlive us. */
export const runningStacks = new Set<ChaosStack>();

let bundled: Promise<string> | undefined;
/**
 * The workflow bundle, built once per run: a worker given a prebuilt bundle polls seconds after its start instead
 * of webpacking the workflow code first (24 s per restart on this loaded machine), which R1 restarts dozens of times.
 * Built by the same builder as `npm start`'s worker (workers/workflow-bundle.ts: a source map without the sources),
 * so the worker measured here holds what a production worker holds: bundleWorkflowCode's default map carried every
 * source, 2.3 MB of bundle that each workflow thread kept as a two-byte string with its parsed map.
 */
function workflowBundle(): Promise<string> {
  bundled ??= cachedWorkflowBundle(
    require.resolve('../../workflows'),
    mkdtempSync(join(tmpdir(), 'chaos-bundle-')),
  ).then((b) => b.codePath);
  return bundled;
}

export interface ChaosStackOptions {
  label: string;
  netsuite?: { concurrencyLimit?: number; faults?: FaultPatch; asyncJobDelayMs?: number };
  /** Requests per window per token; the simulator's default is Pipedrive's 80 / 2 s. */
  pipedriveBurstLimit?: { requests: number; windowMs: number };
  /** Multiplies the Pipedrive webhook timeout, retry delays (3/30/150 s) and ban (30 min). */
  webhookTimeScale?: number;
  /** A Temporal server already running (R7's cluster, bench/chaos/r7-cluster-chaos.ts) instead of a dev server of our own. */
  temporalAddress?: string;
  /** Extra env for the worker and the app (e.g. NETSUITE_CONCURRENCY_LIMIT, WORKER_MAX_CACHED_WORKFLOWS). */
  env?: NodeJS.ProcessEnv;
}

export interface ChildExit {
  name: string;
  at: string;
  code: number | null;
  signal: string | null;
  expected: boolean;
}

export interface ChaosStack {
  json: StackJson;
  dataDir: string;
  netsuite: RunningNetSuiteSimulator;
  pipedrive: RunningPipedriveSimulator;
  client: Client;
  workerPid(): number | undefined;
  /** kill -9 of the worker process; resolves once it is gone. */
  killWorker(): Promise<void>;
  /** Spawns the worker (with extra env, e.g. another cache size) and resolves when it polls the onboarding queue (seconds taken). */
  startWorker(extraEnv?: NodeJS.ProcessEnv): Promise<number>;
  /** The worker's Temporal SDK metrics (Prometheus text). */
  workerMetricsUrl: string;
  /** Stops the dev server (SIGTERM, or SIGKILL with `hard`); resolves once it exited. */
  stopTemporal(hard?: boolean): Promise<void>;
  /** Starts the dev server again on the same SQLite file and ports (seconds taken). */
  startTemporal(): Promise<number>;
  /** Every exit of a child process so far, expected (our kills/stops) or not. */
  exits: ChildExit[];
  stop(): Promise<void>;
}

interface Child {
  proc: ChildProcess;
  exited: Promise<void>;
  expectExit: boolean;
}

export async function startChaosStack(o: ChaosStackOptions): Promise<ChaosStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `chaos-${o.label}-`));
  const logs = join(dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const ports = { temporal: await freePort(), app: await freePort(), ops: await freePort(), metrics: await freePort() };
  const exits: ChildExit[] = [];
  const t0 = performance.now();
  const cli = await ensureTemporalCli();
  const dbFile = join(dataDir, 'temporal.sqlite');
  const serverOptions = {
    cliPath: cli.path,
    ip: HOST,
    port: ports.temporal,
    namespace: NAMESPACE,
    dbFile,
    logTo: join(logs, 'temporal.log'),
    startTimeoutMs: 120_000,
    // Our own group: a scenario's SIGKILL of the server must not reach anything else.
    detached: true,
  };
  let server: RunningDevServer | undefined = o.temporalAddress ? undefined : await startDevServer(serverOptions);
  const watchServer = (s: RunningDevServer): void => {
    s.child.once('exit', (code, signal) =>
      exits.push({ name: 'temporal', at: new Date().toISOString(), code, signal, expected: serverStopping }),
    );
  };
  let serverStopping = false;
  if (server) watchServer(server);

  const netsuite = await startNetSuiteSimulator({
    host: HOST,
    concurrencyLimit: o.netsuite?.concurrencyLimit,
    faults: o.netsuite?.faults,
    asyncJobDelayMs: o.netsuite?.asyncJobDelayMs,
  });
  const pipedrive = await startPipedriveSimulator({
    host: HOST,
    burstLimit: o.pipedriveBurstLimit,
    webhookTimeScale: o.webhookTimeScale,
  });
  const slack: RunningSlackSimulator = await startSlackSimulator({ host: HOST });

  const ns = netsuite.stackEntry;
  const pd = pipedrive.stackEntry;
  const sl = slack.stackEntry;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DATA_DIR: dataDir,
    TEMPORAL_EMBEDDED: 'false',
    TEMPORAL_ADDRESS: o.temporalAddress ?? `${HOST}:${ports.temporal}`,
    TEMPORAL_NAMESPACE: NAMESPACE,
    APP_HOST: HOST,
    APP_PORT: String(ports.app),
    OPS_HOST: HOST,
    OPS_PORT: String(ports.ops),
    WORKER_METRICS_PORT: String(ports.metrics),
    NETSUITE_BASE_URL: ns.url,
    NETSUITE_ACCOUNT_ID: ns.accountId,
    NETSUITE_CONSUMER_KEY: ns.consumerKey,
    NETSUITE_CONSUMER_SECRET: ns.consumerSecret,
    NETSUITE_TOKEN_ID: ns.tokenId,
    NETSUITE_TOKEN_SECRET: ns.tokenSecret,
    PIPEDRIVE_API_URL: pd.url,
    PIPEDRIVE_API_TOKEN: pd.apiToken,
    PIPEDRIVE_COMPANY_DOMAIN: pd.companyDomain,
    PIPEDRIVE_WEBHOOK_USER: pd.webhookUser,
    PIPEDRIVE_WEBHOOK_PASSWORD: pd.webhookPassword,
    SLACK_API_URL: sl.url,
    SLACK_BOT_TOKEN: sl.botToken,
    SLACK_SIGNING_SECRET: sl.signingSecret,
    SLACK_REVIEW_CHANNEL: sl.reviewChannel,
    SLACK_REVIEWER_IDS: sl.reviewerIds.join(','),
    WORKER_WORKFLOW_BUNDLE: await workflowBundle(),
    ...o.env,
  };

  const spawnChild = (name: string, entry: string, extraEnv: NodeJS.ProcessEnv = {}): Child => {
    // BENCH_CHILD_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profiles the worker and the app (Node refuses
    // --cpu-prof in NODE_OPTIONS); the profiles are written when the child exits on the stack's stop.
    const childEnv = {
      ...(name === 'worker' ? WORKER_MALLOC_ENV : {}),
      ...env,
      ...extraEnv,
      STACK_PARENT_PID: String(process.pid),
    };
    const p = stackNodeProcess(join(ROOT, entry), childEnv, {
      // As npm start does: Node is asked once whether it starts with the flags (memoised), before the child is spawned.
      nodeFlags:
        name === 'worker'
          ? workerNodeArgs(parseConfig(childEnv, { probeNodeFlags: true }).worker)
          : parseConfig(childEnv, { probeNodeFlags: true }).app.nodeFlags,
      extraNodeArgs: process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean),
      mainThreadTsx: name === 'worker',
    });
    const proc = spawn(p.command, p.args, {
      cwd: ROOT,
      env: p.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const log = createWriteStream(join(logs, `${name}.log`), { flags: 'a' });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    const child: Child = { proc, expectExit: false, exited: Promise.resolve() };
    child.exited = new Promise((r) =>
      proc.once('exit', (code, signal) => {
        // A recycled worker asked to be replaced (workers/idle-recycle.ts): startWorker starts the next one.
        exits.push({
          name,
          at: new Date().toISOString(),
          code,
          signal,
          expected: child.expectExit || code === RECYCLE_EXIT_CODE,
        });
        r();
      }),
    );
    return child;
  };

  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: NAMESPACE });
  let worker: Child | undefined;
  let stopping = false;
  const startWorker = async (extraEnv?: NodeJS.ProcessEnv): Promise<number> => {
    const s0 = performance.now();
    worker = spawnChild('worker', 'workers/main.ts', extraEnv);
    const w = worker;
    // As `npm start` does: a worker that recycles itself is replaced at once, a crashed one after a second, with the
    // same settings. The crash stays in `exits` as unexpected, for the scenario's report and verdict.
    w.proc.once('exit', (code) => {
      if (w.expectExit || stopping) return;
      const recycled = code === RECYCLE_EXIT_CODE;
      setTimeout(
        () => {
          if (stopping || worker !== w) return;
          void startWorker(extraEnv).catch((err: Error) =>
            process.stderr.write(`restarting a ${recycled ? 'recycled' : 'crashed'} worker failed: ${err.message}\n`),
          );
        },
        recycled ? 0 : 1_000,
      );
    });
    // By identity (the SDK's default is `<pid>@<host>`): a killed worker stays listed as a poller for about a minute.
    const up = await waitFor(
      async () => (await pollerPids(client).catch(() => new Set<number>())).has(w.proc.pid ?? -1),
      {
        timeoutMs: 180_000,
        intervalMs: 250,
        abort: w.exited.then(() => 'the worker exited while starting (see its log)'),
      },
    );
    if (up !== true) throw new Error(typeof up === 'string' ? up : 'the worker did not poll within 180 s');
    return (performance.now() - s0) / 1000;
  };
  const killWorker = async (): Promise<void> => {
    const w = worker;
    if (!w || w.proc.exitCode !== null || w.proc.signalCode !== null) return;
    w.expectExit = true;
    w.proc.kill('SIGKILL');
    await w.exited;
  };
  const stopChild = async (c: Child | undefined): Promise<void> => {
    if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
    c.expectExit = true;
    c.proc.kill('SIGTERM');
    const t = setTimeout(() => c.proc.kill('SIGKILL'), 20_000);
    await c.exited;
    clearTimeout(t);
  };

  let app: Child | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    await stopChild(app);
    await stopChild(worker);
    await connection.close().catch(() => undefined);
    await Promise.all([netsuite.close(), pipedrive.close(), slack.close()].map((p) => p.catch(() => undefined)));
    serverStopping = true;
    await server?.stop();
    // A crash's log is the only account of it: kept, with the rest, whenever a child exited unexpectedly.
    const crashed = exits.some((e) => !e.expected);
    if (!process.env.CHAOS_KEEP_DATA && !crashed) rmSync(dataDir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dataDir}${crashed ? ' (a child exited unexpectedly: see logs/)' : ''}\n`);
  };

  try {
    const workerSeconds = await startWorker();
    app = spawnChild('app', 'starters/http/main.ts');
    const appUrl = `http://${HOST}:${ports.app}`;
    const ready = await waitFor(
      async () =>
        (await axios.get(`${appUrl}/readyz`, { timeout: 2_000, validateStatus: () => true }).catch(() => undefined))
          ?.status === 200,
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        abort: app.exited.then(() => `the app exited while starting:\n${tail(join(logs, 'app.log'))}`),
      },
    );
    if (ready !== true) throw new Error(typeof ready === 'string' ? ready : 'the app did not become ready within 90 s');
    slack.setInteractivityUrl(`${appUrl}/slack/events`);
    const stack: ChaosStack = {
      json: {
        temporal: { address: env.TEMPORAL_ADDRESS!, namespace: NAMESPACE, ui: '' },
        app: { url: appUrl },
        ops: { url: `http://${HOST}:${ports.ops}` },
        pipedrive: pd,
        netsuite: ns,
        slack: sl,
      },
      dataDir,
      netsuite,
      pipedrive,
      client,
      workerPid: () =>
        worker && worker.proc.exitCode === null && worker.proc.signalCode === null ? worker.proc.pid : undefined,
      killWorker,
      startWorker,
      workerMetricsUrl: `http://${HOST}:${ports.metrics}/metrics`,
      async stopTemporal(hard = false) {
        const s = server;
        if (!s) return;
        serverStopping = true;
        const gone = new Promise<void>((r) =>
          s.child.exitCode !== null || s.child.signalCode !== null ? r() : s.child.once('exit', () => r()),
        );
        if (hard) s.child.kill('SIGKILL');
        else await s.stop();
        await gone;
        server = undefined;
      },
      async startTemporal() {
        const s0 = performance.now();
        serverStopping = false;
        server = await startDevServer(serverOptions);
        watchServer(server);
        return (performance.now() - s0) / 1000;
      },
      exits,
      async stop() {
        runningStacks.delete(stack);
        await stop();
      },
    };
    runningStacks.add(stack);
    process.stderr.write(
      `chaos stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s (worker ${workerSeconds.toFixed(1)} s); data ${dataDir}\n`,
    );
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function pollerPids(client: Client): Promise<Set<number>> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: NAMESPACE,
    taskQueue: { name: TASK_QUEUES.onboarding, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return new Set((response.pollers ?? []).map((p) => Number((p.identity ?? '').split('@')[0])));
}

function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}
