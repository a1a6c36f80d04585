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
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: file.timeSkipping.path } },
  });
  // The test server knows no custom search attributes until told; the workflows upsert these.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return {
    env,
    namespace: 'default',
    nativeConnection: env.nativeConnection,
    workflowBundle: { code: readFileSync(file.workflowBundlePath, 'utf8') },
    close: () => env.teardown(),
  };
}
