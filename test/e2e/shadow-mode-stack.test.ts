/**
 * Shadow mode on the stack as `npm start` runs it with SHADOW_MODE=true: a signed deal goes through the webhook and
 * completes, NetSuite gets no customer and no invoice for it, and `npm run cli -- shadow-report` (reading the
 * worker's ledger under DATA_DIR) lists the customer upsert and the invoice it would have written.
 */
import { contactExternalId } from '../../domain/billing-contact';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NetSuiteClient, sqlString } from '../../integrations/netsuite';
import type { ShadowReport } from '../../starters/cli/shadow-report-command';
import { runDemo } from '../../scripts/demo';
import { stateQuery } from '../../workflows/messages';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);
const run = promisify(execFile);

describe('shadow mode on the running stack', () => {
  let stack: StackProcess;
  let json: StackJson;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    env = { ...(await stackEnv(mkdtempSync(join(tmpdir(), 'shadow-e2e-')))), SHADOW_MODE: 'true' };
    stack = startStack(env);
    json = await stack.ready();
  });
  afterAll(async () => {
    await stack?.interrupt();
  });

  it('a deal completes on shadow ids; NetSuite holds nothing for it; shadow-report lists both writes', async () => {
    const result = await runDemo({ stack: json, deals: 1, concurrency: 1, timeoutMs: 180_000, log: () => undefined });
    expect(result).toMatchObject({ deals: 1, completed: 1 });

    const connection = await Connection.connect({ address: json.temporal.address });
    const client = new Client({ connection, namespace: json.temporal.namespace });
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `OnboardingState = 'COMPLETED'` })) ids.push(wf.workflowId);
    expect(ids).toHaveLength(1);
    const state = await client.workflow.getHandle(ids[0]!).query(stateQuery);
    await connection.close();
    expect(state.netsuiteCustomerId).toBe(`shadow-customer-${state.externalId}`);
    expect(state.invoiceId).toMatch(/^shadow-invoice-/);

    const ns = json.netsuite!;
    const netsuite = new NetSuiteClient({ ...ns, baseUrl: ns.url, concurrencyLimit: 2 });
    expect(
      await netsuite.suiteqlAll(`SELECT id FROM customer WHERE externalid = ${sqlString(state.externalId)}`),
    ).toEqual([]);
    expect(await netsuite.suiteqlAll(`SELECT id FROM transaction WHERE type = 'CustInvc'`)).toEqual([]);

    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'shadow-report', '--json'], {
      cwd: resolve(__dirname, '../..'),
      env: { ...env, TEMPORAL_ADDRESS: json.temporal.address },
    });
    const report = JSON.parse(stdout) as ShadowReport;
    expect(report.ledger).toBe(join(resolve(__dirname, '../..', env.DATA_DIR!), 'shadow', 'netsuite-writes.sqlite'));
    expect(report.writes.map((w) => [w.operation, w.path, w.effect, w.syntheticId])).toEqual([
      ['customer.upsert', `record/v1/customer/eid:${state.externalId}`, 'create', state.netsuiteCustomerId],
      [
        'contact.upsert',
        `record/v1/contact/eid:${contactExternalId(state.externalId)}`,
        'create',
        `shadow-contact-${contactExternalId(state.externalId)}`,
      ],
      ['invoice.create', 'record/v1/invoice', 'create', state.invoiceId],
    ]);
  });
});
