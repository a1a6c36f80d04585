/**
 * Finds (or builds) the Temporal server, its SQL schema tool and the Web UI server that `npm run cluster` runs,
 * the way scripts/temporal-cli.ts finds the CLI: env var → PATH → cached build outside the repo → `go install` of the
 * version pinned in deploy/temporal/cluster.json into that cache. The schema files come with the server's Go module.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, onPath, toolCacheDir } from './temporal-cli';
import { clusterSettings } from './cluster-settings';

export type BinarySource = 'env' | 'PATH' | 'cache' | 'go install';
export interface FoundBinary {
  path: string;
  source: BinarySource;
}
export interface TemporalServerBinaries {
  server: FoundBinary;
  sql: FoundBinary;
  /** Holds `temporal/` and `visibility/` (each with `versioned/`) for PostgreSQL (plugin postgres12). */
  schemaDir: string;
}

interface Tool {
  what: string;
  envVar: string;
  /** Names of release binaries on PATH. */
  pathNames: string[];
  /** `go install` package and the binary name it produces. */
  goPackage: string;
  goBinary: string;
  cacheDir(env: NodeJS.ProcessEnv): string;
}

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPORAL_SERVER_CACHE || toolCacheDir(env, 'temporal-server', `v${clusterSettings().temporalVersion}`);
}

export function uiCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return toolCacheDir(env, 'temporal-ui', `v${clusterSettings().uiVersion}`);
}

const serverModule = (): string => `go.temporal.io/server@v${clusterSettings().temporalVersion}`;

export const TOOLS = {
  server: {
    what: 'Temporal server',
    envVar: 'TEMPORAL_SERVER',
    pathNames: ['temporal-server'],
    goPackage: 'go.temporal.io/server/cmd/server',
    goBinary: 'server',
    cacheDir: serverCacheDir,
  },
  sql: {
    what: 'Temporal SQL schema tool',
    envVar: 'TEMPORAL_SQL_TOOL',
    pathNames: ['temporal-sql-tool'],
    goPackage: 'go.temporal.io/server/cmd/tools/sql',
    goBinary: 'sql',
    cacheDir: serverCacheDir,
  },
  ui: {
    what: 'Temporal Web UI server',
    envVar: 'TEMPORAL_UI_SERVER',
    pathNames: ['temporal-ui-server'],
    goPackage: 'github.com/temporalio/ui-server/v2/cmd/server',
    goBinary: 'server',
    cacheDir: uiCacheDir,
  },
} satisfies Record<string, Tool>;

const toolVersion = (tool: Tool): string =>
  tool === TOOLS.ui ? `v${clusterSettings().uiVersion}` : `v${clusterSettings().temporalVersion}`;

/** The routes that need no build; `undefined` when none yields a binary. */
export function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): FoundBinary | undefined {
  const fromEnv = env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv} is not an executable file`);
    return { path: fromEnv, source: 'env' };
  }
  for (const name of tool.pathNames) {
    const found = onPath(name, env);
    if (found) return { path: found, source: 'PATH' };
  }
  const cached = join(tool.cacheDir(env), tool.goBinary);
  return isExecutable(cached) ? { path: cached, source: 'cache' } : undefined;
}

function goBinary(env: NodeJS.ProcessEnv): string | undefined {
  return onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** One `go install` of every package given (they share a module, so one build); the error text on failure. */
function goInstall(tools: Tool[], env: NodeJS.ProcessEnv, log: (line: string) => void): string | undefined {
  const go = goBinary(env);
  if (!go) return 'no `go` toolchain on PATH or at /usr/local/go/bin/go (need Go ≥ 1.24)';
  const dir = tools[0]!.cacheDir(env);
  mkdirSync(dir, { recursive: true });
  const packages = tools.map((t) => `${t.goPackage}@${toolVersion(t)}`);
  log(`building ${tools.map((t) => t.what).join(' and ')} with ${go} into ${dir} (a few minutes, once)…`);
  const started = Date.now();
  const result = spawnSync(go, ['install', ...packages], {
    env: { ...env, GOBIN: dir, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status === 0 && tools.every((t) => isExecutable(join(dir, t.goBinary)))) {
    log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
    return undefined;
  }
  return `go install ${packages.join(' ')} failed (exit ${result.status ?? result.signal})`;
}

/** The server module's PostgreSQL schema: TEMPORAL_SCHEMA_DIR, else the Go module cache (downloaded there if needed). */
export function findSchemaDir(env: NodeJS.ProcessEnv, log: (line: string) => void): string | string[] {
  const plugin = 'postgresql/v12';
  if (env.TEMPORAL_SCHEMA_DIR) {
    return existsSync(join(env.TEMPORAL_SCHEMA_DIR, 'temporal', 'versioned'))
      ? env.TEMPORAL_SCHEMA_DIR
      : [
          `TEMPORAL_SCHEMA_DIR=${env.TEMPORAL_SCHEMA_DIR} has no temporal/versioned folder (expected the server's schema/${plugin})`,
        ];
  }
  const go = goBinary(env);
  if (!go) return [`no TEMPORAL_SCHEMA_DIR and no \`go\` to locate ${serverModule()}'s schema/${plugin}`];
  const modCache = spawnSync(go, ['env', 'GOMODCACHE'], { env, encoding: 'utf8' }).stdout.trim();
  const inCache = join(modCache, serverModule(), 'schema', plugin);
  if (existsSync(inCache)) return inCache;
  log(`downloading ${serverModule()} for its schema files…`);
  const download = spawnSync(go, ['mod', 'download', serverModule()], {
    env: { ...env, GOFLAGS: '-mod=mod' },
    stdio: 'inherit',
  });
  if (download.status === 0 && existsSync(inCache)) return inCache;
  return [
    `go mod download ${serverModule()} failed (exit ${download.status}); set TEMPORAL_SCHEMA_DIR to its schema/${plugin}`,
  ];
}

export class TemporalServerUnavailable extends Error {}

export function unavailable(tool: Tool, env: NodeJS.ProcessEnv, built: string): TemporalServerUnavailable {
  return new TemporalServerUnavailable(
    [
      `No ${tool.what} could be found or built. Tried, in order:`,
      `  1. ${tool.envVar}: not set`,
      `  2. ${tool.pathNames.map((n) => `\`${n}\``).join(', ')} on PATH: not found`,
      `  3. cached build: nothing at ${join(tool.cacheDir(env), tool.goBinary)}`,
      `  4. go install ${tool.goPackage}@${toolVersion(tool)}: ${built}`,
      `Provide one of: ${tool.envVar}=/path/to/binary (release archives: https://github.com/temporalio/${tool === TOOLS.ui ? 'ui-server' : 'temporal'}/releases),`,
      'the binary on PATH, or Go ≥ 1.24 with access to the Go module proxy.',
    ].join('\n'),
  );
}

const defaultLog = (line: string): void => void process.stderr.write(`[temporal-server] ${line}\n`);

/** The server, the SQL tool and the schema, building both binaries in one `go install` when either is missing. */
export function ensureTemporalServer(env: NodeJS.ProcessEnv = process.env, log = defaultLog): TemporalServerBinaries {
  let server = findTool(TOOLS.server, env);
  let sql = findTool(TOOLS.sql, env);
  const missing = [...(server ? [] : [TOOLS.server]), ...(sql ? [] : [TOOLS.sql])];
  if (missing.length > 0) {
    const failure = goInstall(missing, env, log);
    if (failure) throw unavailable(missing[0]!, env, failure);
    server ??= { path: join(TOOLS.server.cacheDir(env), TOOLS.server.goBinary), source: 'go install' };
    sql ??= { path: join(TOOLS.sql.cacheDir(env), TOOLS.sql.goBinary), source: 'go install' };
  }
  const schema = findSchemaDir(env, log);
  if (Array.isArray(schema)) throw new TemporalServerUnavailable(schema[0]);
  return { server: server!, sql: sql!, schemaDir: schema };
}

/** The Web UI server, built when missing; `undefined` plus the reason when it cannot be had (the cluster runs without it). */
export function ensureTemporalUi(
  env: NodeJS.ProcessEnv = process.env,
  log = defaultLog,
): FoundBinary | { unavailable: string } {
  const found = findTool(TOOLS.ui, env);
  if (found) return found;
  const failure = goInstall([TOOLS.ui], env, log);
  if (failure) return { unavailable: unavailable(TOOLS.ui, env, failure).message };
  return { path: join(TOOLS.ui.cacheDir(env), TOOLS.ui.goBinary), source: 'go install' };
}

if (require.main === module) {
  try {
    const found = ensureTemporalServer();
    // --no-ui: the suite's cluster target runs headless and needs no Web UI build.
    const ui = process.argv.includes('--no-ui') ? 'not asked for' : ensureTemporalUi();
    process.stdout.write(
      `${JSON.stringify({ server: found.server, sql: found.sql, schemaDir: found.schemaDir, ui }, null, 2)}\n`,
    );
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
