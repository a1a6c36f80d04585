/**
 * Schema and namespace for the cluster. The SQL tool creates both databases, sets up the schema on a fresh one and
 * upgrades an older one to the server's version (each step is a no-op when already done); the namespace and the
 * search attributes are registered through the frontend, also idempotently, on every start.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { google, temporal } from '@temporalio/proto';
import { clusterSettings, retentionSeconds, type ClusterSettings } from './cluster-settings';
import { waitFor } from './process-utils';

export function setupSchema(
  o: { sqlTool: string; schemaDir: string; host: string; port: number; log: (line: string) => void },
  s: ClusterSettings = clusterSettings(),
): void {
  const base = ['--plugin', s.postgres.plugin, '--ep', o.host, '-p', String(o.port), '-u', s.postgres.user];
  // The password travels in the environment (SQL_PASSWORD), not on a command line other users can read.
  const env = { ...process.env, SQL_PASSWORD: s.postgres.password };
  const run = (database: string, args: string[]): void => {
    const r = spawnSync(o.sqlTool, [...base, '--db', database, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) {
      const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-4).join('\n');
      throw new Error(`temporal-sql-tool --db ${database} ${args.join(' ')} failed (exit ${r.status}):\n${tail}`);
    }
  };
  for (const [database, folder] of [
    [s.postgres.database, 'temporal'],
    [s.postgres.visibilityDatabase, 'visibility'],
  ] as const) {
    run(database, ['create-database']);
    run(database, ['setup-schema', '-v', '0.0']);
    run(database, ['update-schema', '-d', join(o.schemaDir, folder, 'versioned')]);
  }
  o.log(`schema of ${s.postgres.database} and ${s.postgres.visibilityDatabase} set up and at the server's version`);
}

const { IndexedValueType } = temporal.api.enums.v1;
/** protobufjs turns the number into the Long the generated types ask for. */
const duration = (seconds: number) => google.protobuf.Duration.fromObject({ seconds });

/**
 * Registers the namespace (cluster.json's, or `name`) with its retention and the search attributes, once the frontend
 * answers. SQL visibility keeps custom search attributes per namespace, so every namespace gets its own.
 */
export async function registerNamespace(
  address: string,
  log: (line: string) => void,
  o: { name?: string; settings?: ClusterSettings } = {},
): Promise<void> {
  const s = o.settings ?? clusterSettings();
  let connection: Connection | undefined;
  const connected = await waitFor(
    async () => {
      try {
        connection = await Connection.connect({ address, connectTimeout: 2_000 });
        await connection.workflowService.getSystemInfo({});
        return true;
      } catch {
        await connection?.close().catch(() => undefined);
        connection = undefined;
        return false;
      }
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  if (connected !== true || !connection)
    throw new Error(`the Temporal frontend at ${address} did not answer within 120 s`);
  try {
    const name = o.name ?? s.namespace.name;
    try {
      await connection.workflowService.registerNamespace({
        namespace: name,
        workflowExecutionRetentionPeriod: duration(retentionSeconds(s)),
      });
      log(`namespace ${name} registered (retention ${s.namespace.retention})`);
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
      await connection.workflowService.updateNamespace({
        namespace: name,
        config: { workflowExecutionRetentionTtl: duration(retentionSeconds(s)) },
      });
    }
    // A namespace is usable by every frontend only after its registry refresh; wait until it describes.
    const described = await waitFor(
      async () =>
        await connection!.workflowService.describeNamespace({ namespace: name }).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    if (described !== true) throw new Error(`namespace ${name} was registered but does not describe within 60 s`);

    const existing = await connection.operatorService.listSearchAttributes({ namespace: name });
    const missing = s.searchAttributes.filter((sa) => !(sa.name in (existing.customAttributes ?? {})));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace: name,
        searchAttributes: Object.fromEntries(
          missing.map((sa) => [sa.name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
        ),
      });
      log(`search attributes registered: ${missing.map((sa) => sa.name).join(', ')}`);
    }
  } finally {
    await connection.close();
  }
}
