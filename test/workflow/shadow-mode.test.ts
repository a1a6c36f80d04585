/**
 * Shadow mode: onboardDeal runs whole over the real clients and simulators, with the NetSuite port decorated by
 * ShadowNetSuitePort. The deal completes on synthetic ids, NetSuite holds no new customer or invoice and saw no
 * write request, and the ledger holds both would-be writes with their bodies (sync and async upserts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransactionState } from '../../domain/transaction';
import { ShadowLedger } from '../../integrations/netsuite/shadow-ledger';
import { ShadowNetSuitePort } from '../../integrations/netsuite/shadow-netsuite-port';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { runOpsCli } from '../helpers/ops-cli-process';
import {
  createSyntheticDeal,
  netsuiteRecordCounts,
  netsuiteStats,
  startRealVendors,
  uniqueExternalId,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

jest.setTimeout(120_000);

describe('shadow mode (NetSuite writes recorded, not made)', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let dataDir: string;
  let ledger: ShadowLedger;
  beforeAll(async () => {
    [t, v] = await Promise.all([connectTestTemporal(), startRealVendors()]);
    dataDir = mkdtempSync(join(tmpdir(), 'shadow-test-'));
    ledger = ShadowLedger.open(dataDir);
  });
  afterAll(async () => {
    ledger?.close();
    await v?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([false, true])(
    'a deal completes (async upserts: %s); NetSuite has no new customer or invoice; the ledger has both writes',
    async (asyncUpserts) => {
      const taskQueue = uniqueTaskQueue('shadow');
      const port = new ShadowNetSuitePort(v.netsuite, ledger);
      const since = new Date().toISOString();
      const before = await netsuiteStats(v);
      const done = await withRealWorkers(
        v,
        {
          connection: t.nativeConnection,
          namespace: t.namespace,
          taskQueue,
          workflowBundle: t.workflowBundle,
          asyncUpserts,
          netsuitePort: port,
        },
        async () => {
          const { dealId } = await createSyntheticDeal(v);
          const externalId = uniqueExternalId('shadow');
          await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
            { externalId, pipedriveDealId: dealId, eventId: `evt-${externalId}`, receivedAt: new Date().toISOString() },
            { taskQueue },
          );
          return (await t.client.workflow.getHandle(externalId).result()) as TransactionState;
        },
      );

      expect(done.state).toBe('COMPLETED');
      expect(done.netsuiteCustomerId).toBe(`shadow-customer-${done.externalId}`);
      expect(await netsuiteRecordCounts(v, done.externalId)).toEqual({ customers: 0, invoices: 0, customerIds: [] });
      // Reads went to NetSuite (reference data, duplicate probe, lookups); not one write did.
      const after = await netsuiteStats(v);
      const writes = Object.entries(after.requests).filter(
        ([key, n]) => /^(PUT|POST record|PATCH|DELETE)/.test(key) && n !== (before.requests[key] ?? 0),
      );
      expect(writes).toEqual([]);
      expect(after.asyncJobs.submitted).toBe(before.asyncJobs.submitted);

      const recorded = ledger
        .list({ since })
        .filter((w) => w.recordKey === done.externalId || w.syntheticId === done.invoiceId);
      expect(recorded.map((w) => [w.operation, w.method, w.path, w.effect, w.attempts])).toEqual([
        [
          asyncUpserts ? 'customer.upsertAsync' : 'customer.upsert',
          'PUT',
          `record/v1/customer/eid:${done.externalId}`,
          'create',
          1,
        ],
        ['invoice.create', 'POST', 'record/v1/invoice', 'create', 1],
      ]);
      const [customer, invoice] = recorded as [(typeof recorded)[0], (typeof recorded)[0]];
      expect(customer.body).toMatchObject({
        externalId: done.externalId,
        companyName: expect.any(String),
        subsidiary: { id: expect.any(String) },
      });
      expect(invoice.body).toMatchObject({
        entity: { id: `shadow-customer-${done.externalId}` },
        item: { items: [expect.objectContaining({ item: expect.anything() })] },
      });
      expect(done.invoiceId).toMatch(/^shadow-invoice-/);
    },
  );

  it('npm run cli -- shadow-report lists what would have been written (JSON and text)', async () => {
    // runOpsCli passes this process's env on: the CLI reads the ledger under DATA_DIR.
    const previous = process.env.DATA_DIR;
    process.env.DATA_DIR = dataDir;
    const [json, text] = await Promise.all([
      runOpsCli(t, 'shadow-report', '--json'),
      runOpsCli(t, 'shadow-report'),
    ]).finally(() => {
      if (previous === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = previous;
    });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      ledger: string;
      counts: Record<string, number>;
      writes: Array<{ operation: string; body: unknown }>;
    };
    // Each onboarding records its customer, its billing contact and its invoice.
    expect(report.counts).toMatchObject({
      'customer.upsert': 1,
      'customer.upsertAsync': 1,
      'contact.upsert': 2,
      'invoice.create': 2,
    });
    expect(report.writes).toHaveLength(6);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('6 NetSuite writes recorded');
    expect(text.stdout).toMatch(/PUT record\/v1\/customer\/eid:shadow-/);
  });
});
