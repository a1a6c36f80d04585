/** Writes a benchmark's figures as JSON and as a markdown table under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine } from './stats';

export interface BenchResult {
  name: string;
  description: string;
  rows: Array<Record<string, string | number>>;
  notes?: string[];
}

export function writeResult(result: BenchResult, dir = join(__dirname, 'results')): string {
  mkdirSync(dir, { recursive: true });
  const m = machine();
  const at = new Date().toISOString();
  writeFileSync(join(dir, `${result.name}.json`), `${JSON.stringify({ ...result, machine: m, at }, null, 2)}\n`);
  const columns = Object.keys(result.rows[0] ?? {});
  const table = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...result.rows.map((r) => `| ${columns.map((c) => String(r[c])).join(' | ')} |`),
  ];
  const md = [
    `# ${result.name}`,
    '',
    result.description,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. Run at ${at}.`,
    '',
    ...table,
    ...(result.notes?.length ? ['', ...result.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  const path = join(dir, `${result.name}.md`);
  writeFileSync(path, md);
  return path;
}
