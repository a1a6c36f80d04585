/**
 * The suite's second target: `TEMPORAL_TARGET=cluster npm test -- <files>` runs the same tests on the Temporal
 * cluster of `npm run cluster` (PostgreSQL, four service processes) instead of the dev server. The global setup
 * starts it in the run's temporary directory on free ports; every stack a test starts (test/helpers/stack-process.ts)
 * runs against it in a namespace of its own, as each got a server of its own on the dev-server target.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { freeClusterPorts } from '../../scripts/cluster-config';
import { startCluster } from '../../scripts/cluster-run';
import { registerNamespace } from '../../scripts/cluster-schema';
import { readTestEnvFile } from '../helpers/test-env-file';

export const TARGET_VAR = 'TEMPORAL_TARGET';

export function clusterTargetWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const target = env[TARGET_VAR];
  if (target === undefined || target === '' || target === 'dev-server') return false;
  if (target === 'cluster') return true;
  throw new Error(`${TARGET_VAR}=${target}: expected cluster or dev-server`);
}

/** Starts the cluster for the whole run; its log lines go to <dir>/cluster/logs with the services' own. */
export async function startClusterTarget(
  dir: string,
): Promise<{ address: string; namespace: string; stop(): Promise<void> }> {
  const started = Date.now();
  const lines: string[] = [];
  // mkdtemp makes the run's directory 0700; under root, PostgreSQL runs as `postgres` and must reach its data inside.
  chmodSync(dir, 0o711);
  try {
    const cluster = await startCluster({
      dir: join(dir, 'cluster'),
      ports: await freeClusterPorts('127.0.0.1'),
      ui: false,
      durable: false,
      detached: false,
      log: (line) => lines.push(line),
    });
    process.stderr.write(
      `[global-setup] Temporal cluster on PostgreSQL at ${cluster.address} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
    return { address: cluster.address, namespace: cluster.namespace, stop: () => cluster.stop() };
  } catch (err) {
    process.stderr.write(`[global-setup] the cluster target did not start:\n${lines.join('\n')}\n`);
    throw err;
  }
}

let stacks = 0;
/**
 * On the cluster target, points a stack's environment at the run's cluster, in a fresh namespace with the search
 * attributes (its KPIs, schedules and visibility queries see only its own deals). A no-op on the dev-server target.
 */
export async function targetStackEnv(env: NodeJS.ProcessEnv): Promise<void> {
  if (!clusterTargetWanted(env)) return;
  const { address } = readTestEnvFile();
  stacks += 1;
  const namespace = `stack-${process.pid}-${stacks}`;
  await registerNamespace(address, () => undefined, { name: namespace });
  Object.assign(env, { TEMPORAL_EMBEDDED: 'false', TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace });
}
