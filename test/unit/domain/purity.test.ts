/**
 * The domain is bundled into Temporal's deterministic workflow sandbox: no Node built-ins, no I/O, no clock, no
 * randomness. This guards the rule mechanically for every file under domain/ and each context's model/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');
const PURE_DIRS = ['domain', 'ops/model', 'reconciliation/model', 'backfill/model'].map((d) => join(ROOT, d));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const ALLOWED_PACKAGES = new Set(['zod', 'uuid', '@temporalio/common']);

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/new Date\(\s*\)/, 'new Date() without an argument'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bprocess\./, 'process'],
  [/\bBuffer\./, 'Buffer'],
  [/\brequire\s*\(/, 'require()'],
  [/\bsetTimeout\s*\(|\bsetInterval\s*\(/, 'timers'],
  [/\bfetch\s*\(/, 'fetch'],
];

describe('domain/ purity', () => {
  const all = PURE_DIRS.flatMap(files);

  test('there are domain files to check', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  test.each(all.map((f) => [relative(ROOT, f), f]))(
    '%s imports only relative modules and allowed pure packages',
    (_name, file) => {
      const src = readFileSync(file, 'utf8');
      const imports = [...src.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
      for (const spec of imports) {
        if (spec.startsWith('.')) continue;
        expect({ file: _name, spec, allowed: ALLOWED_PACKAGES.has(spec) }).toEqual({
          file: _name,
          spec,
          allowed: true,
        });
      }
    },
  );

  test.each(all.map((f) => [relative(ROOT, f), f]))('%s has no clock, randomness or I/O', (_name, file) => {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const found = FORBIDDEN.filter(([re]) => re.test(code)).map(([, label]) => label);
    expect(found).toEqual([]);
  });
});
