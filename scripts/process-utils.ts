/** Small process and port helpers shared by the stack launcher and the test harness. */
import { createServer } from 'node:net';

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

/** A port the OS considers free right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
  o: { nodeFlags?: string[]; nice?: number; extraNodeArgs?: string[] } = {},
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const nodeArgs = [...(o.nodeFlags ?? []), ...(o.extraNodeArgs ?? []), '--import', 'tsx', entryPath];
  const [command, args] = nicedCommand(process.execPath, nodeArgs, o.nice ?? 0);
  return { command, args, env: withBoundedMallocArenas(env) };
}
