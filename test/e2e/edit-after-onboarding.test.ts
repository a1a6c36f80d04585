/**
 * An edit after onboarding through the webhook (issue #5 item 6): the Pipedrive simulator delivers to a real app
 * (buildApp on a free port), real workers run the workflows against the NetSuite, Pipedrive and Slack simulators.
 * A deal is onboarded by moving it to Contract Signed; a later change to it, once the onboarding has closed, starts
 * `syncDealEdit`, which holds a new tax id (NetSuite owns it) for review instead of writing it.
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
import { reviewSignal } from '../../workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { simCall } from '../integrations/pipedrive/sim-admin';
import {
  createSyntheticDeal,
  patchOrganization,
  startRealVendors,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from '../workflow/fixtures/real-vendors';

interface Delivery {
  outcome: string;
  http_status: number | null;
  event_id: string;
  body: WebhookBody;
}

describe('a Pipedrive edit after onboarding, through POST /webhooks/pipedrive', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let app: FastifyInstance;
  let appUrl: string;
  let dataDir: string;
  const taskQueue = uniqueTaskQueue('edit-e2e');

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
    dataDir = mkdtempSync(join(tmpdir(), 'edit-after-onboarding-'));
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
      log: createLogger('edit-after-onboarding-test', 'silent'),
      connection: t.connection,
      client: t.client,
      registry: new Registry(),
      webhookIntake: { pipedrive: v.pipedrive, taskQueue, temporalTimeoutMs: 10_000, drainRetryMaxMs: 1_000 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
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

  /** The simulator's finished delivery of a change to `dealId` matching `pred` (retries included, newest last). */
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

  it('a new tax id on an onboarded deal goes to review: NetSuite keeps its value until a reviewer approves; a redelivery starts nothing new', async () => {
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        const me = await simCall<{ company_id: number }>(
          v.pipedriveSim.url,
          'GET',
          `/v1/users/me?api_token=${v.pipedriveSim.stackEntry.apiToken}`,
        );
        const externalId = deriveExternalId({ companyId: String(me.company_id), dealId: deal.dealId });

        // Onboarding, started by the webhook, runs to COMPLETED.
        await simCall(v.pipedriveSim.url, 'POST', `/__sim/deals/${deal.dealId}/move`, {
          stage_name: 'Contract Signed',
        });
        expect(
          (await delivered(deal.dealId, (b) => (b.previous as { stage_id?: unknown } | null)?.stage_id !== undefined))
            .http_status,
        ).toBe(202);
        const onboarding = (await t.client.workflow.getHandle(externalId).result()) as TransactionState;
        expect(onboarding.state).toBe('COMPLETED');
        const taxBefore = (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map(
          (r) => r.taxRegistrationNumber,
        );
        expect(taxBefore).toHaveLength(1);

        // A seller corrects the organization's tax id, then updates the deal: the deal's change reaches the intake.
        await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '98-7654321' } });
        await simCall(v.pipedriveSim.url, 'PATCH', `/__sim/deals/${deal.dealId}`, { title: 'Renewal terms agreed' });
        const delivery = await delivered(
          deal.dealId,
          (b) => (b.previous as { title?: unknown } | null)?.title !== undefined,
        );
        expect(delivery.http_status).toBe(202);
        const editId = dealEditWorkflowId(externalId, delivery.event_id);

        const waiting = (await waitForState(t.client, editId, 'NEEDS_REVIEW', 60_000)) as DealEditState;
        expect(waiting).toMatchObject({
          reviewKind: 'ownership',
          edit: { held: ['taxRegistration'], changedFields: ['title'] },
        });
        expect((await t.client.workflow.getHandle(editId).describe()).type).toBe('syncDealEdit');
        expect(
          (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map((r) => r.taxRegistrationNumber),
        ).toEqual(taxBefore);

        // Pipedrive redelivers the same event (a retry): same workflow, nothing new.
        const again = await fetch(`${appUrl}/webhooks/pipedrive`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${v.pipedriveSim.stackEntry.webhookUser}:${v.pipedriveSim.stackEntry.webhookPassword}`).toString('base64')}`,
          },
          body: JSON.stringify(delivery.body),
        });
        expect(again.status).toBe(202);
        expect(await again.json()).toMatchObject({ outcome: 'duplicate', kind: 'edit', workflowId: editId });
        const runs: string[] = [];
        for await (const wf of t.client.workflow.list({ query: `WorkflowId = '${editId}'` })) runs.push(wf.runId);
        expect(runs).toHaveLength(1);

        await t.client.workflow
          .getHandle(editId)
          .signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1', reason: 'EIN confirmed with the customer' });
        const done = (await t.client.workflow.getHandle(editId).result()) as DealEditState;
        expect(done).toMatchObject({
          state: 'COMPLETED',
          edit: { outcome: 'applied_after_review', applied: ['taxRegistration'] },
        });
        expect(
          (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map((r) => r.taxRegistrationNumber),
        ).toEqual(['98-7654321']);
      },
    );
  }, 180_000);
});
