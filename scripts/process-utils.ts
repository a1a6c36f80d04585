/** Small process and port helpers shared by the stack launcher and the test harness. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { MAIN_THREAD_TSX } from '../runtime/node-flags';

export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(host: string, port: number, what: string): Promise<void> {
  if (!(await portIsFree(host, port))) {
    throw new Error(`port ${host}:${port} for ${what} is already in use: stop what holds it or choose another port`);
  }
}

/** The first port of the kernel's ephemeral range: outgoing connections take their local port from there. */
export function ephemeralRangeStart(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > PORT_FLOOR ? low : EPHEMERAL_FALLBACK;
  } catch {
    return EPHEMERAL_FALLBACK;
  }
}

const PORT_FLOOR = 10_000;
/** IANA's dynamic range, where macOS and Windows start theirs. */
const EPHEMERAL_FALLBACK = 49_152;
const BLOCKS = 16;

/**
 * Where this process starts looking for free ports: its own block of the range below the ephemeral one (one block per
 * Jest worker, so parallel test files never pick the same port), at a random offset so that separate runs sharing a
 * machine rarely do either.
 */
export function portCursorStart(o: { floor: number; ceiling: number; slot: number; random: number }): number {
  const blockSize = Math.floor((o.ceiling - o.floor) / BLOCKS);
  const block = ((o.slot % BLOCKS) + BLOCKS) % BLOCKS;
  return o.floor + block * blockSize + Math.floor(o.random * blockSize);
}

/** This process's next candidate port, and the end of the range it cycles through (read once). */
let ports: { cursor: number; ceiling: number } | undefined;

/**
 * A port that is free right now, for a service the caller is about to start. It is taken below the kernel's
 * ephemeral range: a port the kernel hands out for `listen(0)` can be claimed by any process's outgoing connection
 * before the service binds it, which made end-to-end tests fail with "port … already in use" on a busy machine.
 * Ports are handed out in sequence, so one process never gets the same port twice.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  if (!ports) {
    const ceiling = ephemeralRangeStart();
    ports = {
      ceiling,
      cursor: portCursorStart({
        floor: PORT_FLOOR,
        ceiling,
        slot: Number(process.env.JEST_WORKER_ID ?? process.pid),
        random: Math.random(),
      }),
    };
  }
  const { ceiling } = ports;
  for (let tried = 0; tried < ceiling - PORT_FLOOR; tried++) {
    const port = ports.cursor;
    ports.cursor = port + 1 >= ceiling ? PORT_FLOOR : port + 1;
    if (await portIsFree(host, port)) return port;
  }
  throw new Error(`no free port on ${host} between ${PORT_FLOOR} and ${ceiling - 1}`);
}

/**
 * Polls `probe` until it returns true. Resolves `true`, or the abort reason if `abort` settles first,
 * or `false` on timeout.
 */
export async function waitFor(
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs: number; abort?: Promise<string> },
): Promise<true | false | string> {
  let aborted: string | undefined;
  void opts.abort?.then((reason) => (aborted = reason));
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (aborted !== undefined) return aborted;
    if (await probe()) return true;
    if (aborted !== undefined) return aborted;
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
  return false;
}

/**
 * The command line that runs `command` at CPU niceness `nice`: through nice(1), so every thread the program starts
 * inherits it (Linux niceness is per thread; renicing a running Go or Node process reaches only its main thread).
 */
export function nicedCommand(command: string, args: string[], nice: number): [string, string[]] {
  if (nice <= 0 || process.platform === 'win32') return [command, args];
  return ['nice', ['-n', String(nice), command, ...args]];
}

/**
 * The environment for the stack's Node processes. glibc gives each thread that allocates its own malloc arena (up to
 * 8 per core) and hands little of it back, so the worker (Rust core, V8 and libuv threads) kept ~130 MB more RSS than
 * it used (bench P4, 500 parked: 532 → 405 MB at the peak, 473 → 286 MB a minute later). glibc reads the variable at
 * exec, so it has to be set here, not inside the process; a value already in the environment wins.
 */
export function withBoundedMallocArenas(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { MALLOC_ARENA_MAX: '2', ...env };
}

/**
 * How the stack launches one of its Node processes (`npm start` and the chaos/bench stack alike): `node --import tsx
 * <entry>` with bounded malloc arenas, Node flags (the worker's WORKER_NODE_FLAGS), any extra Node arguments, at CPU
 * niceness `nice`. `--optimize-for-size --max-semi-space-size=2` for the worker trades CPU for memory: bench P4 (500
 * parked, cache 100) peaked at 258 MB instead of 405 MB, but P3 ran 25% slower, so it is for memory-bound hosts.
 */
export function stackNodeProcess(
  entryPath: string,
  env: NodeJS.ProcessEnv,
  o: { nodeFlags?: string[]; nice?: number; extraNodeArgs?: string[]; mainThreadTsx?: boolean } = {},
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  // mainThreadTsx (the worker): no loader-hooks thread, and no tsx in the SDK's workflow threads (workers/tsx-main-thread.cjs).
  const typescript = o.mainThreadTsx ? ['--require', MAIN_THREAD_TSX] : ['--import', 'tsx'];
  const nodeArgs = [...(o.nodeFlags ?? []), ...(o.extraNodeArgs ?? []), ...typescript, entryPath];
  const [command, args] = nicedCommand(process.execPath, nodeArgs, o.nice ?? 0);
  return { command, args, env: withBoundedMallocArenas(env) };
}
