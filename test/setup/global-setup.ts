/**
 * One Temporal server for the whole jest run, the workflow code bundled once, and the time-skipping test server
 * found (or built) once. Tests read all three through test/helpers/temporal.ts and test/helpers/time-skipping.ts.
 *
 * The server is the SDK's own `TestWorkflowEnvironment.createLocal` on the CLI that scripts/temporal-cli.ts finds:
 * a free port, namespace `default`, the project's search attributes, SQLite in the run's temporary directory.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import { ensureTemporalCli } from '../../scripts/temporal-cli';
import { ensureTemporalTestServer } from '../../scripts/temporal-test-server';
import { TEST_ENV_FILE_VAR, type TestEnvFile } from '../helpers/test-env-file';
import { clusterTargetWanted, startClusterTarget } from './cluster-target';

/** What the run's tests talk to, and how teardown stops it. */
interface RunServer {
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

export default async function globalSetup(): Promise<void> {
  quietRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'onboarding-test-'));
  const [server, bundle, timeSkipping] = await Promise.all([
    // TEMPORAL_TARGET=cluster: the same suite on the PostgreSQL cluster of `npm run cluster` (test/setup/cluster-target.ts).
    clusterTargetWanted() ? startClusterTarget(dir) : startLocalServer(dir),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger }),
    // A missing Java or Maven fails only the time-skipping tests (with this message), not the whole run.
    ensureTemporalTestServer().then(
      (found) => ({ path: found.path }),
      (err: Error) => ({ error: err.message }),
    ),
  ]);
  (globalThis as { __temporalServer?: RunServer }).__temporalServer = server;
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const file: TestEnvFile = {
    address: server.address,
    namespace: server.namespace,
    workflowBundlePath: bundlePath,
    dir,
    timeSkipping,
  };
  const envFile = join(dir, 'test-env.json');
  writeFileSync(envFile, JSON.stringify(file));
  process.env[TEST_ENV_FILE_VAR] = envFile;
}

async function startLocalServer(dir: string): Promise<RunServer> {
  const cli = await ensureTemporalCli();
  const env = await withStartRetries(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: logToFile(cli.path, dir) },
        namespace: 'default',
        dbFilename: join(dir, 'temporal.sqlite'),
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
        log: { format: 'json', level: 'warn' },
        extraArgs: [
          // WAL lets visibility queries proceed while the single writer commits; a test database needs no fsync.
          '--sqlite-pragma',
          'journal_mode=WAL',
          '--sqlite-pragma',
          'synchronous=OFF',
          // Visibility queries by our search attributes must see values just written.
          '--dynamic-config-value',
          'system.forceSearchAttributesCacheRefreshOnRead=true',
          // One server process: extra task queue partitions only add forwarding hops (as scripts/dev-server.ts).
          '--dynamic-config-value',
          'matching.numTaskqueueReadPartitions=1',
          '--dynamic-config-value',
          'matching.numTaskqueueWritePartitions=1',
        ],
      },
    }),
  );
  await namespaceReady(env);
  return { address: env.address, namespace: 'default', stop: () => env.teardown() };
}

/**
 * The SDK forwards the server's output to ours; a wrapper in the run's directory sends it to temporal.log instead,
 * beside the database (kept with KEEP_TEST_DATA=1). `exec` keeps the pid the SDK kills at teardown the server's own.
 */
function logToFile(cliPath: string, dir: string): string {
  const wrapper = join(dir, 'temporal');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(cliPath)} "$@" >>${quote(join(dir, 'temporal.log'))} 2>&1\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** The SDK gives a server 5 s to answer; on two busy cores a start can miss that once. */
async function withStartRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts) throw err;
      process.stderr.write(
        `[global-setup] Temporal server start failed (attempt ${attempt}): ${(err as Error).message.split('\n')[0]}\n`,
      );
    }
  }
}

async function namespaceReady(env: TestWorkflowEnvironment, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await env.connection.workflowService.describeNamespace({ namespace: 'default' });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** The SDK's native runtime logs at INFO by default; as test/setup/quiet-runtime.ts does for the test processes. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already (a watch-mode rerun in the same process).
  }
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  log: () => undefined,
};
