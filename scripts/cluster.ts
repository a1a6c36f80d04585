/**
 * `npm run cluster`: a Temporal cluster on PostgreSQL in the foreground, for `TEMPORAL_EMBEDDED=false npm start`.
 * PostgreSQL on its own data directory under DATA_DIR (.data/cluster/postgres), the schema set up or upgraded, the
 * history, matching, frontend and worker services as separate processes, namespace and search attributes from
 * deploy/temporal/cluster.json, and the Web UI. The frontend and UI take the ports `npm start` expects
 * (TEMPORAL_PORT, TEMPORAL_UI_PORT); PostgreSQL takes CLUSTER_POSTGRES_PORT (7432). Ctrl-C stops everything.
 */
import { resolve, join } from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORTS } from '../runtime/defaults';
import { defaultClusterPorts } from './cluster-config';
import { startCluster, type RunningCluster } from './cluster-run';
import { clusterSettings } from './cluster-settings';

const ROOT = resolve(__dirname, '..');
const log = (line: string): void => void process.stderr.write(`[cluster] ${line}\n`);

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    process.stderr.write(`${name}=${raw} is not a TCP port (1-65535)\n`);
    process.exit(1);
  }
  return value;
}

let cluster: RunningCluster | undefined;
let stopStarted: (() => Promise<void>) | undefined;
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping the cluster');
  await (cluster?.stop ?? stopStarted)?.();
  log('cluster stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  const started = Date.now();
  // `on`, not `once`: Ctrl-C may arrive twice (terminal and tsx), and an unhandled second one would kill us mid-stop.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const host = process.env.TEMPORAL_HOST || DEFAULT_HOST;
  const ports = defaultClusterPorts({
    host,
    frontend: intFromEnv('TEMPORAL_PORT', DEFAULT_PORTS.temporalGrpc),
    ui: intFromEnv('TEMPORAL_UI_PORT', DEFAULT_PORTS.temporalUi),
    postgres: intFromEnv('CLUSTER_POSTGRES_PORT', 7432),
  });
  const dataDir = resolve(ROOT, process.env.DATA_DIR || '.data');
  const dir = join(dataDir, 'cluster');
  cluster = await startCluster({
    dir,
    ports,
    ui: true,
    durable: true,
    detached: true,
    log,
    searchable: [dataDir],
    onStopper: (stop) => (stopStarted = stop),
  });
  const settings = clusterSettings();
  const pids = Object.entries(cluster.services)
    .map(([name, s]) => `${name} ${s.pid}`)
    .join(', ');
  process.stderr.write(
    [
      '',
      `  Temporal ${settings.temporalVersion} cluster on PostgreSQL is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  Frontend (gRPC)   ${cluster.address}   namespace ${cluster.namespace}, retention ${settings.namespace.retention}`,
      `  Web UI            ${cluster.uiUrl ?? `not running: ${cluster.uiUnavailable?.split('\n')[0] ?? 'no UI port'}`}`,
      `  PostgreSQL        ${host}:${ports.postgres}   data ${join(dir, 'postgres')}`,
      `  Services (pid)    ${pids}, postgres ${cluster.postgres.pid}`,
      `  Logs              ${cluster.logDir}`,
      '  Next: TEMPORAL_EMBEDDED=false npm start   (another terminal)',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
  const reason = await cluster.failed;
  log(`${reason}; stopping`);
  await shutdown(1);
}

main().catch(async (err: unknown) => {
  process.stderr.write(`\nnpm run cluster failed: ${(err as Error).message}\n`);
  await shutdown(1);
});
