/**
 * Reads the mapping template (MAPPING_FILE, default mapping/default.yaml), validates it (domain/mapping/schema.ts) and
 * fingerprints it. A wrong template stops start-up with one message naming every wrong entry by its path in the file,
 * its line, and what it expects.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { parseMapping, type MappingIssue, type MappingSnapshot } from '../domain/mapping/schema';
import { ConfigError } from './config';

export const DEFAULT_MAPPING_FILE = join(__dirname, '..', 'mapping', 'default.yaml');

export class MappingError extends ConfigError {
  constructor(
    readonly file: string,
    readonly mappingIssues: Array<MappingIssue & { line?: number }>,
  ) {
    super(mappingIssues.map((i) => ({ variable: `MAPPING_FILE ${i.path}`, expected: i.expected })));
    this.message = [
      `Invalid mapping template ${file} (fix these entries):`,
      ...mappingIssues.map((i) => `  ${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.expected}`),
    ].join('\n');
  }
}

export function mappingFileFrom(env: NodeJS.ProcessEnv): string {
  const given = env.MAPPING_FILE?.trim();
  return given ? resolve(given) : DEFAULT_MAPPING_FILE;
}

/** Stable across comment and key-order edits: the hash of the parsed template, keys sorted. */
export function mappingHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
    .slice(0, 16);
}

/** Pure over the text: parses YAML, validates, hashes. Throws MappingError. */
export function parseMappingText(text: string, file = '(mapping)'): MappingSnapshot {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new MappingError(
      file,
      doc.errors.map((e) => ({
        path: '(yaml)',
        expected: `valid YAML: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  const parsed = parseMapping(doc.toJS());
  if (!parsed.ok) {
    throw new MappingError(
      file,
      parsed.issues.map((issue) => {
        // The deepest node of the path that exists: a missing entry points at its parent.
        const segments = issue.path.split('.');
        for (let n = segments.length; n > 0; n--) {
          const node = doc.getIn(segments.slice(0, n), true);
          if (isNode(node) && node.range) return { ...issue, line: lines.linePos(node.range[0]).line };
        }
        return issue;
      }),
    );
  }
  return { ...parsed.mapping, hash: mappingHash(parsed.mapping) };
}

export function loadMappingFile(file: string): MappingSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MappingError(file, [
      {
        path: '(file)',
        expected: `a readable YAML file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      },
    ]);
  }
  return parseMappingText(text, file);
}
