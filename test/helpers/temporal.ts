/** Per-test-file access to the run's Temporal dev server and the pre-built workflow bundle. */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { breakerReportsSettled } from '../../ops/activities/vendor-outages';
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
      // Breaker reports to ops-watch are bounded by a deadline and awaited here, as the worker awaits them before it
      // closes its connections (workers/main.ts). The client connection still stays open: any other call left in the
      // SDK's gRPC retry back-off would throw "Channel has been shut down" from its retry timer once the channel is
      // closed, and jest pins that uncaught error on whichever suite runs next in the same process (seen in CI under
      // load). Jest's forceExit ends the process at the end of the run.
      await breakerReportsSettled();
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
