/**
 * `npm start`: the whole stack in the foreground. Temporal dev server (SQLite under .data/, Web UI), the
 * simulators of every vendor without real credentials, the worker and the HTTP app. Writes .data/stack.json when
 * everything answers; Ctrl-C (or SIGTERM) stops everything in reverse order and removes it.
 */
import { processDataConverter } from '../runtime/payload-codec';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axios from 'axios';
import { Connection, Client } from '@temporalio/client';
import { TASK_QUEUES } from '../domain/temporal-names';
import { sandboxedVendors, type Config } from '../runtime/config';
import { loadConfigOrExit } from '../runtime/load-config';
import { workerNodeArgs } from '../runtime/node-flags';
import { RECYCLE_EXIT_CODE } from '../workers/idle-recycle';
import { withWorkerMalloc } from '../workers/malloc-env';
import { createLogger } from '../runtime/logger';
import { ensurePrivateDir, restrictFile, writePrivateFile } from '../runtime/private-files';
import { temporalTls } from '../runtime/temporal-connection';
import { liveWorkflowPollers } from '../runtime/worker-presence';
import { startDevServer, type RunningDevServer } from './dev-server';
import { assertPortFree, stackNodeProcess, waitFor } from './process-utils';
import { startSandbox, type RunningSandbox } from './sandbox-services';
import { ensureTemporalCli } from './temporal-cli';

const ROOT = resolve(__dirname, '..');
const log = createLogger('stack', process.env.LOG_LEVEL ?? 'info');

interface Stack {
  server?: RunningDevServer;
  sandbox?: RunningSandbox;
  children: Array<{ name: string; child: ChildProcess }>;
  stackFile?: string;
  stopping: boolean;
}
const stack: Stack = { children: [], stopping: false };

/** A crashed worker or app is restarted (its open work lives in Temporal or the intake outbox); a crash loop stops the stack. */
const RESTART_BUDGET = { restarts: 5, windowMs: 60_000, delayMs: 1_000 };

function spawnNode(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  o: { nodeFlags?: string[]; nice?: number; mainThreadTsx?: boolean } = {},
): ChildProcess {
  const entryRef = { name, child: undefined as unknown as ChildProcess };
  const recentRestarts: number[] = [];
  const start = (): ChildProcess => {
    const p = stackNodeProcess(join(ROOT, entry), { ...env, STACK_PARENT_PID: String(process.pid) }, o);
    const child = spawn(p.command, p.args, {
      cwd: ROOT,
      env: p.env,
      stdio: ['ignore', 'inherit', 'inherit'],
      // Own process group: Ctrl-C reaches only us, and we stop the children in order.
      detached: true,
    });
    entryRef.child = child;
    child.once('exit', (code, signal) => {
      if (stack.stopping) return;
      if (code === RECYCLE_EXIT_CODE) {
        // Asked for (workers/idle-recycle.ts): not a crash, so a fresh process at once and no charge to the budget.
        log.info(
          { process: name },
          `${name} recycled itself (idle, grown more than WORKER_RECYCLE_GROWTH_MB over its settled baseline); starting a fresh one`,
        );
        start();
        return;
      }
      const now = Date.now();
      while (recentRestarts.length > 0 && now - recentRestarts[0]! > RESTART_BUDGET.windowMs) recentRestarts.shift();
      if (recentRestarts.length >= RESTART_BUDGET.restarts) {
        log.error(
          { process: name, code, signal, restarts: recentRestarts.length },
          `${name} keeps exiting; stopping the stack`,
        );
        void shutdown(1);
        return;
      }
      recentRestarts.push(now);
      log.error(
        { process: name, code, signal, restart: recentRestarts.length },
        `${name} exited unexpectedly; restarting it`,
      );
      setTimeout(() => {
        if (!stack.stopping) start();
      }, RESTART_BUDGET.delayMs);
    });
    return child;
  };
  const first = start();
  stack.children.push(entryRef);
  return first;
}

async function stopChild(name: string, child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log.warn({ process: name }, `${name} did not stop within 15 s; killing it`);
    child.kill('SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

async function shutdown(code: number): Promise<never> {
  if (stack.stopping) return new Promise<never>(() => undefined);
  stack.stopping = true;
  log.info('stopping the stack');
  if (stack.stackFile) rmSync(stack.stackFile, { force: true });
  for (const { name, child } of [...stack.children].reverse()) await stopChild(name, child);
  await stack.sandbox?.close().catch((err: Error) => log.warn({ err: err.message }, 'sandbox stop failed'));
  await stack.server?.stop();
  log.info('stack stopped');
  process.exit(code);
}

async function temporalClient(config: Config): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({
    address: config.temporal.address,
    tls: temporalTls(config.temporal),
    apiKey: config.temporal.apiKey,
  });
  return {
    connection,
    client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: processDataConverter() }),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  // `on`, not `once`: Ctrl-C reaches us twice (from the terminal's process group and relayed by tsx), and a
  // second signal without a handler would kill us halfway through stopping the children.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const config = loadConfigOrExit({ probeNodeFlags: true });
  const dataDir = resolve(ROOT, config.dataDir);
  // Histories, logs, the outbox and stack.json hold personal data and secrets: owner-only (runtime/private-files.ts).
  ensurePrivateDir(dataDir);
  ensurePrivateDir(join(dataDir, 'logs'));
  stack.stackFile = join(dataDir, 'stack.json');
  rmSync(stack.stackFile, { force: true });
  await assertPortFree(config.app.host, config.app.port, 'the HTTP app (APP_PORT)');
  await assertPortFree(config.opsHttp.host, config.opsHttp.port, "the app's internal listener (OPS_PORT)");

  if (config.temporal.embedded) {
    const cli = await ensureTemporalCli();
    log.info({ cli: cli.path, source: cli.source }, 'starting the Temporal dev server');
    stack.server = await startDevServer({
      cliPath: cli.path,
      ip: config.temporal.host,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      dbFile: join(dataDir, 'temporal.sqlite'),
      logTo: join(dataDir, 'logs', 'temporal.log'),
      detached: true,
      nice: config.stack.backgroundNice,
    });
  }

  const vendors = sandboxedVendors(config);
  stack.sandbox = await startSandbox(vendors, { config, dataDir, log });
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...stack.sandbox.env };

  spawnNode('worker', 'workers/main.ts', withWorkerMalloc(childEnv), {
    nodeFlags: workerNodeArgs(config.worker),
    nice: config.stack.backgroundNice,
    mainThreadTsx: true,
  });
  const { connection, client } = await temporalClient(config);
  const workerUp = await waitFor(
    async () =>
      (await liveWorkflowPollers(client, TASK_QUEUES.onboarding, config.temporal.namespace).catch(() => 0)) > 0,
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  await connection.close();
  if (workerUp !== true)
    throw new Error(`no worker polled task queue ${TASK_QUEUES.onboarding} within 120 s (see the worker log above)`);

  spawnNode('app', 'starters/http/main.ts', childEnv, { nodeFlags: config.app.nodeFlags });
  const appUrl = `http://${config.app.host}:${config.app.port}`;
  const appReady = await waitFor(
    async () =>
      (await axios.get(`${appUrl}/readyz`, { timeout: 2_000, validateStatus: () => true }).catch(() => undefined))
        ?.status === 200,
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  if (appReady !== true) throw new Error(`the app at ${appUrl} did not become ready within 60 s`);
  await stack.sandbox.afterAppReady(appUrl);

  const stackJson = {
    temporal: { address: config.temporal.address, namespace: config.temporal.namespace, ui: config.temporal.uiUrl },
    app: { url: appUrl },
    ops: { url: config.opsHttp.url },
    ...stack.sandbox.stackEntries,
  };
  writePrivateFile(stack.stackFile, `${JSON.stringify(stackJson, null, 2)}\n`);
  // The dev server creates its database with its own umask; the directory is private, the file is made so too.
  restrictFile(join(dataDir, 'temporal.sqlite'));

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log.info({ startupSeconds: Number(seconds), sandbox: vendors }, 'stack ready');
  process.stderr.write(
    [
      '',
      `  onboarding-orchestrator is up (${seconds} s)`,
      `  Temporal Web UI   ${config.temporal.uiUrl}`,
      `  App (public)      ${appUrl}   (Pipedrive webhook, Slack interactivity, probes)`,
      `  Ops (internal)    ${config.opsHttp.url}   (ops card: ${config.opsHttp.url}/ops, metrics: ${config.opsHttp.url}/metrics)`,
      ...stack.sandbox.banner,
      `  Stack file        ${stack.stackFile}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch(async (err: unknown) => {
  process.stderr.write(`\nnpm start failed: ${(err as Error).message}\n`);
  await shutdown(1);
});
