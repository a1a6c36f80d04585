/**
 * Nothing is hard-coded: the second sandbox company (Globex: other Pipedrive field names and types, another signing
 * stage, free-text addresses, other NetSuite subsidiaries, terms, items, custom field ids and contact role) runs the
 * same end-to-end onboarding as Acme with its own template (mapping/second-company.yaml), and `doctor` passes on it,
 * then fails naming the entry when a field is renamed or a term is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { contactExternalId } from '../../domain/billing-contact';
import { NetSuiteClient, sqlString } from '../../integrations/netsuite';
import { runDemo } from '../../scripts/demo';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);

const ROOT = resolve(__dirname, '../..');
const TEMPLATE = join(ROOT, 'mapping', 'second-company.yaml');
const run = promisify(execFile);

describe('second sandbox company (Globex) with its own mapping template', () => {
  let stack: StackProcess;
  let json: StackJson;
  let dataDir: string;
  let netsuite: NetSuiteClient;

  async function doctor(
    mappingFile = TEMPLATE,
  ): Promise<{ code: number; failed: Array<{ title: string; detail?: string }> }> {
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: json.temporal.address,
      TEMPORAL_NAMESPACE: json.temporal.namespace,
      MAPPING_FILE: mappingFile,
      LOG_LEVEL: 'warn',
    };
    const parse = (stdout: string) =>
      (JSON.parse(stdout) as { results: Array<{ title: string; status: string; detail?: string }> }).results.filter(
        (r) => r.status === 'fail',
      );
    try {
      const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'doctor', '--json'], { cwd: ROOT, env });
      return { code: 0, failed: parse(stdout) };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, failed: parse(e.stdout) };
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'globex-e2e-'));
    stack = startStack({ ...(await stackEnv(dataDir)), SANDBOX_COMPANY: 'globex', MAPPING_FILE: TEMPLATE });
    json = await stack.ready();
    const ns = json.netsuite!;
    netsuite = new NetSuiteClient({ ...ns, baseUrl: ns.url, concurrencyLimit: 2 });
  });
  afterAll(async () => {
    await stack?.interrupt();
  });

  it('doctor passes with the second template', async () => {
    expect(await doctor()).toEqual({ code: 0, failed: [] });
  });

  it('onboards signed deals end to end onto Globex records', async () => {
    const result = await runDemo({ stack: json, deals: 3, concurrency: 3, timeoutMs: 120_000, log: () => undefined });
    expect(result).toMatchObject({ deals: 3, completed: 3, inReview: 0, unfinished: 0 });

    const customers = await netsuite.suiteqlAll<Record<string, string>>(
      `SELECT c.id, c.externalid, s.name AS subsidiary, t.name AS terms, c.custentity_gx_tier AS tier, c.custentity_gx_am AS am, BUILTIN.DF(c.leadsource) AS source
         FROM customer c JOIN subsidiary s ON s.id = c.subsidiary JOIN term t ON t.id = c.terms ORDER BY c.id`,
    );
    expect(customers).toHaveLength(3);
    for (const c of customers) {
      // US, GB, DE deals: each "Legal entity" option mapped to its Globex subsidiary, "30" days to "Net 30 days".
      expect(['Globex Inc.', 'Globex UK Limited', 'Globex Europe GmbH']).toContain(c.subsidiary);
      // "Source" Inbound through the template's value map onto NetSuite's standard Lead Source list.
      expect(c).toMatchObject({ terms: 'Net 30 days', tier: 'PRO', am: 'Casey CSM', source: 'Inbound web' });
      const contacts = await netsuite.suiteqlAll<{ role: string }>(
        `SELECT r.name AS role FROM contact k JOIN contactrole r ON r.id = k.contactrole WHERE k.externalid = ${sqlString(contactExternalId(c.externalid!))} AND k.company = ${c.id}`,
      );
      expect(contacts).toEqual([{ role: 'Accounts Payable' }]);
      // The address was only free text in Pipedrive: NetSuite got its parts.
      const snapshot = await netsuite.getCustomerSnapshot(c.externalid!);
      expect(snapshot?.billingAddress).toMatchObject({
        addr1: expect.any(String),
        city: expect.any(String),
        zip: expect.any(String),
        country: expect.stringMatching(/^(US|GB|DE)$/),
      });
    }
    const lines = await netsuite.suiteqlAll<{ itemid: string }>(
      `SELECT i.itemid FROM transactionline l JOIN item i ON i.id = l.item`,
    );
    expect(new Set(lines.map((l) => l.itemid))).toEqual(new Set(['IMPL-PRO']));
  });

  it('doctor fails naming the entry when a field is renamed or a term is missing', async () => {
    const doc = parseDocument(readFileSync(TEMPLATE, 'utf8'));
    doc.setIn(['fields', 'terms', 'values', '45'], 'Net 90');
    doc.setIn(['fields', 'package', 'source', 'field'], 'Support tier');
    const file = join(dataDir, 'broken.yaml');
    writeFileSync(file, doc.toString());
    const { code, failed } = await doctor(file);
    expect(code).toBe(1);
    expect(failed).toEqual([
      expect.objectContaining({
        title: 'fields.package.source: deal field "Support tier"',
        detail: 'no deal field "Support tier"',
      }),
      expect.objectContaining({
        title: 'payment terms',
        detail: expect.stringContaining('fields.terms.values.45: "Net 90" is no payment term'),
      }),
    ]);
  });
});
