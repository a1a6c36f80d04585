/** Per-test-file access to the run's Temporal dev server and the pre-built workflow bundle. */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readTestEnvFile } from './test-env-file';

export interface TestTemporal {
  address: string;
  namespace: string;
  connection: Connection;
  client: Client;
  nativeConnection: NativeConnection;
  workflowBundle: { code: string };
  close(): Promise<void>;
}

export async function connectTestTemporal(): Promise<TestTemporal> {
  const env = readTestEnvFile();
  const connection = await Connection.connect({ address: env.address });
  const nativeConnection = await NativeConnection.connect({ address: env.address });
  return {
    address: env.address,
    namespace: env.namespace,
    connection,
    client: new Client({ connection, namespace: env.namespace }),
    nativeConnection,
    workflowBundle: { code: readFileSync(env.workflowBundlePath, 'utf8') },
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

let counter = 0;
/** A task queue no other test file shares, so workers of different files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
