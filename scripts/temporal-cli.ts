/**
 * Finds (or builds, or downloads) the Temporal CLI. Every script that needs a Temporal server calls
 * `ensureTemporalCli()`; nothing else in the project knows where the binary comes from.
 *
 * Routes, in order: TEMPORAL_CLI → `temporal` on PATH → cached build outside the repo → `go install` of a
 * pinned version into that cache → the Temporal SDK's own download (needs internet) into the same cache.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Newest tag `go install` accepts: later tags carry a `replace` directive. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export type CliSource = 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'go install' | 'sdk download';
export interface TemporalCli {
  path: string;
  source: CliSource;
}

/** Where every tool this project builds is cached, outside the repo so a fresh clone reuses it: XDG, else ~/.cache. */
export function toolCacheDir(env: NodeJS.ProcessEnv, tool: string, version: string): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'onboarding-orchestrator', tool, version);
}

export function cliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPORAL_CLI_CACHE || toolCacheDir(env, 'temporal-cli', TEMPORAL_CLI_VERSION);
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The routes that need no build or download; `undefined` when none yields a binary. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): TemporalCli | undefined {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file`);
    }
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = join(cliCacheDir(env), 'temporal');
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  const downloaded = findDownloaded(join(cliCacheDir(env), 'sdk-download'));
  if (downloaded) return { path: downloaded, source: 'cache' };
  return undefined;
}

function findDownloaded(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = findDownloaded(full);
      if (inner) return inner;
    } else if (entry.name.startsWith('temporal') && !entry.name.endsWith('.tar.gz') && isExecutable(full)) {
      return full;
    }
  }
  return undefined;
}

function goInstall(env: NodeJS.ProcessEnv, log: (line: string) => void): string | string[] {
  const go = onPath('go', env);
  if (!go) return 'no `go` toolchain on PATH (need Go ≥ 1.25)';
  const dir = cliCacheDir(env);
  mkdirSync(dir, { recursive: true });
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} into ${dir} (a few minutes, once)…`);
  const started = Date.now();
  const result = spawnSync(go, ['install', GO_PACKAGE], {
    env: { ...env, GOBIN: dir, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const binary = join(dir, 'temporal');
  if (result.status === 0 && isExecutable(binary)) {
    log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
    return [binary];
  }
  return `go install ${GO_PACKAGE} failed (exit ${result.status ?? result.signal})`;
}

async function sdkDownload(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string | string[]> {
  const downloadDir = join(cliCacheDir(env), 'sdk-download');
  mkdirSync(downloadDir, { recursive: true });
  log(`trying the Temporal SDK's own download into ${downloadDir}…`);
  try {
    // Imported lazily: the testing package loads the native bridge, which plain `findTemporalCli` callers don't need.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const testEnv = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir, ttl: '3650 days' }, ui: false },
    });
    await testEnv.teardown();
  } catch (err) {
    return `the SDK download failed: ${(err as Error).message.split('\n')[0]}`;
  }
  const found = findDownloaded(downloadDir);
  return found ? [found] : `the SDK download left no binary in ${downloadDir}`;
}

export class TemporalCliUnavailable extends Error {}

/** Resolves a usable binary, building or downloading it when needed; one clear error when every route fails. */
export async function ensureTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => process.stderr.write(`[temporal-cli] ${line}\n`),
): Promise<TemporalCli> {
  const found = findTemporalCli(env);
  if (found) return found;
  const built = goInstall(env, log);
  if (Array.isArray(built)) return { path: built[0]!, source: 'go install' };
  const downloaded = await sdkDownload(env, log);
  if (Array.isArray(downloaded)) return { path: downloaded[0]!, source: 'sdk download' };
  throw new TemporalCliUnavailable(
    [
      'No Temporal CLI could be found, built or downloaded. Tried, in order:',
      '  1. TEMPORAL_CLI: not set',
      '  2. `temporal` on PATH: not found',
      `  3. cached build: nothing at ${join(cliCacheDir(env), 'temporal')}`,
      `  4. go install ${GO_PACKAGE}: ${built}`,
      `  5. Temporal SDK download: ${downloaded}`,
      'Provide one of: TEMPORAL_CLI=/path/to/temporal (a release from https://github.com/temporalio/cli/releases),',
      'a `temporal` binary on PATH, Go ≥ 1.25 with access to the Go module proxy, or internet access for the SDK download.',
    ].join('\n'),
  );
}

if (require.main === module) {
  ensureTemporalCli()
    .then((cli) => {
      process.stdout.write(`${cli.path}\n`);
      process.stderr.write(`[temporal-cli] using ${cli.path} (from ${cli.source})\n`);
    })
    .catch((err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
}
