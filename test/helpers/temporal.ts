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
      // The client connection stays open: a call still in the SDK's gRPC retry back-off (e.g. a worker's fire-and-forget
      // breaker report to ops-watch) throws "Channel has been shut down" from its retry timer once the channel is
      // closed, and jest pins that uncaught error on whichever suite runs next in the same process (seen in CI under
      // load). Jest's forceExit ends the process at the end of the run.
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
