/**
 * `syncDealEdit`, the edit after onboarding, on the real dev server with the real workers, activities and clients
 * against the NetSuite, Pipedrive and Slack simulators: a deal is onboarded first, then edited in Pipedrive as a
 * seller would. Assertions are on NetSuite's record, the Slack simulator's review channel and the workflow's state.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dealEditWorkflowId } from '../../domain/deal-edit';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { TransactionState } from '../../domain/transaction';
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { DealEditState } from '../../workflows/deal-edit';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  patchOrganization,
  startRealVendors,
  uniqueExternalId,
  waitForState,
  withRealWorkers,
  type RealVendors,
  type SyntheticDeal,
} from './fixtures/real-vendors';
import { historyToProtoJson } from './fixtures/history-json';

/**
 * `RECORD_EDIT_HISTORIES=v<N> npx jest test/workflow/deal-edit.test.ts` writes the histories of (a), (b) and (b') to
 * fixtures/histories/<v>-edit-*.json, which the replay test replays with every other workflow's (docs/architecture.md#versioning). Record
 * under a new version whenever syncDealEdit's commands change, from committed code, and keep the old files.
 */
const RECORD_VERSION = process.env.RECORD_EDIT_HISTORIES;

interface SlackMessage {
  ts: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
}

describe('syncDealEdit: a Pipedrive edit after onboarding (real clients, real simulators)', () => {
  let t: TestTemporal;
  let vendors: RealVendors | undefined;

  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());
  afterEach(async () => {
    await vendors?.close();
    vendors = undefined;
  });

  const admin = async <T>(url: string, method: string, body?: unknown): Promise<T> => {
    const res = await fetch(url, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const recordHistory = async (workflowId: string, name: string): Promise<void> => {
    if (!RECORD_VERSION || !/^v\d+$/.test(RECORD_VERSION)) return;
    const history = await t.client.workflow.getHandle(workflowId).fetchHistory();
    writeFileSync(
      join(__dirname, 'fixtures', 'histories', `${RECORD_VERSION}-edit-${name}.json`),
      `${JSON.stringify(historyToProtoJson(history), null, 1)}\n`,
    );
  };
  const reviewCards = async (v: RealVendors): Promise<SlackMessage[]> =>
    (
      await admin<{ messages: SlackMessage[] }>(
        `${v.slackSim.url}/__sim/messages?channel=${v.slackSim.stackEntry.reviewChannel}`,
        'GET',
      )
    ).messages.filter((m) => m.blocks?.length);

  /** Fresh simulators and workers; a deal onboarded to COMPLETED; a starter for its edits. */
  async function onboarded<T>(
    fn: (ctx: {
      v: RealVendors;
      deal: SyntheticDeal;
      externalId: string;
      edit: (eventId: string) => ReturnType<OnboardingStarter['startDealEdit']>;
    }) => Promise<T>,
  ): Promise<T> {
    const v = await startRealVendors();
    vendors = v;
    const taskQueue = uniqueTaskQueue('deal-edit');
    return withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        const externalId = uniqueExternalId('edit');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          { externalId, pipedriveDealId: deal.dealId, eventId: 'evt-signed', receivedAt: new Date().toISOString() },
          { taskQueue },
        );
        const done = (await t.client.workflow.getHandle(externalId).result()) as TransactionState;
        expect(done.state).toBe('COMPLETED');
        const starter = new OnboardingStarter(t.connection, t.namespace, { reviewEscalationAfterMs: 60 * 60_000 });
        const edit = (eventId: string) =>
          starter.startDealEdit(
            {
              externalId,
              pipedriveDealId: deal.dealId,
              eventId,
              receivedAt: new Date().toISOString(),
              changedFields: ['person_id'],
            },
            { taskQueue },
          );
        return fn({ v, deal, externalId, edit });
      },
    );
  }

  it("(a) a new contact email is Pipedrive's: written to NetSuite at once, no review", async () => {
    await onboarded(async ({ v, deal, externalId, edit }) => {
      await admin(`${v.pipedriveSim.url}/__sim/persons/${deal.personId}`, 'PATCH', {
        emails: [{ value: 'billing@new-domain.example', primary: true, label: 'work' }],
      });
      const started = await edit('evt-email');
      expect(started.outcome).toBe('started');
      const result = (await t.client.workflow.getHandle(started.workflowId).result()) as DealEditState;
      expect(result).toMatchObject({ state: 'COMPLETED', edit: { outcome: 'applied', applied: ['email'], held: [] } });
      expect(result.auditTrail.map((e) => e.step)).not.toContain('post-review-card');
      expect((await v.netsuite.getCustomerSnapshot(externalId))?.email).toBe('billing@new-domain.example');
      expect(await reviewCards(v)).toEqual([]);
      await recordHistory(started.workflowId, 'applied');
    });
  }, 90_000);

  it("(b) a new tax id is NetSuite's: not written, the edit waits in NEEDS_REVIEW with a card; approving writes it", async () => {
    await onboarded(async ({ v, deal, externalId, edit }) => {
      const before = await v.netsuite.getCustomerSnapshot(externalId);
      const oldTax = before?.taxRegistrations.map((r) => r.taxRegistrationNumber);
      expect(oldTax).toHaveLength(1);
      await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '98-7654321' } });
      const started = await edit('evt-tax');
      const waiting = (await waitForState(t.client, started.workflowId, 'NEEDS_REVIEW', 30_000)) as DealEditState;
      expect(waiting).toMatchObject({ reviewKind: 'ownership', edit: { held: ['taxRegistration'] } });
      expect(waiting.reviewReasons).toEqual([
        expect.objectContaining({
          field: 'organization.taxId',
          code: 'ownership.taxRegistration',
          message: expect.stringMatching(/Pipedrive says "98-7654321.*", NetSuite has "/),
        }),
      ]);
      // NetSuite keeps its value while the edit waits.
      expect(
        (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map((r) => r.taxRegistrationNumber),
      ).toEqual(oldTax);
      // Listed where reviewers look (`cli queue`, ops card): OnboardingState = NEEDS_REVIEW on a running workflow.
      const description = await t.client.workflow.getHandle(started.workflowId).describe();
      expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState)).toBe('NEEDS_REVIEW');
      // The card is in the Slack simulator, and its buttons name this edit's workflow.
      let cards: SlackMessage[] = [];
      for (let i = 0; i < 100 && cards.length === 0; i += 1) {
        cards = await reviewCards(v);
        if (cards.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(cards).toHaveLength(1);
      const card = JSON.stringify(cards[0]);
      expect(card).toContain('A Pipedrive change would overwrite a NetSuite-owned field');
      expect(card).toContain('organization.taxId');
      expect(card).toContain(started.workflowId);

      await t.client.workflow
        .getHandle(started.workflowId)
        .signal(reviewSignal, { action: 'retry', actor: 'U0REVIEWER1', reason: 'new EIN confirmed' });
      const result = (await t.client.workflow.getHandle(started.workflowId).result()) as DealEditState;
      expect(result).toMatchObject({
        state: 'COMPLETED',
        edit: { outcome: 'applied_after_review', applied: ['taxRegistration'], held: [] },
      });
      expect(
        (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map((r) => r.taxRegistrationNumber),
      ).toEqual(['98-7654321']);
      expect(result.auditTrail).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ step: 'review', outcome: 'decision', actor: 'U0REVIEWER1', detail: 'retry' }),
        ]),
      );
      await recordHistory(started.workflowId, 'ownership-approved');
    });
  }, 90_000);

  it("(b') cancel keeps NetSuite's value", async () => {
    await onboarded(async ({ v, deal, externalId, edit }) => {
      const oldTax = (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations;
      await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '98-7654321' } });
      const started = await edit('evt-tax-cancel');
      await waitForState(t.client, started.workflowId, 'NEEDS_REVIEW', 30_000);
      await t.client.workflow
        .getHandle(started.workflowId)
        .signal(reviewSignal, { action: 'cancel', actor: 'U0REVIEWER1' });
      const result = (await t.client.workflow.getHandle(started.workflowId).result()) as DealEditState;
      expect(result).toMatchObject({ state: 'CANCELLED', edit: { outcome: 'netsuite_kept', applied: [] } });
      expect((await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations).toEqual(oldTax);
      await recordHistory(started.workflowId, 'ownership-kept');
    });
  }, 90_000);

  it('(b\'\') "Fix fields…" writes the reviewer\'s corrected value; "link" is refused (the customer is already linked)', async () => {
    await onboarded(async ({ v, deal, externalId, edit }) => {
      await patchOrganization(v, deal.orgId, { custom_fields: { 'Tax ID': '98-7654321' } });
      const started = await edit('evt-tax-fix');
      await waitForState(t.client, started.workflowId, 'NEEDS_REVIEW', 30_000);
      const handle = t.client.workflow.getHandle(started.workflowId);
      await handle.signal(reviewSignal, { action: 'link', actor: 'U0REVIEWER1', netsuiteCustomerId: '1' });
      await handle.signal(reviewSignal, {
        action: 'fix',
        actor: 'U0REVIEWER1',
        fields: { 'organization.taxId': '11-2223333' },
      });
      const result = (await handle.result()) as DealEditState;
      expect(result).toMatchObject({
        state: 'COMPLETED',
        edit: { outcome: 'applied_after_review', applied: ['taxRegistration'] },
      });
      expect(result.auditTrail.filter((e) => e.step === 'review').map((e) => e.detail)).toEqual([
        'link ignored: the customer is already linked',
        'fix',
      ]);
      expect(
        (await v.netsuite.getCustomerSnapshot(externalId))?.taxRegistrations.map((r) => r.taxRegistrationNumber),
      ).toEqual(['11-2223333']);
    });
  }, 90_000);

  it('(c) the same delivery twice starts one edit; a deal without a customer finishes as "no customer"', async () => {
    await onboarded(async ({ v, externalId, edit }) => {
      const first = await edit('evt-dup');
      const again = await edit('evt-dup');
      expect(first.outcome).toBe('started');
      expect(again).toMatchObject({ outcome: 'duplicate', workflowId: first.workflowId });
      const result = (await t.client.workflow.getHandle(first.workflowId).result()) as DealEditState;
      expect(result.edit.outcome).toBe('in_sync');
      const third = await edit('evt-dup');
      expect(third.outcome).toBe('duplicate');

      const other = await createSyntheticDeal(v);
      const stranger = await new OnboardingStarter(t.connection, t.namespace).startDealEdit(
        {
          externalId: uniqueExternalId('never'),
          pipedriveDealId: other.dealId,
          eventId: 'evt-x',
          receivedAt: new Date().toISOString(),
        },
        { taskQueue: (await t.client.workflow.getHandle(first.workflowId).describe()).taskQueue },
      );
      const none = (await t.client.workflow.getHandle(stranger.workflowId).result()) as DealEditState;
      expect(none).toMatchObject({ state: 'COMPLETED', edit: { outcome: 'no_customer', applied: [] } });
      expect(first.workflowId).toBe(dealEditWorkflowId(externalId, 'evt-dup'));
      // The state query serves the same audit trail as onboardDeal's.
      const state = await t.client.workflow.getHandle(first.workflowId).query(stateQuery);
      expect(state.auditTrail.map((e) => e.step)).toEqual(
        expect.arrayContaining(['received', 'get-customer', 'fetch', 'validate', 'compare', 'edit-finished']),
      );
    });
  }, 90_000);
});
