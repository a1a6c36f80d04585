import { readFileSync } from 'node:fs';

export const TEST_ENV_FILE_VAR = 'ONBOARDING_TEST_ENV_FILE';

/** Written by the global setup, read by every test process. */
export interface TestEnvFile {
  address: string;
  namespace: string;
  workflowBundlePath: string;
  dir: string;
  /** The time-skipping test server's executable, or why none could be found or built (scripts/temporal-test-server.ts). */
  timeSkipping: { path: string } | { error: string };
}

export function readTestEnvFile(): TestEnvFile {
  const path = process.env[TEST_ENV_FILE_VAR];
  if (!path)
    throw new Error(
      `${TEST_ENV_FILE_VAR} is not set: run tests through jest (npm test), whose global setup starts Temporal`,
    );
  return JSON.parse(readFileSync(path, 'utf8')) as TestEnvFile;
}
