/**
 * One supervised child process of the cluster: restarted a second after it dies (as systemd's Restart=always would),
 * so a `kill -9` of the history or matching service is survived the way production survives it; a crash loop (5
 * exits within a minute) gives up and reports it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface SupervisedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Restarts so far (a kill by the chaos scenario counts too). */
  readonly restarts: number;
  /** Sends `signal` to the current process; the supervisor restarts it. */
  kill(signal: NodeJS.Signals): void;
  /** Stops it for good: SIGTERM, SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** Resolves with an explanation when the process keeps exiting and is given up. */
  readonly gaveUp: Promise<string>;
}

const BUDGET = { restarts: 5, windowMs: 60_000, delayMs: 1_000 };

export function supervise(o: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  logTo: string;
  detached: boolean;
  env?: NodeJS.ProcessEnv;
  onRestart?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}): SupervisedProcess {
  const sink = createWriteStream(o.logTo, { flags: 'a' });
  const recent: number[] = [];
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  let giveUp: (why: string) => void = () => undefined;
  const gaveUp = new Promise<string>((r) => (giveUp = r));

  const start = (): void => {
    const c = spawn(o.command, o.args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: o.detached,
    });
    child = c;
    c.stdout?.pipe(sink, { end: false });
    c.stderr?.pipe(sink, { end: false });
    c.once('exit', (code, signal) => {
      if (stopped) return;
      const now = Date.now();
      while (recent.length > 0 && now - recent[0]! > BUDGET.windowMs) recent.shift();
      if (recent.length >= BUDGET.restarts) {
        giveUp(
          `${o.name} exited ${recent.length + 1} times within ${BUDGET.windowMs / 1000} s (last: code ${code}, signal ${signal}); see ${o.logTo}`,
        );
        return;
      }
      recent.push(now);
      restarts += 1;
      o.onRestart?.(o.name, code, signal);
      setTimeout(() => {
        if (!stopped) start();
      }, BUDGET.delayMs);
    });
  };
  start();

  return {
    name: o.name,
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    gaveUp,
    kill(signal) {
      child?.kill(signal);
    },
    async stop(graceMs) {
      stopped = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
