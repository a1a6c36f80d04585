/**
 * `npm run cli -- doctor` against the stack `npm start` runs (sandbox credentials from its stack.json): every check
 * passes on the default template; a renamed Pipedrive field, a payment term NetSuite lacks and a NetSuite role that
 * cannot write contacts each fail, naming the template entry or the permission, with exit 1; `--fix` creates the
 * missing field and the next run passes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { parseDocument } from 'yaml';
import { DEFAULT_MAPPING_FILE } from '../../runtime/mapping-loader';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(300_000);

const run = promisify(execFile);

interface DoctorJson {
  ok: boolean;
  results: Array<{ group: string; title: string; status: string; detail?: string; fix?: string; fixed?: string }>;
}

async function doctor(
  dataDir: string,
  json: StackJson,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: DoctorJson; progress: string }> {
  const opts = {
    cwd: resolve(__dirname, '../..'),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: json.temporal.address,
      TEMPORAL_NAMESPACE: json.temporal.namespace,
      LOG_LEVEL: 'warn',
      ...env,
    },
  };
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'cli', '--', 'doctor', '--json', ...args], opts);
    return { code: 0, out: JSON.parse(stdout) as DoctorJson, progress: stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: JSON.parse(e.stdout) as DoctorJson, progress: e.stderr };
  }
}

const failures = (o: DoctorJson) => o.results.filter((r) => r.status === 'fail');

describe('doctor (go-live preflight)', () => {
  let stack: StackProcess;
  let json: StackJson;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'doctor-e2e-'));
    stack = startStack(await stackEnv(dataDir));
    json = await stack.ready();
  });
  afterAll(async () => {
    await stack?.interrupt();
  });

  it('passes every check on the sandbox with the default template, a progress line per check', async () => {
    const { code, out, progress } = await doctor(dataDir, json, []);
    expect(failures(out)).toEqual([]);
    expect(code).toBe(0);
    expect(out.results.length).toBeGreaterThan(25);
    expect(out.results.map((r) => r.group)).toEqual(
      expect.arrayContaining(['Mapping template', 'Pipedrive', 'NetSuite', 'Slack', 'Temporal']),
    );
    // One line per check, each as it finishes.
    expect(progress.split('\n').filter((l) => /^ {2}[✓✗!-] /.test(l))).toHaveLength(out.results.length);
  });

  it('a payment term NetSuite lacks fails, naming the template entry', async () => {
    const doc = parseDocument(readFileSync(DEFAULT_MAPPING_FILE, 'utf8'));
    doc.setIn(['fields', 'terms', 'default'], 'Net 45');
    const file = join(dataDir, 'missing-term.yaml');
    writeFileSync(file, doc.toString());
    const { code, out } = await doctor(dataDir, json, [], { MAPPING_FILE: file });
    expect(code).toBe(1);
    expect(failures(out)).toEqual([
      expect.objectContaining({
        group: 'NetSuite',
        title: 'payment terms',
        detail: 'fields.terms.default: "Net 45" is no payment term',
        fix: expect.stringContaining('"Net 30"'),
      }),
    ]);
  });

  it('a NetSuite role that cannot write contacts fails, naming the permission to give', async () => {
    const ns = json.netsuite!;
    const role = (levels: Record<string, string>) =>
      fetch(`${ns.url}/__sim/role/permissions`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(levels),
      });
    expect((await role({ LIST_CONTACT: 'view' })).ok).toBe(true);
    try {
      const { code, out } = await doctor(dataDir, json, []);
      expect(code).toBe(1);
      expect(failures(out)).toEqual([
        expect.objectContaining({
          group: 'NetSuite',
          title: 'role writes contact records',
          detail: expect.stringMatching(
            /^refused by the role: 403 INSUFFICIENT_PERMISSION to an empty PATCH to contact/,
          ),
          fix: 'Give the integration role the Lists > Contacts permission at level Full (at least Edit): Setup > Users/Roles > Manage Roles.',
        }),
      ]);
    } finally {
      await role({ LIST_CONTACT: 'full' });
    }
    expect((await doctor(dataDir, json, [])).code).toBe(0);
  });

  it('a renamed Pipedrive field fails naming the entry; --fix creates it and lists the change', async () => {
    const pd = json.pipedrive!;
    const headers = { 'x-api-token': pd.apiToken, 'content-type': 'application/json' };
    const fields = (await (await fetch(`${pd.url}/v1/dealFields?limit=500`, { headers })).json()) as {
      data: Array<{ id: number; name: string }>;
    };
    const csm = fields.data.find((f) => f.name === 'CSM')!;
    await fetch(`${pd.url}/v1/dealFields/${csm.id}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ name: 'Customer success manager' }),
    });

    const broken = await doctor(dataDir, json, []);
    expect(broken.code).toBe(1);
    expect(failures(broken.out)).toEqual([
      expect.objectContaining({
        group: 'Pipedrive',
        title: 'fields.csm.source: deal field "CSM"',
        detail: 'no deal field "CSM"',
        fix: expect.stringContaining('doctor --fix'),
      }),
    ]);

    const fixed = await doctor(dataDir, json, ['--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.out.results.find((r) => r.title === 'fields.csm.source: deal field "CSM"')).toMatchObject({
      status: 'pass',
      fixed: expect.stringMatching(/^created deal field "CSM" \(user, key [0-9a-f]{40}\)$/),
    });
    expect((await doctor(dataDir, json, [])).code).toBe(0);
  });

  it('a missing search attribute fails; --fix adds it', async () => {
    const connection = await Connection.connect({ address: json.temporal.address });
    try {
      await connection.operatorService.removeSearchAttributes({
        namespace: json.temporal.namespace,
        searchAttributes: ['ReviewReason'],
      });
      const broken = await doctor(dataDir, json, []);
      expect(failures(broken.out)).toEqual([
        expect.objectContaining({
          group: 'Temporal',
          detail: 'missing ReviewReason',
          fix: expect.stringContaining('--name ReviewReason --type Keyword'),
        }),
      ]);
      const fixed = await doctor(dataDir, json, ['--fix']);
      expect(fixed.code).toBe(0);
      expect(fixed.out.results.find((r) => r.group === 'Temporal' && r.fixed)).toMatchObject({
        fixed: 'added ReviewReason (Keyword)',
      });
      const listed = await connection.operatorService.listSearchAttributes({ namespace: json.temporal.namespace });
      expect(Object.keys(listed.customAttributes ?? {})).toEqual(expect.arrayContaining(['ReviewReason']));
    } finally {
      await connection.close();
    }
  });
});
