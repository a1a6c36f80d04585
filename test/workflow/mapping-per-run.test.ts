/**
 * A run keeps the mapping template it first read its deal with (workflows/mapping-pin.ts). A deal parks in review under
 * the default template; the workers are replaced by ones started with a changed template (company names capped at 3
 * characters, which every synthetic deal exceeds); the retry still maps with the run's template and completes, and the
 * audit trail names that template by hash. A `remap` retry (the CLI's `retry --remap`) takes the new template on
 * purpose, and says so. Real dev server, workers, clients and simulators.
 */
import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import type { TransactionState } from '../../domain/transaction';
import { PipedriveClient } from '../../integrations/pipedrive';
import { DEFAULT_MAPPING_FILE, loadMappingFile, parseMappingText } from '../../runtime/mapping-loader';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { reviewSignal } from '../../workflows/messages';
import { runOpsCli } from '../helpers/ops-cli-process';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  patchOrganization,
  startRealVendors,
  uniqueExternalId,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

jest.setTimeout(120_000);

const original = loadMappingFile(DEFAULT_MAPPING_FILE);
const changed = (() => {
  const doc = parseDocument(readFileSync(DEFAULT_MAPPING_FILE, 'utf8'));
  doc.setIn(['fields', 'companyName', 'maxLength'], 3);
  return parseMappingText(doc.toString(), 'changed.yaml');
})();

describe('the mapping template is fixed per run', () => {
  let t: TestTemporal;
  let v: RealVendors;
  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
  });
  afterAll(async () => {
    await v?.close();
    await t?.close();
  });

  /** The workers as a process started with `mapping` as its template file would run them. */
  const workers =
    (taskQueue: string, mapping: typeof original) =>
    <T>(fn: () => Promise<T>): Promise<T> =>
      withRealWorkers(
        {
          ...v,
          pipedrive: new PipedriveClient({
            apiUrl: v.pipedriveSim.stackEntry.url,
            apiToken: v.pipedriveSim.stackEntry.apiToken,
            mapping,
          }),
        },
        { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
        fn,
      );

  /** Starts a deal without a tax id under the default template's workers; answers once it is in review. */
  async function parkedUnderOriginal(taskQueue: string): Promise<{ externalId: string; orgId: number }> {
    const deal = await createSyntheticDeal(v, { omit: ['tax_id'] });
    const externalId = uniqueExternalId('map-pin');
    await workers(
      taskQueue,
      original,
    )(async () => {
      await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
        { externalId, pipedriveDealId: deal.dealId, eventId: 'evt-signed', receivedAt: new Date().toISOString() },
        { taskQueue },
      );
      const review = await waitForState(t.client, externalId, 'NEEDS_REVIEW');
      expect(review.mappingHash).toBe(original.hash);
      expect(review.auditTrail).toContainEqual(
        expect.objectContaining({ step: 'mapping', detail: `template ${original.hash} pinned for this run` }),
      );
    });
    await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '94-1234567' } });
    return { externalId, orgId: deal.orgId };
  }

  it('a template changed while the deal waits in review does not change how that run maps it', async () => {
    expect(changed.hash).not.toBe(original.hash);
    const taskQueue = uniqueTaskQueue('map-pin');
    const { externalId } = await parkedUnderOriginal(taskQueue);
    const done = await workers(
      taskQueue,
      changed,
    )(async () => {
      await t.client.workflow.getHandle(externalId).signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1' });
      // Fails with the run's state and last audit entries if it went back to review instead.
      await waitForState(t.client, externalId, 'COMPLETED', 30_000);
      // The CLI's status names the template by hash and leaves the template itself out.
      const status = JSON.parse((await runOpsCli(t, 'status', externalId, '--json')).stdout) as TransactionState;
      expect(status.mappingHash).toBe(original.hash);
      expect(status).not.toHaveProperty('pinnedMapping');
      return (await t.client.workflow.getHandle(externalId).result()) as TransactionState;
    });
    // Under the changed template the company name would be too long: the run kept its own.
    expect(done.state).toBe('COMPLETED');
    expect(done.mappingHash).toBe(original.hash);
    expect(done.auditTrail.filter((e) => e.step === 'mapping').map((e) => e.detail)).toEqual([
      `template ${original.hash} pinned for this run`,
    ]);
  });

  it('a remap retry reads the deal with the current template and records the change', async () => {
    const taskQueue = uniqueTaskQueue('map-remap');
    const { externalId } = await parkedUnderOriginal(taskQueue);
    const review = await workers(
      taskQueue,
      changed,
    )(async () => {
      const before = (await waitForState(t.client, externalId, 'NEEDS_REVIEW')).auditTrail.length;
      // As an operator does it: the CLI's retry with --remap.
      const cli = await runOpsCli(t, 'retry', externalId, '--remap', '--json');
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ externalId, action: 'retry', remap: true });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const s = await waitForState(t.client, externalId, 'NEEDS_REVIEW');
        if (s.auditTrail.length > before && s.mappingHash === changed.hash) return s;
        if (Date.now() > deadline) throw new Error(`no remap seen: ${JSON.stringify(s.auditTrail.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    expect(review.reviewReasons.map((r) => r.code)).toContain('field.too_long');
    expect(review.auditTrail.filter((e) => e.step === 'mapping').map((e) => [e.outcome, e.actor, e.detail])).toEqual([
      ['info', undefined, `template ${original.hash} pinned for this run`],
      [
        'decision',
        expect.stringMatching(/^cli:/),
        `remap: template ${original.hash} let go; the next read uses the worker's current template`,
      ],
      ['info', undefined, `template ${changed.hash} pinned for this run (was ${original.hash})`],
    ]);
    await t.client.workflow.getHandle(externalId).cancel();
  });
});
