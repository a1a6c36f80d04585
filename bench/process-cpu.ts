/**
 * CPU time of every process in a tree (Linux /proc), named by role, so a benchmark can say which process was busy
 * while it ran: `const before = cpuByRole(pid); … ; diffCpu(before, cpuByRole(pid), seconds)`.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

function statOf(pid: number): { ppid: number; cpuSeconds: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICK };
  } catch {
    return undefined;
  }
}

function roleOf(pid: number): string {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'gone';
  }
  if (/server start-dev/.test(cmd)) return 'temporal dev server';
  if (/workers\/main\.ts/.test(cmd)) return 'worker';
  if (/starters\/http\/main\.ts/.test(cmd)) return 'app (webhook intake)';
  if (/scripts\/stack\.ts/.test(cmd)) return 'stack launcher + simulators';
  if (/esbuild/.test(cmd)) return 'esbuild (tsx)';
  if (/^npm|npm-cli|\bsh -c\b/.test(cmd)) return 'npm';
  return cmd.split(' ')[0]?.split('/').pop() ?? 'other';
}

/** CPU seconds used so far by `root` and all its descendants, summed per role. */
export function cpuByRole(root: number): Record<string, number> {
  if (process.platform !== 'linux' || !root) return {};
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = statOf(pid);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const out: Record<string, number> = {};
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    const s = statOf(pid);
    if (s) {
      const role = roleOf(pid);
      out[role] = (out[role] ?? 0) + s.cpuSeconds;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Cores used per role over an interval (CPU seconds / wall seconds), largest first. */
export function coresUsed(
  before: Record<string, number>,
  after: Record<string, number>,
  wallSeconds: number,
): Array<[string, number]> {
  return Object.keys(after)
    .map((role): [string, number] => [
      role,
      Math.round(((after[role]! - (before[role] ?? 0)) / wallSeconds) * 100) / 100,
    ])
    .filter(([, c]) => c > 0.005)
    .sort((a, b) => b[1] - a[1]);
}

/** Load average and the whole machine's busy share over an interval (from /proc/stat), for the "shared machine" note. */
export function machineBusy(): { total: number; idle: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    return { total: cpu.reduce((a, b) => a + b, 0), idle };
  } catch {
    return { total: 0, idle: 0 };
  }
}

export function busyCores(
  before: { total: number; idle: number },
  after: { total: number; idle: number },
  cores: number,
): number {
  const total = after.total - before.total;
  return total > 0 ? Math.round((1 - (after.idle - before.idle) / total) * cores * 100) / 100 : Number.NaN;
}
