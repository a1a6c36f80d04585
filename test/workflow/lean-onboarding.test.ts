/**
 * The lean command sequence (workflows/onboarding.ts, LEAN_ONBOARDING_4_PATCH; docs/lean-worker.md), read from the
 * history of a real run: a signed delivery onboarded end to end against the simulators with the real workers.
 * - the short reads (deal, claim facts, duplicate probe, External ID owner) and the closing annotation are local
 *   activities: no activity task;
 * - every search-attribute upsert the workflow sends changes a value (RECEIVED, set at the start, is not sent again;
 *   READY_FOR_BILLING, left within the same workflow task, is not sent; the customer id rides with CUSTOMER_SYNCED);
 * - the patches folded into the lean one record no marker (nor the SDK's TemporalChangeVersion upsert) of their own:
 *   a fresh run records one marker, lean-onboarding-4 (LEAN_ONBOARDING_4_PATCH), and one such upsert;
 * - KPI events go to the ledger shard by local activity: no signal command, no timer, five workflow tasks;
 * - what an operator sees is kept: every state in the audit trail, the final search attributes.
 */
import { temporal } from '@temporalio/proto';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { TransactionState } from '../../domain/transaction';
import { simCall } from '../integrations/pipedrive/sim-admin';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  startRealVendors,
  uniqueExternalId,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;

const decode = (p: Payload | null | undefined): unknown =>
  p?.data ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined;

const { EventType } = temporal.api.enums.v1;
const EVENT = {
  activityScheduled: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  marker: EventType.EVENT_TYPE_MARKER_RECORDED,
  upsert: EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  started: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
};

describe('onboardDeal on the lean command sequence', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let events: HistoryEvent[];
  let result: TransactionState;
  let externalId: string;

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
    const companyId = String(
      (
        await simCall<{ company_id: number }>(
          v.pipedriveSim.url,
          'GET',
          `/v1/users/me?api_token=${v.pipedriveSim.stackEntry.apiToken}`,
        )
      ).company_id,
    );
    const taskQueue = uniqueTaskQueue('lean');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        // As a webhook delivery starts it: with the company id, so the claim re-check runs too.
        const deal = await createSyntheticDeal(v, { stage_name: 'Contract Signed' });
        externalId = uniqueExternalId('lean');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          {
            externalId,
            pipedriveDealId: deal.dealId,
            eventId: 'evt-lean',
            companyId,
            receivedAt: new Date().toISOString(),
          },
          { taskQueue },
        );
        const handle = t.client.workflow.getHandle(externalId);
        result = (await handle.result()) as TransactionState;
        events = (await handle.fetchHistory()).events ?? [];
      },
    );
  });
  afterAll(async () => {
    await v?.close();
    await t?.close();
  });

  const ofType = (type: number): HistoryEvent[] => events.filter((e) => Number(e.eventType) === type);
  /** A local activity's marker records its type (in its data) and result, not its input. */
  const localActivityTypes = (): string[] =>
    ofType(EVENT.marker)
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map(
        (e) =>
          (decode(e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]) as { activity_type: string })
            .activity_type,
      );

  it('completes, with every state in the audit trail', () => {
    expect(result.state).toBe('COMPLETED');
    const transitions = result.auditTrail.filter((a) => a.step === 'state').map((a) => a.detail);
    expect(transitions).toEqual([
      'RECEIVED → VALIDATING',
      'VALIDATING → READY_FOR_BILLING',
      'READY_FOR_BILLING → CUSTOMER_SYNCING',
      'CUSTOMER_SYNCING → CUSTOMER_SYNCED',
      'CUSTOMER_SYNCED → INVOICE_SCHEDULED',
      'INVOICE_SCHEDULED → COMPLETED',
    ]);
  });

  it('runs the short reads and the annotation as local activities: four activity tasks, the other writes', () => {
    const scheduled = ofType(EVENT.activityScheduled).map(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name,
    );
    expect(scheduled).toEqual(['writeBackExternalId', 'upsertCustomer', 'upsertBillingContact', 'createFirstInvoice']);
    // fetch, claim facts, validate, duplicate probe, External ID owner, invoice plan, annotation
    expect(localActivityTypes().filter((t) => t !== 'deliverKpiEvent')).toEqual([
      'fetchDeal',
      'dealClaimFacts',
      'validateDeal',
      'findPossibleDuplicates',
      'checkExternalIdOwner',
      'planFirstInvoice',
      'annotateDealOnboarded',
    ]);
  });

  it('sends only upserts that change a value, the customer id with CUSTOMER_SYNCED', () => {
    const current = new Map<string, string>();
    const start = ofType(EVENT.started)[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields;
    for (const [k, p] of Object.entries(start ?? {})) current.set(k, JSON.stringify(decode(p)));
    const sent: Array<Record<string, unknown>> = [];
    for (const e of ofType(EVENT.upsert)) {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
      // The SDK's own TemporalChangeVersion upsert (one per recorded patch) is counted below.
      if ('TemporalChangeVersion' in fields) continue;
      const upsert: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(fields)) {
        const value = JSON.stringify(decode(p));
        expect({ [k]: value }).not.toEqual({ [k]: current.get(k) });
        current.set(k, value);
        upsert[k] = decode(p);
      }
      sent.push(upsert);
    }
    const state = SEARCH_ATTRIBUTES.OnboardingState.name;
    const customerId = SEARCH_ATTRIBUTES.NetSuiteCustomerId.name;
    expect(sent).toEqual([
      { [state]: 'VALIDATING' },
      { [state]: 'CUSTOMER_SYNCING' },
      { [state]: 'CUSTOMER_SYNCED', [customerId]: result.netsuiteCustomerId },
      { [state]: 'INVOICE_SCHEDULED' },
      { [state]: 'COMPLETED' },
    ]);
  });

  const patchMarkers = (): string[] =>
    ofType(EVENT.marker)
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((e) =>
        JSON.stringify(
          Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) => (d.payloads ?? []).map(decode)),
        ),
      );
  const changeVersionUpserts = (): HistoryEvent[] =>
    ofType(EVENT.upsert).filter(
      (e) =>
        'TemporalChangeVersion' in
        (e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );

  it('records one patch marker for the folded patches (and one TemporalChangeVersion upsert per marker)', () => {
    const patches = patchMarkers();
    expect(patches.some((p) => p.includes('"lean-onboarding-4"'))).toBe(true);
    for (const folded of [
      'lean-onboarding',
      'lean-onboarding-2',
      'lean-onboarding-3',
      'recheck-deal-claim',
      'local-billing-rules',
      'external-id-owner',
      'billing-contact',
      'kpi-ledger',
      'kpi-ledger-sharded',
      'kpi-delivery-confirmed',
      'mapping-per-run',
    ])
      expect(patches.filter((p) => p.includes(`"${folded}"`))).toEqual([]);
    expect(changeVersionUpserts()).toHaveLength(patches.length);
  });

  it('records a single patch marker and a single TemporalChangeVersion upsert in the whole run', () => {
    // Before lean-onboarding-3 (which lean-onboarding-4 implies) a signed delivery recorded 5 of each (lean-onboarding-2, the three KPI ledger patches,
    // mapping-per-run): 8 events and 4 visibility writes more per onboarding (docs/lean-worker.md).
    expect(patchMarkers()).toHaveLength(1);
    expect(changeVersionUpserts()).toHaveLength(1);
  });

  it('still reports its KPI events and pins its mapping template (the folded patches hold)', () => {
    // received, customer, invoice; no shard runs in this namespace's test, so each got a last try at the close.
    const kpiTries = localActivityTypes().filter((t) => t === 'deliverKpiEvent');
    expect(kpiTries.length).toBeGreaterThanOrEqual(3);
    expect(result.mappingHash).toEqual(expect.any(String));
    expect(result.auditTrail.some((a) => a.step === 'mapping' && /pinned/.test(a.detail ?? ''))).toBe(true);
  });

  it('sends its KPI events without a signal command or a timer: five workflow tasks for the whole onboarding', () => {
    // With signal commands each event's outcome woke the run (a workflow task of its own) and the close waited on a
    // timer for the last one: seven workflow tasks on lean-onboarding-3 (docs/lean-worker.md).
    expect(events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    expect(events.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(5);
  });

  it('leaves the operator the same search attributes at the end', async () => {
    const d = await t.client.workflow.getHandle(externalId).describe();
    expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState)).toBe('COMPLETED');
    expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.NetSuiteCustomerId)).toBe(result.netsuiteCustomerId);
  });
});
