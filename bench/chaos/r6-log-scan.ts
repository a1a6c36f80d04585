/**
 * R6's check, also run by R4 and R5: no secret and no raw email or tax id in any log line written during a run.
 * Scans the app, worker and Temporal logs of a chaos stack (DATA_DIR/logs) plus everything this process (where the
 * simulators run) wrote to stdout/stderr while the capture was on. The values looked for: every configured secret
 * (Pipedrive token and webhook password and their Basic header, NetSuite TBA keys and secrets, Slack token and
 * signing secret) and every person's email and organization's tax id in the Pipedrive simulator at the end of the run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import axios from 'axios';
import { ORGANIZATION_FIELDS } from '../../domain/pipedrive-fields';
import type { ChaosStack } from './chaos-stack';

export interface SensitiveValues {
  /** name → value (only values of 8+ characters: shorter ones would match ordinary text). */
  secrets: Map<string, string>;
  emails: Set<string>;
  taxIds: Set<string>;
}

export interface LogScan {
  sources: Array<{ name: string; lines: number }>;
  lines: number;
  values: { secrets: number; emails: number; taxIds: number };
  hits: { secrets: number; emails: number; taxIds: number };
  /** Where the first hits were (source, line number, kind and value name: never the value itself). */
  examples: string[];
  passed: boolean;
}

/** Scans of the scenarios run so far in this process (R6 reports them), by scenario and size. */
export const logScans = new Map<string, LogScan>();
export const scanKey = (id: string, quick: boolean): string => `${id}${quick ? '-quick' : ''}`;

/** Copies everything this process writes to stdout/stderr while on (the in-process simulators' output). */
export class OutputCapture {
  private chunks: string[] = [];
  private readonly restore: Array<() => void> = [];

  start(): this {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      this.restore.push(() => (stream.write = original));
    }
    return this;
  }

  stop(): string {
    for (const r of this.restore.splice(0)) r();
    return this.chunks.join('');
  }
}

async function pages<T>(
  get: (cursor?: string) => Promise<{ data: T[] | null; additional_data?: { next_cursor?: string | null } }>,
): Promise<T[]> {
  const all: T[] = [];
  for (let cursor: string | undefined, guard = 0; guard < 1000; guard += 1) {
    const page = await get(cursor);
    all.push(...(page.data ?? []));
    cursor = page.additional_data?.next_cursor ?? undefined;
    if (!cursor) break;
  }
  return all;
}

export async function sensitiveValues(stack: ChaosStack): Promise<SensitiveValues> {
  const { pipedrive: pd, netsuite: ns, slack: sl } = stack.json;
  const secrets = new Map<string, string>();
  const add = (name: string, value: string | undefined): void => {
    if (value && value.length >= 8) secrets.set(name, value);
  };
  if (pd) {
    add('pipedrive api token', pd.apiToken);
    add('pipedrive webhook password', pd.webhookPassword);
    add('pipedrive webhook Basic header', Buffer.from(`${pd.webhookUser}:${pd.webhookPassword}`).toString('base64'));
  }
  if (ns) {
    add('netsuite consumer key', ns.consumerKey);
    add('netsuite consumer secret', ns.consumerSecret);
    add('netsuite token id', ns.tokenId);
    add('netsuite token secret', ns.tokenSecret);
  }
  if (sl) {
    add('slack bot token', sl.botToken);
    add('slack signing secret', sl.signingSecret);
  }
  const emails = new Set<string>();
  const taxIds = new Set<string>();
  if (pd) {
    const http = axios.create({ baseURL: pd.url, timeout: 30_000, headers: { 'x-api-token': pd.apiToken } });
    const fields = (
      await http.get<{ data: Array<{ key: string; name: string }> }>('/v1/organizationFields', {
        params: { limit: 500 },
      })
    ).data.data;
    const taxKey = fields.find((f) => f.name === ORGANIZATION_FIELDS.taxId)?.key;
    const persons = await pages<{ emails?: Array<{ value?: string }> }>(
      async (cursor) => (await http.get('/api/v2/persons', { params: { limit: 500, cursor } })).data,
    );
    for (const p of persons) for (const e of p.emails ?? []) if (e.value) emails.add(e.value);
    const organizations = await pages<{ custom_fields?: Record<string, unknown> }>(
      async (cursor) => (await http.get('/api/v2/organizations', { params: { limit: 500, cursor } })).data,
    );
    for (const d of organizations) {
      const v = taxKey ? d.custom_fields?.[taxKey] : undefined;
      if (typeof v === 'string' && v.trim().length >= 5) taxIds.add(v.trim());
    }
  }
  return { secrets, emails, taxIds };
}

/** Every log file of the stack plus the captured output, line by line, against the sensitive values. */
export function scanLogs(stack: ChaosStack, captured: string, values: SensitiveValues): LogScan {
  const dir = join(stack.dataDir, 'logs');
  const sources: Array<{ name: string; text: string }> = readdirSync(dir).map((f) => ({
    name: f,
    text: readFileSync(join(dir, f), 'utf8'),
  }));
  sources.push({ name: 'runner stdout/stderr (simulators)', text: captured });
  const hits = { secrets: 0, emails: 0, taxIds: 0 };
  const examples: string[] = [];
  const emailsLower = new Set([...values.emails].map((e) => e.toLowerCase()));
  let lines = 0;
  const counted: LogScan['sources'] = [];
  for (const source of sources) {
    const split = source.text.split('\n');
    counted.push({ name: source.name, lines: split.length });
    split.forEach((line, i) => {
      if (!line) return;
      lines += 1;
      const note = (kind: keyof typeof hits, what: string): void => {
        hits[kind] += 1;
        if (examples.length < 10) examples.push(`${source.name}:${i + 1} ${kind}: ${what}`);
      };
      for (const [name, secret] of values.secrets) if (line.includes(secret)) note('secrets', name);
      for (const m of line.toLowerCase().matchAll(/[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/g))
        if (emailsLower.has(m[0])) note('emails', 'a seeded email');
      for (const tax of values.taxIds) if (line.includes(tax)) note('taxIds', 'a seeded tax id');
    });
  }
  return {
    sources: counted,
    lines,
    values: { secrets: values.secrets.size, emails: values.emails.size, taxIds: values.taxIds.size },
    hits,
    examples,
    passed: hits.secrets + hits.emails + hits.taxIds === 0,
  };
}

export function scanRows(s: LogScan, label = ''): Array<Record<string, string | number>> {
  return [
    { check: `${label}log lines scanned (app, worker, Temporal, simulators)`, value: s.lines },
    {
      check: `${label}values looked for: secrets / emails / tax ids`,
      value: `${s.values.secrets} / ${s.values.emails} / ${s.values.taxIds}`,
    },
    {
      check: `${label}hits: secrets / emails / tax ids (must be 0)`,
      value: `${s.hits.secrets} / ${s.hits.emails} / ${s.hits.taxIds}`,
    },
  ];
}

export function scanNote(s: LogScan): string {
  return (
    `Log scan (R6): ${s.lines} lines from ${s.sources.map((x) => `${x.name} (${x.lines})`).join(', ')}; looked for ${s.values.secrets} secrets, ${s.values.emails} emails, ${s.values.taxIds} tax ids; ` +
    `hits ${JSON.stringify(s.hits)}${s.examples.length ? ` e.g. ${s.examples.join('; ')}` : ''}: ${s.passed ? 'PASS' : 'FAIL'}.`
  );
}
