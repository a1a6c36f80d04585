/**
 * Runs `temporal server start-dev` as a child process: used by `npm start` (SQLite file under .data/, Web UI)
 * and by the jest global setup (temporary database, free ports, headless).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../domain/temporal-names';
import { assertPortFree, nicedCommand, waitFor } from './process-utils';

export interface DevServerOptions {
  cliPath: string;
  ip: string;
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number;
  namespace: string;
  /** SQLite file; `undefined` keeps everything in memory. */
  dbFile?: string;
  /**
   * `synchronous=NORMAL` with WAL survives a process crash and loses at most the last transactions on power loss;
   * tests may trade that for speed with `OFF`.
   */
  synchronous?: 'OFF' | 'NORMAL' | 'FULL';
  /** Where the server's own log goes (file path); `inherit` writes to our stderr. */
  logTo?: string | 'inherit';
  startTimeoutMs?: number;
  /**
   * Own process group, so a terminal's Ctrl-C reaches only the launcher, which then stops the server last.
   * Tests leave it in jest's group instead, so an interrupted `npm test` takes the server down with it.
   */
  detached?: boolean;
  /** CPU niceness (0 = inherit ours); `npm start` lowers it below the app's (STACK_BACKGROUND_NICE). */
  nice?: number;
}

export interface RunningDevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--namespace', o.namespace];
  args.push(...(o.uiPort === undefined ? ['--headless'] : ['--ui-port', String(o.uiPort), '--ui-ip', o.ip]));
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  for (const sa of SEARCH_ATTRIBUTE_DECLARATIONS) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  // WAL lets readers (visibility queries, the UI) proceed while the single writer commits.
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', `synchronous=${o.synchronous ?? 'NORMAL'}`);
  args.push(
    '--log-format',
    'json',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // Visibility queries by our search attributes from the CLI and /ops must see fresh values.
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=true',
    // One server process: the default four partitions per task queue only add forwarding hops between a task and
    // the worker polling for it (P3 profile, bench/results).
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
  );
  return args;
}

async function grpcReady(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export async function startDevServer(o: DevServerOptions): Promise<RunningDevServer> {
  await assertPortFree(o.ip, o.port, 'Temporal gRPC (TEMPORAL_PORT)');
  if (o.uiPort !== undefined) await assertPortFree(o.ip, o.uiPort, 'Temporal Web UI (TEMPORAL_UI_PORT)');
  const [command, args] = nicedCommand(o.cliPath, devServerArgs(o), o.nice ?? 0);
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: o.detached ?? false,
  });
  const sink =
    o.logTo === 'inherit' || o.logTo === undefined ? process.stderr : createWriteStream(o.logTo, { flags: 'a' });
  child.stdout?.pipe(sink, { end: false });
  child.stderr?.pipe(sink, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${o.ip}:${o.port}`;

  const ready = await waitFor(() => grpcReady(address, o.namespace), {
    timeoutMs: o.startTimeoutMs ?? 60_000,
    intervalMs: 150,
    abort: exited.then((code) => `temporal server start-dev exited with code ${code} before it was ready`),
  });
  if (ready !== true) {
    child.kill('SIGKILL');
    throw new Error(typeof ready === 'string' ? ready : `Temporal dev server not ready on ${address}`);
  }

  return {
    address,
    namespace: o.namespace,
    uiUrl: o.uiPort === undefined ? undefined : `http://${o.ip}:${o.uiPort}`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
