/**
 * A time-skipping Temporal environment per test file: the SDK's `TestWorkflowEnvironment.createTimeSkipping` on the
 * test server the global setup found or built (scripts/temporal-test-server.ts), so timers of hours and days run at
 * their real durations in a second. Time skips only while a test awaits a workflow result or `env.sleep(…)`.
 */
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import { readTestEnvFile } from './test-env-file';

export interface TimeSkippingTemporal {
  env: TestWorkflowEnvironment;
  /** The test server serves only `default`. */
  namespace: string;
  nativeConnection: TestWorkflowEnvironment['nativeConnection'];
  workflowBundle: { code: string };
  close(): Promise<void>;
}

export async function createTimeSkippingTemporal(): Promise<TimeSkippingTemporal> {
  const file = readTestEnvFile();
  if ('error' in file.timeSkipping) throw new Error(file.timeSkipping.error);
  const { path } = file.timeSkipping;
  const env = await withStartRetries(() =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } }),
  );
  // The test server knows no custom search attributes until told; the workflows upsert these.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      Object.values(SEARCH_ATTRIBUTES).map((k) => [
        k.name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return {
    env,
    namespace: 'default',
    nativeConnection: env.nativeConnection,
    workflowBundle: { code: readFileSync(file.workflowBundlePath, 'utf8') },
    close: () => env.teardown(),
  };
}

/**
 * The SDK gives the server 5 s to answer (sdk-core's ephemeral_server); a JVM starting on two cores that a full
 * `npm test` keeps busy can miss that (seen once in a full run). A fresh port and JVM on each attempt.
 */
async function withStartRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}
