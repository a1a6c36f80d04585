/**
 * Several quick edits of one onboarded deal update one review card instead of posting several (workflows/deal-edit.ts,
 * starters/intake/webhook-intake.ts). The Pipedrive simulator delivers every change to a real app; real workers run
 * the workflows against the NetSuite, Pipedrive and Slack simulators. The Slack simulator's log of Web API calls is
 * what is counted: one chat.postMessage for the card, chat.update for every later edit and for the decision.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait-until';
import { simCall } from '../integrations/pipedrive/sim-admin';
import {
  createSyntheticDeal,
  patchOrganization,
  startRealVendors,
  waitForState,
  withRealWorkers,
  type RealVendors,
} from '../workflow/fixtures/real-vendors';
import { historyToProtoJson } from '../workflow/fixtures/history-json';

/**
 * `RECORD_EDIT_HISTORIES=v<N> npx jest test/e2e/edit-coalescing.test.ts` writes the edit's history to
 * test/workflow/fixtures/histories/<v>-edit-coalesced.json for the replay test (record from committed code).
 */
const RECORD_VERSION = process.env.RECORD_EDIT_HISTORIES;

interface Delivery {
  outcome: string;
  http_status: number | null;
  event_id: string;
  body: WebhookBody;
}

interface SlackMessage {
  ts: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
  edited?: { ts: string };
}

describe('several quick edits of one deal, through POST /webhooks/pipedrive', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let app: FastifyInstance;
  let dataDir: string;
  let appUrl: string;
  const taskQueue = uniqueTaskQueue('edit-coalesce');
  const slackCalls: string[] = [];

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors({}, (line) => slackCalls.push(line));
    dataDir = mkdtempSync(join(tmpdir(), 'edit-coalescing-'));
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
      log: createLogger('edit-coalescing-test', 'silent'),
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

  async function delivered(dealId: string, title: string): Promise<Delivery> {
    return waitUntil(
      `the delivery of "${title}"`,
      async () =>
        (
          await simCall<Delivery[]>(v.pipedriveSim.url, 'GET', `/__sim/deliveries?entity_id=${dealId}&entity=deal`)
        ).find(
          (r) =>
            r.outcome === 'delivered' &&
            (r.body.previous as { title?: unknown } | null)?.title !== undefined &&
            (r.body.data as { title?: unknown } | null)?.title === title,
        ),
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }
  const reviewChannel = (): string => v.slackSim.stackEntry.reviewChannel;
  const cards = async (): Promise<SlackMessage[]> =>
    (
      (await (await fetch(`${v.slackSim.url}/__sim/messages?channel=${reviewChannel()}`)).json()) as {
        messages: SlackMessage[];
      }
    ).messages.filter((m) => m.blocks?.length);
  const calls = (method: string): number =>
    slackCalls.filter((l) => l.includes(`${method} ok`) && l.includes(`channel=${reviewChannel()}`)).length;

  /** A seller changes the organization's tax id (NetSuite owns it), then the deal's title: the deal's change is delivered. */
  async function edit(deal: { dealId: string; orgId: number }, taxId: string, title: string): Promise<void> {
    await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': taxId } });
    await simCall(v.pipedriveSim.url, 'PATCH', `/__sim/deals/${deal.dealId}`, { title });
  }

  it('three edits in a row: one card posted, updated in place for each later edit and for the decision', async () => {
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
        await simCall(v.pipedriveSim.url, 'POST', `/__sim/deals/${deal.dealId}/move`, {
          stage_name: 'Contract Signed',
        });
        await waitUntil('the onboarding to start', async () =>
          (await t.client.workflow.count(`WorkflowId = '${externalId}'`)).count > 0 ? true : undefined,
        );
        expect(((await t.client.workflow.getHandle(externalId).result()) as TransactionState).state).toBe('COMPLETED');

        // The first edit: its run holds the new tax id for review and posts the card.
        await edit(deal, '98-7654321', 'Edit 1');
        const first = await delivered(deal.dealId, 'Edit 1');
        expect(first.http_status).toBe(202);
        const editId = dealEditWorkflowId(externalId, first.event_id);
        await waitForState(t.client, editId, 'NEEDS_REVIEW', 60_000);
        await waitUntil('the card', async () => ((await cards()).length === 1 ? true : undefined));
        expect(calls('chat.postMessage')).toBe(1);
        const updatesBefore = calls('chat.update');

        // Two more edits in quick succession, before anyone looks at the card.
        await edit(deal, '98-1111111', 'Edit 2');
        await edit(deal, '98-2222222', 'Edit 3');
        expect((await delivered(deal.dealId, 'Edit 2')).http_status).toBe(202);
        expect((await delivered(deal.dealId, 'Edit 3')).http_status).toBe(202);

        // The open edit read them: the one card now shows the last tax id.
        const card = await waitUntil(
          'the card to show the last edit',
          async () => {
            const [c] = await cards();
            const s = (await t.client.workflow.getHandle(editId).query(stateQuery)) as DealEditState;
            return c && JSON.stringify(c.blocks).includes('98-2222222') && s.state === 'NEEDS_REVIEW' ? c : undefined;
          },
          { timeoutMs: 60_000 },
        );
        expect(card.edited).toBeDefined();
        expect(await cards()).toHaveLength(1);
        expect(calls('chat.postMessage')).toBe(1);
        expect(calls('chat.update')).toBeGreaterThan(updatesBefore);
        // No edit run per delivery: the deal has one (other suites' simulators number their deals alike: by id).
        const runs: string[] = [];
        for await (const wf of t.client.workflow.list({
          query: `WorkflowType = 'syncDealEdit' AND PipedriveDealId = '${deal.dealId}'`,
        }))
          if (wf.workflowId.startsWith(dealEditWorkflowId(externalId, ''))) runs.push(wf.workflowId);
        expect(runs).toEqual([editId]);
        const waiting = (await t.client.workflow.getHandle(editId).query(stateQuery)) as DealEditState;
        expect(waiting.edit.held).toEqual(['taxRegistration']);
        expect(waiting.edit.changedFields).toEqual(['title']);
        expect(waiting.auditTrail.filter((e) => e.step === 'deal-updated')).toHaveLength(2);

        // Approving the card's review writes the last value; the decision lands on the same card.
        const updatesBeforeDecision = calls('chat.update');
        await t.client.workflow
          .getHandle(editId)
          .signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1', reason: 'EIN confirmed' });
        const done = (await t.client.workflow.getHandle(editId).result()) as DealEditState;
        expect(done).toMatchObject({
          state: 'COMPLETED',
          edit: { outcome: 'applied_after_review', applied: ['taxRegistration'] },
        });
        expect(
          (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map((r) => r.taxRegistrationNumber),
        ).toEqual(['98-2222222']);
        await waitUntil('the decision on the card', async () =>
          calls('chat.update') > updatesBeforeDecision ? true : undefined,
        );
        expect(calls('chat.postMessage')).toBe(1);
        expect(await cards()).toHaveLength(1);
        if (RECORD_VERSION && /^v\d+[a-z]?$/.test(RECORD_VERSION))
          writeFileSync(
            join(__dirname, '..', 'workflow', 'fixtures', 'histories', `${RECORD_VERSION}-edit-coalesced.json`),
            `${JSON.stringify(historyToProtoJson(await t.client.workflow.getHandle(editId).fetchHistory()), null, 1)}\n`,
          );
      },
    );
  }, 240_000);

  it('two edits drained at the same moment, before any edit run exists, still make one run and one card', async () => {
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
        await simCall(v.pipedriveSim.url, 'POST', `/__sim/deals/${deal.dealId}/move`, {
          stage_name: 'Contract Signed',
        });
        await waitUntil('the onboarding to start', async () =>
          (await t.client.workflow.count(`WorkflowId = '${externalId}'`)).count > 0 ? true : undefined,
        );
        expect(((await t.client.workflow.getHandle(externalId).result()) as TransactionState).state).toBe('COMPLETED');
        const signed = (
          await simCall<Delivery[]>(v.pipedriveSim.url, 'GET', `/__sim/deliveries?entity_id=${deal.dealId}&entity=deal`)
        ).find((r) => r.outcome === 'delivered')!;
        const cardsBefore = (await cards()).length;
        const postsBefore = calls('chat.postMessage');

        // A new tax id in Pipedrive, then two deliveries of title changes posted to the app at once (Pipedrive
        // sends a burst of quick edits this way): the drainer decides them side by side.
        await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '98-4444444' } });
        const auth = `Basic ${Buffer.from(`${v.pipedriveSim.stackEntry.webhookUser}:${v.pipedriveSim.stackEntry.webhookPassword}`).toString('base64')}`;
        const answers = await Promise.all(
          ['a', 'b'].map(async (n) => {
            const body = {
              ...signed.body,
              meta: { ...signed.body.meta, id: `race-${n}-${Date.now()}`, attempt: 1 },
              data: { ...(signed.body.data as Record<string, unknown>), title: `Race ${n}` },
              previous: { title: 'before the race' },
            };
            const res = await fetch(`${appUrl}/webhooks/pipedrive`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: auth },
              body: JSON.stringify(body),
            });
            return res.status;
          }),
        );
        expect(answers.every((s) => s === 200 || s === 202)).toBe(true);

        const prefix = dealEditWorkflowId(externalId, '');
        const runs = async (): Promise<string[]> => {
          const ids: string[] = [];
          for await (const wf of t.client.workflow.list({
            query: `WorkflowType = 'syncDealEdit' AND PipedriveDealId = '${deal.dealId}'`,
          }))
            if (wf.workflowId.startsWith(prefix)) ids.push(wf.workflowId);
          return ids;
        };
        const [editId] = await waitUntil('the edit run', async () => ((await runs()).length > 0 ? runs() : undefined));
        await waitForState(t.client, editId!, 'NEEDS_REVIEW', 60_000);
        await waitUntil('the card', async () => ((await cards()).length > cardsBefore ? true : undefined));
        // Both deliveries reached the one run: the second as dealUpdated.
        await waitUntil('the second delivery in the run', async () =>
          ((await t.client.workflow.getHandle(editId!).query(stateQuery)) as DealEditState).auditTrail.some(
            (e) => e.step === 'deal-updated',
          )
            ? true
            : undefined,
        );
        await new Promise((r) => setTimeout(r, 2_000));
        expect(await runs()).toEqual([editId]);
        expect((await cards()).length).toBe(cardsBefore + 1);
        expect(calls('chat.postMessage')).toBe(postsBefore + 1);
        await t.client.workflow
          .getHandle(editId!)
          .signal(reviewSignal, { action: 'cancel', actor: 'U0REVIEWER1', reason: 'test done' });
        expect(((await t.client.workflow.getHandle(editId!).result()) as DealEditState).state).toBe('CANCELLED');
      },
    );
  }, 240_000);
});
