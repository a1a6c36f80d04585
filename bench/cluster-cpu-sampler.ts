/**
 * CPU seconds per process role over a benchmark, for the dev-server/cluster comparison (bench/cluster-side-by-side.ts).
 * bench/process-cpu.ts reads a tree once before and once after; the stacks here stop (and their processes vanish)
 * before "after", so this samples every second and keeps each pid's first and last CPU reading instead.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; cpu: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK };
  } catch {
    return undefined;
  }
}

function role(pid: number): string {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'gone';
  }
  if (pid === process.pid) return 'bench process (P3: simulators + driver; P2: driver)';
  const service = /--service (\w+)/.exec(cmd);
  if (service) return `temporal ${service[1]}`;
  if (/server start-dev/.test(cmd)) return 'temporal dev server';
  if (/^(\S*\/)?postgres\b|^postgres:/.test(cmd)) return 'postgresql';
  if (/workers\/main\.ts/.test(cmd)) return 'worker';
  if (/starters\/http\/main\.ts/.test(cmd)) return 'app';
  if (/scripts\/stack\.ts/.test(cmd)) return 'npm start launcher + simulators (P2)';
  return 'other (npm, sh, esbuild)';
}

export class CpuSampler {
  private readonly seen = new Map<number, { role: string; first: number; last: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly root = process.pid) {
    this.sampleBaseline();
    this.timer = setInterval(() => this.sample(), 1_000);
  }

  private sample(): void {
    const children = new Map<number, number[]>();
    const cpu = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const s = stat(pid);
      if (!s) continue;
      cpu.set(pid, s.cpu);
      children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
    }
    const queue = [this.root];
    while (queue.length) {
      const pid = queue.pop()!;
      const now = cpu.get(pid);
      if (now !== undefined) {
        const known = this.seen.get(pid);
        // A pid first seen mid-run started after the previous sample: all its CPU so far is in the interval.
        if (known) known.last = now;
        else this.seen.set(pid, { role: role(pid), first: 0, last: now });
      }
      queue.push(...(children.get(pid) ?? []));
    }
  }

  private sampleBaseline(): void {
    this.sample();
    for (const v of this.seen.values()) v.first = v.last;
  }

  /** CPU seconds per role since the last reset (or construction), largest first. */
  stop(): Array<[string, number]> {
    this.sample();
    clearInterval(this.timer);
    const out: Record<string, number> = {};
    for (const v of this.seen.values()) out[v.role] = (out[v.role] ?? 0) + (v.last - v.first);
    return Object.entries(out)
      .map(([r, s]): [string, number] => [r, Math.round(s * 100) / 100])
      .filter(([, s]) => s > 0)
      .sort((a, b) => b[1] - a[1]);
  }
}
