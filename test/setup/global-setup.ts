/**
 * One real Temporal dev server for the whole jest run (free port, temporary SQLite file), and the workflow code
 * bundled once. Tests read both through test/helpers/temporal.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../scripts/dev-server';
import { freePort } from '../../scripts/process-utils';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { TEST_ENV_FILE_VAR, type TestEnvFile } from '../helpers/test-env-file';

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'onboarding-test-'));
  const cli = await ensureTemporalCli();
  const [server, bundle] = await Promise.all([
    startDevServer({
      cliPath: cli.path,
      ip: '127.0.0.1',
      port: await freePort(),
      namespace: 'default',
      dbFile: join(dir, 'temporal.sqlite'),
      synchronous: 'OFF',
      logTo: join(dir, 'temporal.log'),
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger }),
  ]);
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const file: TestEnvFile = { address: server.address, namespace: server.namespace, workflowBundlePath: bundlePath, dir };
  const envFile = join(dir, 'test-env.json');
  writeFileSync(envFile, JSON.stringify(file));
  process.env[TEST_ENV_FILE_VAR] = envFile;
  (globalThis as { __temporalServer?: typeof server }).__temporalServer = server;
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  log: () => undefined,
};
