/**
 * The Temporal server's static configuration for one service process, rendered from deploy/temporal/cluster.json
 * and the ports in use. Each of the four services runs as its own process with its own config directory: they share
 * everything but the Prometheus listener, which each process binds for itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterSettings, dynamicConfigPath, type ClusterSettings } from './cluster-settings';
import { freePort } from './process-utils';

export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ClusterPorts {
  host: string;
  postgres: number;
  /** Client-facing: the SDK, the CLI and the Web UI connect here. */
  frontend: number;
  frontendHttp: number;
  ui?: number;
  grpc: Record<Exclude<ServiceName, 'frontend'>, number>;
  membership: Record<ServiceName, number>;
  metrics: Record<ServiceName, number>;
}

/** `npm run cluster`'s fixed ports: Temporal's usual ones (development-postgres12.yaml), the frontend and UI as npm start expects. */
export function defaultClusterPorts(o: { host: string; frontend: number; ui: number; postgres: number }): ClusterPorts {
  return {
    host: o.host,
    postgres: o.postgres,
    frontend: o.frontend,
    frontendHttp: 7243,
    ui: o.ui,
    grpc: { history: 7234, matching: 7235, worker: 7239 },
    membership: { frontend: 6933, history: 6934, matching: 6935, worker: 6939 },
    metrics: { frontend: 8000, history: 8001, matching: 8002, worker: 8003 },
  };
}

/** Free ports for a throw-away cluster beside others (the suite's cluster target, chaos R7, the benchmarks); headless. */
export async function freeClusterPorts(host = '127.0.0.1'): Promise<ClusterPorts> {
  const next = () => freePort(host);
  return {
    host,
    postgres: await next(),
    frontend: await next(),
    frontendHttp: await next(),
    grpc: { history: await next(), matching: await next(), worker: await next() },
    membership: { frontend: await next(), history: await next(), matching: await next(), worker: await next() },
    metrics: { frontend: await next(), history: await next(), matching: await next(), worker: await next() },
  };
}

export function allPorts(p: ClusterPorts): Array<{ port: number; what: string }> {
  return [
    { port: p.postgres, what: 'PostgreSQL' },
    { port: p.frontend, what: 'Temporal frontend gRPC' },
    { port: p.frontendHttp, what: 'Temporal frontend HTTP' },
    ...(p.ui === undefined ? [] : [{ port: p.ui, what: 'Temporal Web UI' }]),
    ...Object.entries(p.grpc).map(([s, port]) => ({ port, what: `Temporal ${s} gRPC` })),
    ...Object.entries(p.membership).map(([s, port]) => ({ port, what: `Temporal ${s} membership` })),
    ...Object.entries(p.metrics).map(([s, port]) => ({ port, what: `Temporal ${s} metrics` })),
  ];
}

function datastore(s: ClusterSettings, p: ClusterPorts, database: string, maxConns: number): Record<string, unknown> {
  return {
    sql: {
      pluginName: s.postgres.plugin,
      databaseName: database,
      connectAddr: `${p.host}:${p.postgres}`,
      connectProtocol: 'tcp',
      user: s.postgres.user,
      password: s.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

export function serverConfig(
  service: ServiceName,
  p: ClusterPorts,
  s: ClusterSettings = clusterSettings(),
  logLevel = 'warn',
): Record<string, unknown> {
  const rpc = (name: ServiceName) => ({
    grpcPort: name === 'frontend' ? p.frontend : p.grpc[name],
    membershipPort: p.membership[name],
    bindOnIP: p.host,
    ...(name === 'frontend' ? { httpPort: p.frontendHttp } : {}),
  });
  return {
    log: { stdout: true, level: logLevel, format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: s.numHistoryShards,
      datastores: {
        'postgres-default': datastore(s, p, s.postgres.database, 20),
        'postgres-visibility': datastore(s, p, s.postgres.visibilityDatabase, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: p.host },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `${p.host}:${p.metrics[service]}` },
      },
    },
    services: Object.fromEntries(SERVICES.map((name) => [name, { rpc: rpc(name) }])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${p.host}:${p.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigPath(s), pollInterval: '10s' },
  };
}

/**
 * Writes `<root>/config/<service>/development.yaml` for every service (JSON is YAML) and returns the `--config` value of
 * each, relative to `root` as the server expects.
 */
export function writeServerConfigs(
  root: string,
  p: ClusterPorts,
  s: ClusterSettings = clusterSettings(),
  logLevel = 'warn',
): Record<ServiceName, string> {
  const out = {} as Record<ServiceName, string>;
  for (const service of SERVICES) {
    const dir = join('config', service);
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(
      join(root, dir, 'development.yaml'),
      `${JSON.stringify(serverConfig(service, p, s, logLevel), null, 2)}\n`,
    );
    out[service] = dir;
  }
  return out;
}

/** The Web UI server's config (ui-server's `config/development.yaml`), pointing at the frontend. */
export function writeUiConfig(root: string, p: ClusterPorts, namespace: string): string {
  const dir = join('config', 'ui');
  mkdirSync(join(root, dir), { recursive: true });
  const origin = `http://${p.host}:${p.ui}`;
  const config = {
    temporalGrpcAddress: `${p.host}:${p.frontend}`,
    host: p.host,
    port: p.ui,
    enableUi: true,
    defaultNamespace: namespace,
    cors: { allowOrigins: [origin, `http://localhost:${p.ui}`], cookieInsecure: true },
    notifyOnNewVersion: false,
    auth: { enabled: false },
  };
  writeFileSync(join(root, dir, 'development.yaml'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}
