/**
 * Where a process spent its main thread's CPU in one phase of a benchmark, from a profile written by
 * bench/profile/cpu-profile-preload.cjs: self and inclusive time per function between two wall-clock instants.
 *
 *   npx tsx bench/profile/cpu-profile-slice.ts <file.cpuprofile> <from ms since epoch> <to ms since epoch> [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  wallStart: number;
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(url)?.[1];
  if (pkg) return `${functionName || '(anonymous)'} [${pkg}]`;
  if (url === '') return functionName || '(native)';
  if (url.startsWith('node:')) return `${functionName || '(anonymous)'} [${url}]`;
  return `${functionName || '(anonymous)'} [${url.replace(/^.*?\/(?=(starters|integrations|domain|activities|workflows|runtime|sandbox|scripts|workers|ops)\/)/, '')}:${lineNumber + 1}]`;
}

export function sliceProfile(
  p: Profile,
  from: number,
  to: number,
): { seconds: number; idle: number; self: Map<string, number>; inclusive: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = 0;
  let total = 0;
  p.samples.forEach((s, i) => {
    t += p.timeDeltas[i]!;
    const wall = p.wallStart + t / 1000;
    const dt = p.timeDeltas[i]! / 1e6;
    if (wall < from || wall > to) return;
    total += dt;
    const leaf = label(byId.get(s)!);
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = s; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  });
  return { seconds: total, idle: self.get('(idle)') ?? 0, self, inclusive };
}

if (require.main === module) {
  const [file, from, to, top] = process.argv.slice(2);
  if (!file || !from || !to) throw new Error('usage: cpu-profile-slice.ts <file.cpuprofile> <from ms> <to ms> [top]');
  const r = sliceProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(from), Number(to));
  const n = Number(top ?? 30);
  const rows = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => !['(idle)', '(root)'].includes(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${v.toFixed(3).padStart(8)} s  ${k}`)
      .join('\n');
  process.stdout.write(
    `window ${r.seconds.toFixed(1)} s, main thread busy ${(r.seconds - r.idle).toFixed(2)} s\n\nself:\n${rows(r.self)}\n\ninclusive:\n${rows(r.inclusive)}\n`,
  );
}
