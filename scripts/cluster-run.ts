/**
 * Starts the whole cluster: PostgreSQL, the schema, Temporal's history, matching, frontend and worker services as
 * four supervised processes, the namespace and search attributes, and the Web UI when its binary can be had. Used by
 * `npm run cluster` (scripts/cluster.ts), the suite's cluster target (test/setup/cluster-target.ts) and chaos R7.
 */
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import axios from 'axios';
import {
  allPorts,
  SERVICES,
  writeServerConfigs,
  writeUiConfig,
  type ClusterPorts,
  type ServiceName,
} from './cluster-config';
import { startPostgres, type RunningPostgres } from './cluster-postgres';
import { supervise, type SupervisedProcess } from './cluster-process';
import { registerNamespace, setupSchema } from './cluster-schema';
import { clusterSettings } from './cluster-settings';
import { assertPortFree, waitFor } from './process-utils';
import { ensureTemporalServer, ensureTemporalUi } from './temporal-server';

export interface ClusterOptions {
  /** Holds `postgres/` (the data directory), `config/` and `logs/`. */
  dir: string;
  ports: ClusterPorts;
  /** Build or find the Web UI server and run it on `ports.ui`; without it the cluster is headless. */
  ui: boolean;
  /** `false`: PostgreSQL without fsync and services stopped with SIGKILL, for throw-away test clusters. */
  durable: boolean;
  /** Own process groups, so a terminal's Ctrl-C reaches only the launcher, which then stops everything in order. */
  detached: boolean;
  log: (line: string) => void;
  /** Directories above `dir` that PostgreSQL must pass through (scripts/cluster-postgres.ts, `searchable`). */
  searchable?: string[];
  /** The services' log level (default warn); `info` also logs why a history task was skipped or dropped. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Another dynamic config file (repo-relative) than cluster.json's: for experiments (bench/cluster-side-by-side.ts). */
  dynamicConfigFile?: string;
  /** Receives, before anything starts, the function that stops whatever has started: a Ctrl-C during start-up calls it. */
  onStopper?: (stop: () => Promise<void>) => void;
}

export interface RunningCluster {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** Why there is no UI, when `ui` was asked for and could not be had. */
  uiUnavailable?: string;
  postgres: RunningPostgres;
  services: Record<ServiceName, SupervisedProcess>;
  ui?: SupervisedProcess;
  /** Resolves with the reason when a part of the cluster died for good. */
  failed: Promise<string>;
  logDir: string;
  stop(): Promise<void>;
}

export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export async function startCluster(o: ClusterOptions): Promise<RunningCluster> {
  const settings = clusterSettings();
  const logDir = join(o.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const p = o.ports;
  for (const { port, what } of allPorts(p)) await assertPortFree(p.host, port, what);

  const binaries = ensureTemporalServer();
  const uiBinary = o.ui ? ensureTemporalUi() : undefined;

  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async (): Promise<void> => {
    while (started.length > 0)
      await started
        .pop()!
        .stop()
        .catch(() => undefined);
  };
  o.onStopper?.(stopAll);
  try {
    const postgres = await startPostgres({
      dataDir: join(o.dir, 'postgres'),
      host: p.host,
      port: p.postgres,
      user: settings.postgres.user,
      password: settings.postgres.password,
      logTo: join(logDir, 'postgres.log'),
      durable: o.durable,
      detached: o.detached,
      searchable: [...(o.searchable ?? []), o.dir],
    });
    started.push(postgres);
    o.log(`PostgreSQL accepting connections on ${p.host}:${p.postgres} (data ${join(o.dir, 'postgres')})`);
    setupSchema({
      sqlTool: binaries.sql.path,
      schemaDir: binaries.schemaDir,
      host: p.host,
      port: p.postgres,
      log: o.log,
    });

    const configs = writeServerConfigs(
      o.dir,
      p,
      o.dynamicConfigFile ? { ...settings, dynamicConfigFile: o.dynamicConfigFile } : settings,
      o.logLevel,
    );
    const graceMs = o.durable ? 20_000 : 0;
    const services = {} as Record<ServiceName, SupervisedProcess>;
    // One at a time, each once it has joined the membership ring: started together, they race to create the system
    // namespace on a fresh database and the losers exit. The worker service serves no gRPC, hence the membership port.
    for (const service of SERVICES) {
      const proc = supervise({
        name: service,
        command: binaries.server.path,
        args: [
          '--root',
          o.dir,
          '--config',
          configs[service],
          '--env',
          'development',
          '--allow-no-auth',
          'start',
          '--service',
          service,
        ],
        cwd: o.dir,
        logTo: join(logDir, `${service}.log`),
        detached: o.detached,
        onRestart: (name, code, signal) => o.log(`${name} exited (code ${code}, signal ${signal}); restarting it`),
      });
      services[service] = proc;
      started.push({ stop: () => proc.stop(graceMs) });
      const port = p.membership[service];
      const up = await waitFor(() => listening(p.host, port), {
        timeoutMs: 120_000,
        intervalMs: 200,
        abort: proc.gaveUp,
      });
      if (up !== true)
        throw new Error(
          up || `Temporal ${service} did not listen on ${p.host}:${port} within 120 s (see ${logDir}/${service}.log)`,
        );
    }
    const address = `${p.host}:${p.frontend}`;
    await registerNamespace(address, o.log);

    let ui: SupervisedProcess | undefined;
    let uiUnavailable: string | undefined;
    if (uiBinary && 'unavailable' in uiBinary) uiUnavailable = uiBinary.unavailable;
    else if (uiBinary && p.ui !== undefined) {
      const uiConfig = writeUiConfig(o.dir, p, settings.namespace.name);
      const proc = supervise({
        name: 'ui',
        command: uiBinary.path,
        args: ['--root', o.dir, '--config', uiConfig, '--env', 'development', 'start'],
        cwd: o.dir,
        logTo: join(logDir, 'ui.log'),
        detached: o.detached,
      });
      ui = proc;
      started.push({ stop: () => proc.stop(graceMs) });
      const uiUp = await waitFor(
        async () =>
          (await axios.get(`http://${p.host}:${p.ui}/`, { timeout: 1_000 }).catch(() => undefined))?.status === 200,
        { timeoutMs: 30_000, intervalMs: 250, abort: proc.gaveUp },
      );
      if (uiUp !== true)
        throw new Error(uiUp || `the Web UI did not answer on ${p.host}:${p.ui} within 30 s (see ${logDir}/ui.log)`);
    }

    const failed = Promise.race([
      ...Object.values(services).map((s) => s.gaveUp),
      ...(ui ? [ui.gaveUp] : []),
      postgres.crashed.then((code) => `PostgreSQL exited unexpectedly (code ${code}); see ${logDir}/postgres.log`),
    ]);
    return {
      address,
      namespace: settings.namespace.name,
      uiUrl: ui ? `http://${p.host}:${p.ui}` : undefined,
      uiUnavailable,
      postgres,
      services,
      ui,
      failed,
      logDir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
