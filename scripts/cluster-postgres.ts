/**
 * The cluster's PostgreSQL: a private data directory (initdb on first use) served by the machine's own PostgreSQL
 * binaries on a port of our choosing, in the foreground of the launcher. PostgreSQL refuses to run as root, so under
 * root the data directory belongs to, and the server runs as, the `postgres` system user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { onPath } from './temporal-cli';
import { waitFor } from './process-utils';

export interface PostgresOptions {
  dataDir: string;
  host: string;
  port: number;
  user: string;
  password: string;
  logTo: string;
  /** `false` turns fsync off: for throw-away test clusters only. */
  durable: boolean;
  detached: boolean;
  /**
   * Directories of ours above the data directory to keep searchable (mode 0711) for the `postgres` user under root,
   * before every start: `npm start` makes DATA_DIR private (0700) each time it starts (runtime/private-files.ts).
   * Search only: the directory cannot be listed, and the private files in it are 0600 themselves.
   */
  searchable?: string[];
}

export interface RunningPostgres {
  readonly pid: number | undefined;
  /** Fast shutdown (SIGINT: open transactions roll back, clients are disconnected), then SIGKILL after 30 s. */
  stop(): Promise<void>;
  /** `stop()` then the same server again on the same data directory. */
  restart(): Promise<void>;
  /** Resolves when the server exits without stop() having been asked for. */
  readonly crashed: Promise<number | null>;
}

/** POSTGRES_BIN_DIR, else the directory of `initdb` on PATH, else Debian's newest /usr/lib/postgresql/<major>/bin. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POSTGRES_BIN_DIR) return env.POSTGRES_BIN_DIR;
  const initdb = onPath('initdb', env);
  // The real directory: a symlinked initdb (e.g. in /usr/local/bin) does not bring pg_isready along.
  if (initdb) return dirname(realpathSync(initdb));
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(debian, v, 'bin', 'initdb')))
        .map(Number)
    : [];
  if (majors.length > 0) return join(debian, String(Math.max(...majors)), 'bin');
  throw new Error(
    'No PostgreSQL server binaries found (initdb, postgres). Tried POSTGRES_BIN_DIR, `initdb` on PATH and ' +
      '/usr/lib/postgresql/<version>/bin. Install PostgreSQL ≥ 12 (Debian/Ubuntu: apt-get install postgresql) or set POSTGRES_BIN_DIR.',
  );
}

/** uid/gid to run PostgreSQL as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const ids = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = ids('-u');
  const gid = ids('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'running as root, and PostgreSQL refuses root: create a `postgres` system user (apt-get install postgresql does) or run as a normal user',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function chownTree(path: string, owner: { uid: number; gid: number }): void {
  chownSync(path, owner.uid, owner.gid);
}

/** Creates the data directory with `user` as superuser (scram-sha-256 password) unless it exists already. */
export function initDataDir(bin: string, o: PostgresOptions): void {
  if (existsSync(join(o.dataDir, 'PG_VERSION'))) return;
  const owner = runAs();
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownTree(o.dataDir, owner);
  const pwFile = join(dirname(o.dataDir), `.pgpass-init-${process.pid}`);
  writeFileSync(pwFile, `${o.password}\n`, { mode: 0o600 });
  if (owner) chownTree(pwFile, owner);
  try {
    const result = spawnSync(
      join(bin, 'initdb'),
      [
        '-D',
        o.dataDir,
        '-U',
        o.user,
        `--pwfile=${pwFile}`,
        '-A',
        'scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        ...(o.durable ? [] : ['--no-sync']),
      ],
      { ...(owner ?? {}), encoding: 'utf8', cwd: dirname(o.dataDir) },
    );
    if (result.status !== 0) {
      const hint = owner
        ? ` (initdb runs as the postgres user: every directory above ${o.dataDir} must be searchable by it)`
        : '';
      throw new Error(
        `initdb failed (exit ${result.status})${hint}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
  } finally {
    rmSync(pwFile, { force: true });
  }
}

export function postgresArgs(o: PostgresOptions): string[] {
  const settings: Record<string, string> = {
    listen_addresses: o.host,
    port: String(o.port),
    // TCP only: a socket path under a deep data directory can exceed the kernel's 107-byte limit.
    unix_socket_directories: '',
    // Four Temporal services, each with its own pool per store (config maxConns), plus the schema tool.
    max_connections: '200',
    ...(o.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  return ['-D', o.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

async function acceptsConnections(bin: string, o: PostgresOptions): Promise<boolean> {
  const r = spawnSync(
    join(bin, 'pg_isready'),
    ['-h', o.host, '-p', String(o.port), '-U', o.user, '-d', 'postgres', '-t', '1'],
    { encoding: 'utf8' },
  );
  return r.status === 0;
}

/** Under root: makes `searchable` searchable and checks that the postgres user reaches the data directory's parent. */
function ensureReachable(o: PostgresOptions, owner: { uid: number; gid: number } | undefined): void {
  if (!owner) return;
  for (const dir of o.searchable ?? []) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) chmodSync(dir, statSync(dir).mode | 0o111);
  }
  const parent = dirname(o.dataDir);
  if (spawnSync('test', ['-x', parent], { ...owner }).status !== 0) {
    throw new Error(
      `PostgreSQL runs as the postgres user here (we are root), and it cannot reach ${parent}: every directory above ` +
        'the data directory must be searchable by it (chmod o+x), or run as a normal user.',
    );
  }
}

export async function startPostgres(
  o: PostgresOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningPostgres> {
  const bin = findPostgresBin(env);
  const owner = runAs();
  ensureReachable(o, owner);
  initDataDir(bin, o);
  const sink = createWriteStream(o.logTo, { flags: 'a' });
  let child: ChildProcess | undefined;
  let stopping = false;
  let reportCrash: (code: number | null) => void = () => undefined;
  const crashed = new Promise<number | null>((r) => (reportCrash = r));

  const launch = async (): Promise<void> => {
    stopping = false;
    ensureReachable(o, owner);
    const c = spawn(join(bin, 'postgres'), postgresArgs(o), {
      ...(owner ?? {}),
      cwd: o.dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: o.detached,
      env: { PATH: env.PATH, LANG: 'C' },
    });
    child = c;
    c.stdout?.pipe(sink, { end: false });
    c.stderr?.pipe(sink, { end: false });
    const exited = new Promise<string>((r) =>
      c.once('exit', (code) => r(`postgres exited with code ${code} before accepting connections (see ${o.logTo})`)),
    );
    c.once('exit', (code) => {
      if (!stopping) reportCrash(code);
    });
    const ready = await waitFor(() => acceptsConnections(bin, o), {
      timeoutMs: 60_000,
      intervalMs: 200,
      abort: exited,
    });
    if (ready !== true) {
      c.kill('SIGKILL');
      throw new Error(
        typeof ready === 'string' ? ready : `PostgreSQL not accepting connections on ${o.host}:${o.port} within 60 s`,
      );
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    stopping = true;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGINT');
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    get pid() {
      return child?.pid;
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    crashed,
  };
}
