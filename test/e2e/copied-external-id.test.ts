/**
 * A copied deal (issue 21 item 1), tried as a sales team would: deal A is signed and onboarded through the webhook;
 * deal B is given A's External ID (Pipedrive's "duplicate deal" copies it, anyone can type it), signed, then renamed.
 * Deal A's NetSuite customer keeps its name and e-mail; deal B is onboarded under its own External ID, to its own
 * customer, and its rename reaches that customer only. The Pipedrive simulator delivers to a real app (buildApp on a
 * free port); real workers run the workflows against the NetSuite, Pipedrive and Slack simulators.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { dealEditWorkflowId } from '../../domain/deal-edit';
import { deriveExternalId } from '../../domain/external-id';
import type { TransactionState } from '../../domain/transaction';
import { parseConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import type { WebhookBody } from '../../sandbox/pipedrive';
import { buildApp } from '../../starters/http/app';
import type { DealEditState } from '../../workflows/deal-edit';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { simCall } from '../integrations/pipedrive/sim-admin';
import {
  createSyntheticDeal,
  patchOrganization,
  startRealVendors,
  withRealWorkers,
  type RealVendors,
} from '../workflow/fixtures/real-vendors';

interface Delivery {
  outcome: string;
  http_status: number | null;
  event_id: string;
  body: WebhookBody;
}

describe('a copied External ID, through POST /webhooks/pipedrive', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let app: FastifyInstance;
  let dataDir: string;
  const taskQueue = uniqueTaskQueue('copied-eid-e2e');

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
    dataDir = mkdtempSync(join(tmpdir(), 'copied-external-id-'));
    const pd = v.pipedriveSim.stackEntry;
    app = buildApp({
      config: parseConfig({
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
        INTAKE_ACK_BUDGET_MS: '30000',
        TEMPORAL_ADDRESS: t.address,
        TEMPORAL_NAMESPACE: t.namespace,
        PIPEDRIVE_API_URL: pd.url,
        PIPEDRIVE_API_TOKEN: pd.apiToken,
        PIPEDRIVE_COMPANY_DOMAIN: pd.companyDomain,
        PIPEDRIVE_WEBHOOK_USER: pd.webhookUser,
        PIPEDRIVE_WEBHOOK_PASSWORD: pd.webhookPassword,
      }),
      log: createLogger('copied-external-id-test', 'silent'),
      connection: t.connection,
      client: t.client,
      registry: new Registry(),
      webhookIntake: { pipedrive: v.pipedrive, taskQueue, temporalTimeoutMs: 10_000, drainRetryMaxMs: 1_000 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await v.pipedrive.ensureWebhook({
      subscriptionUrl: `${appUrl}/webhooks/pipedrive`,
      user: pd.webhookUser,
      password: pd.webhookPassword,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await v?.close();
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function delivered(
    dealId: string,
    pred: (body: WebhookBody) => boolean,
    timeoutMs = 60_000,
  ): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = await simCall<Delivery[]>(
        v.pipedriveSim.url,
        'GET',
        `/__sim/deliveries?entity_id=${dealId}&entity=deal`,
      );
      const found = records.find((r) => r.outcome === 'delivered' && pred(r.body));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no delivered change of deal ${dealId} within ${timeoutMs} ms: ${JSON.stringify(records.map((r) => [r.outcome, r.http_status]))}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stageChanged = (b: WebhookBody): boolean =>
    (b.previous as { stage_id?: unknown } | null)?.stage_id !== undefined;
  const retitled = (b: WebhookBody): boolean => (b.previous as { title?: unknown } | null)?.title !== undefined;

  it("deal B carrying deal A's External ID, signed then renamed, never touches deal A's customer", async () => {
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const me = await simCall<{ company_id: number }>(
          v.pipedriveSim.url,
          'GET',
          `/v1/users/me?api_token=${v.pipedriveSim.stackEntry.apiToken}`,
        );
        const dealA = await createSyntheticDeal(v);
        const dealB = await createSyntheticDeal(v);
        const idA = deriveExternalId({ companyId: String(me.company_id), dealId: dealA.dealId });
        const idB = deriveExternalId({ companyId: String(me.company_id), dealId: dealB.dealId });

        // Deal A is signed and onboarded; its run writes idA back to the deal.
        await simCall(v.pipedriveSim.url, 'POST', `/__sim/deals/${dealA.dealId}/move`, {
          stage_name: 'Contract Signed',
        });
        expect((await delivered(dealA.dealId, stageChanged)).http_status).toBe(202);
        expect(((await t.client.workflow.getHandle(idA).result()) as TransactionState).state).toBe('COMPLETED');
        const customerA = await v.netsuite.getCustomerSnapshot(idA);
        expect(customerA).toMatchObject({ companyName: dealA.orgName, email: dealA.email });

        // Someone copies A's External ID onto deal B (an edit in an early stage), then B is signed.
        await simCall(v.pipedriveSim.url, 'PATCH', `/__sim/deals/${dealB.dealId}`, {
          custom_fields: { 'External ID': idA },
        });
        await simCall(v.pipedriveSim.url, 'POST', `/__sim/deals/${dealB.dealId}/move`, {
          stage_name: 'Contract Signed',
        });
        const signedB = await delivered(dealB.dealId, stageChanged);
        expect(signedB.http_status).toBe(202);
        // B runs under its own id, to its own customer, and its run writes that id back over the copied one.
        const onboardedB = (await t.client.workflow.getHandle(idB).result()) as TransactionState;
        expect(onboardedB).toMatchObject({ state: 'COMPLETED', pipedriveDealId: dealB.dealId });
        expect(onboardedB.netsuiteCustomerId).not.toBe(customerA?.id);
        expect(await v.netsuite.getCustomerSnapshot(idB)).toMatchObject({
          companyName: dealB.orgName,
          email: dealB.email,
        });

        // B is renamed: the organization, then the deal (whose change reaches the intake).
        await patchOrganization(v, dealB.orgId, { name: 'Renamed Copy Ltd' });
        await simCall(v.pipedriveSim.url, 'PATCH', `/__sim/deals/${dealB.dealId}`, { title: 'Copy renamed' });
        const renamed = await delivered(dealB.dealId, retitled);
        expect(renamed.http_status).toBe(202);
        const edit = (await t.client.workflow
          .getHandle(dealEditWorkflowId(idB, renamed.event_id))
          .result()) as DealEditState;
        expect(edit).toMatchObject({ state: 'COMPLETED', edit: { outcome: 'applied' } });
        expect((await v.netsuite.getCustomerSnapshot(idB))?.companyName).toBe('Renamed Copy Ltd');

        // Deal A's customer is as A's onboarding left it.
        const afterA = await v.netsuite.getCustomerSnapshot(idA);
        expect(afterA).toMatchObject({ id: customerA?.id, companyName: dealA.orgName, email: dealA.email });
        expect(afterA?.customFields.custentity_pd_deal_id).toBe(dealA.dealId);
      },
    );
  }, 180_000);
});
