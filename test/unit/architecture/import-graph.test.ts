/**
 * The product's import graph, drawn from the code with the TypeScript compiler's parser: no import circle, no import
 * from a lower layer up into a higher one, and workflow code imports activities as types only (docs/architecture.md,
 * layers). ESLint's no-restricted-imports (eslint.config.mjs) says the same per folder at the line; this test sees
 * the whole graph, so it also catches a circle that runs through several allowed edges.
 *
 * The first tests run the checks on small made-up graphs, so a check that stopped reporting would fail here too.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');

/** Top-level folders of product code; every other folder holding TypeScript must be named in NOT_PRODUCT. */
const PRODUCT = [
  'domain',
  'runtime',
  'integrations',
  'activities',
  'workflows',
  'workers',
  'starters',
  'ops',
  'reconciliation',
  'backfill',
];
/** The simulators, tooling, benchmarks and tests: they may import product code, never the other way round. */
const NOT_PRODUCT = ['sandbox', 'scripts', 'bench', 'test', 'node_modules', 'deploy', 'docs'];

interface Edge {
  from: string;
  to: string;
  /** `import type …`, or every named binding marked `type`: erased at compile time, nothing loads at run time. */
  typeOnly: boolean;
}

/** Lowest first. Each file sits on one layer and may import only from its own layer or the ones below. */
const LAYERS = ['domain', 'contract', 'runtime', 'integrations', 'activities', 'workflows', 'entry'] as const;
type Layer = (typeof LAYERS)[number];

export function layerOf(file: string): Layer {
  const parts = file.split('/');
  const [top] = parts;
  if (top === 'domain' || parts.includes('model')) return 'domain';
  // Signal, query and ID definitions: imported by workflows, activities and callers alike.
  if (parts[parts.length - 1] === 'messages.ts') return 'contract';
  if (top === 'runtime') return 'runtime';
  if (top === 'integrations') return 'integrations';
  if (top === 'activities' || parts[1] === 'activities') return 'activities';
  if (top === 'workflows' || parts[1] === 'workflows') return 'workflows';
  // workers/, starters/, a context's worker, starter, HTTP routes and wiring.
  return 'entry';
}

const rank = (l: Layer): number => LAYERS.indexOf(l);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

function resolveSpecifier(fromAbs: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = join(dirname(fromAbs), spec);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((c) => c.endsWith('.ts') && existsSync(c));
}

/** Every relative import, re-export, `import()` and `require()` of one file. */
export function importsOf(fileName: string, source: string): Array<{ spec: string; typeOnly: boolean }> {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const found: Array<{ spec: string; typeOnly: boolean }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allNamedTypes = !!named && named.length > 0 && named.every((e) => e.isTypeOnly) && !clause?.name;
      found.push({ spec: node.moduleSpecifier.text, typeOnly: !!clause && (clause.isTypeOnly || allNamedTypes) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      found.push({
        spec: node.moduleSpecifier.text,
        typeOnly: node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)),
      });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ spec: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        found.push({ spec: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
      }
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function productGraph(): { files: string[]; edges: Edge[] } {
  const files = PRODUCT.filter((d) => existsSync(join(ROOT, d))).flatMap((d) => tsFiles(join(ROOT, d)));
  const edges: Edge[] = [];
  for (const abs of files) {
    for (const { spec, typeOnly } of importsOf(abs, readFileSync(abs, 'utf8'))) {
      const target = resolveSpecifier(abs, spec);
      if (target) edges.push({ from: rel(abs), to: rel(target), typeOnly });
    }
  }
  return { files: files.map(rel), edges };
}

/** Each circle once, as a chain `a -> b -> … -> a` (one per strongly connected component, plus self-imports). */
export function findCycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of nodes) if (!index.has(v)) strongConnect(v);
  // Within a component, the shortest way from its first file back to itself is a readable chain.
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of next.get(v) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const chain = [start];
          for (let at: string | undefined = v; at !== undefined && at !== start; at = previous.get(at))
            chain.splice(1, 0, at);
          return [...chain, start];
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}

/** Imports from a lower layer into a higher one, and workflow code loading an activity module at run time. */
export function layerViolations(edges: Edge[]): string[] {
  return edges.flatMap((e) => {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (rank(to) > rank(from)) return [`${e.from} (${from}) -> ${e.to} (${to}): upward import`];
    if (from === 'workflows' && to === 'activities' && !e.typeOnly)
      return [`${e.from} -> ${e.to}: workflow code may import activities as types only (import type …)`];
    return [];
  });
}

describe('the checks themselves', () => {
  test('report a circle as its chain of files', () => {
    const cycles = findCycles([
      { from: 'ops/a.ts', to: 'ops/b.ts', typeOnly: false },
      { from: 'ops/b.ts', to: 'ops/c.ts', typeOnly: true },
      { from: 'ops/c.ts', to: 'ops/a.ts', typeOnly: false },
      { from: 'ops/c.ts', to: 'domain/d.ts', typeOnly: false },
    ]);
    expect(cycles).toEqual([['ops/a.ts', 'ops/b.ts', 'ops/c.ts', 'ops/a.ts']]);
    expect(findCycles([{ from: 'domain/a.ts', to: 'domain/b.ts', typeOnly: false }])).toEqual([]);
  });

  test('report an upward import and a value import of activities into workflow code', () => {
    expect(
      layerViolations([
        { from: 'integrations/slack/x.ts', to: 'activities/ports.ts', typeOnly: true },
        { from: 'ops/activities/x.ts', to: 'ops/workflows/y.ts', typeOnly: true },
        { from: 'ops/workflows/y.ts', to: 'ops/activities/x.ts', typeOnly: false },
        { from: 'ops/workflows/y.ts', to: 'ops/activities/z.ts', typeOnly: true },
        { from: 'ops/workflows/y.ts', to: 'ops/model/m.ts', typeOnly: false },
        { from: 'workers/main.ts', to: 'ops/worker.ts', typeOnly: false },
      ]),
    ).toEqual([
      'integrations/slack/x.ts (integrations) -> activities/ports.ts (activities): upward import',
      'ops/activities/x.ts (activities) -> ops/workflows/y.ts (workflows): upward import',
      'ops/workflows/y.ts -> ops/activities/x.ts: workflow code may import activities as types only (import type …)',
    ]);
  });

  test('tell type-only imports from value imports', () => {
    const src = [
      "import type { A } from './a';",
      "import { type B, type C } from './b';",
      "import { type D, e } from './c';",
      "import f from './d';",
      "export type { G } from './e';",
      "export { h } from './f';",
      "const i = require('./g');",
      "type J = import('./h').J;",
    ].join('\n');
    expect(importsOf('x.ts', src)).toEqual([
      { spec: './a', typeOnly: true },
      { spec: './b', typeOnly: true },
      { spec: './c', typeOnly: false },
      { spec: './d', typeOnly: false },
      { spec: './e', typeOnly: true },
      { spec: './f', typeOnly: false },
      { spec: './g', typeOnly: false },
      { spec: './h', typeOnly: true },
    ]);
  });
});

describe('product import graph', () => {
  const { files, edges } = productGraph();

  test('every top-level folder with TypeScript is classified as product code or not', () => {
    const topLevel = readdirSync(ROOT).filter(
      (d) => !d.startsWith('.') && statSync(join(ROOT, d)).isDirectory() && !NOT_PRODUCT.includes(d),
    );
    const withTs = topLevel.filter((d) => tsFiles(join(ROOT, d)).length > 0);
    expect(withTs.filter((d) => !PRODUCT.includes(d))).toEqual([]);
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(200);
  });

  test('has no import circle', () => {
    const chains = findCycles(edges).map((c) => c.join(' -> '));
    expect(chains).toEqual([]);
  });

  test('imports only sideways or down the layers, and workflow code imports activities as types only', () => {
    expect(layerViolations(edges)).toEqual([]);
  });
});
