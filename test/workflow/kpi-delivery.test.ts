/**
 * KPI events reach the ledger shards exactly once (workflows/kpi-delivery.ts, ops/model/kpi-dedup.ts), on the real
 * server with the real onboarding. In a namespace of its own, so the global `ops-watch-ledger-<n>` ids are this
 * test's alone (other files' onboardings feed the ones in the shared namespace).
 *
 * Before the confirmed delivery an onboarding's signal to a shard was fire-and-forget: a deal that started while its
 * shard did not run lost its 'received' event for good, and ops-watch counted one deal fewer than were onboarded.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createOnboardingActivities } from '../../activities/onboarding-activities';
import { ensureLedgerShards, readLedgerShards } from '../../ops/activities/ledger-shards';
import type { KpiEvent } from '../../ops/model/ledger';
import type { LedgerShardState } from '../../ops/model/ledger-shard-state';
import {
  kpiEventSignal,
  ledgerShardQuery,
  OPS_LEDGER_SHARDS,
  opsLedgerShardId,
  opsLedgerShardOf,
} from '../../ops/messages';
import { registerNamespace } from '../../scripts/cluster-schema';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { FakeNetSuite, FakePipedrive } from '../helpers/fake-vendors';
import { runOnboardingWorkers } from '../helpers/onboarding-workers';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait-until';
import { makeDeal } from '../unit/domain/fixtures';

const SETTINGS = { customerSlaMs: 5 * 60_000, sweepMs: 3_600_000 };

/**
 * Holds the External ID write-back (the first Pipedrive write, an activity task after the first workflow task) until the
 * test lets it go: the onboarding stays open while its shard is missing, and its first task, with the 'received'
 * event's first try, is in the history.
 */
class GatedPipedrive extends FakePipedrive {
  reached = false;
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  release(): void {
    this.open();
  }
  override async setDealFields(dealId: string, values: Record<string, string | null>) {
    this.reached = true;
    await this.gate;
    return super.setDealFields(dealId, values);
  }
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The outcomes of the run's KPI local activities so far (a local activity's marker records its type and result). */
function kpiActivityResults(events: HistoryEvent[]): unknown[] {
  const decode = (p: { data?: Uint8Array | null } | undefined): unknown =>
    p?.data ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined;
  return events
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_local_activity')
    .filter(
      (m) =>
        (decode(m!.details?.data?.payloads?.[0]) as { activity_type?: string })?.activity_type === 'deliverKpiEvent',
    )
    .map((m) => (m!.failure ? 'failed' : decode(m!.details?.result?.payloads?.[0])));
}

describe('KPI event delivery to the ledger shards', () => {
  let t: TestTemporal;
  /** One namespace per test: the global `ops-watch-ledger-<n>` ids are then the test's alone, missing until it starts them. */
  const clients: Client[] = [];
  const opsQueue = uniqueTaskQueue('kpi-delivery-ops');

  beforeAll(async () => {
    t = await connectTestTemporal();
  }, 120_000);
  afterAll(async () => {
    // The shards run forever: end them (their ids exist only in these tests' namespaces).
    for (const client of clients)
      for (let n = 0; n < OPS_LEDGER_SHARDS; n += 1)
        await client.workflow
          .getHandle(opsLedgerShardId(n))
          .terminate('test done')
          .catch(() => undefined);
    await t?.close();
  });

  const freshNamespace = async (): Promise<{ namespace: string; client: Client }> => {
    const namespace = `kpi-delivery-${process.pid}-${Date.now().toString(36)}-${clients.length}`;
    await registerNamespace(t.address, () => undefined, { name: namespace });
    const client = new Client({ connection: t.connection, namespace });
    clients.push(client);
    return { namespace, client };
  };

  const shardWorker = (namespace: string) =>
    Worker.create({
      connection: t.nativeConnection,
      namespace,
      taskQueue: opsQueue,
      workflowBundle: t.workflowBundle,
    });

  /**
   * `signalFallback`: the worker's KPI local activity fails (Temporal unreachable from it), so each event goes by
   * signal command instead, as on runs before the fourth lean marker.
   */
  const receivedBeforeShard = async (signalFallback: boolean) => {
    const { namespace, client } = await freshNamespace();
    const netsuite = new FakeNetSuite();
    const pipedrive = new GatedPipedrive(makeDeal({ deal: { firstInvoiceDate: '2026-11-27' } }));
    const taskQueue = uniqueTaskQueue('kpi-delivery');
    const created = createOnboardingActivities({
      pipedrive,
      netsuite,
      netsuiteOptions: { asyncUpserts: false, defaultInvoiceDelayDays: 0, referenceDataTtlMs: 60_000 },
      review: {
        postReviewCard: async () => ({ channel: 'C0', ts: '1.0' }),
        recordReviewDecision: async () => undefined,
        escalateReview: async () => undefined,
      },
      alerts: { alert: async () => undefined },
    });
    const unreachable = async (): Promise<never> => {
      throw new Error('14 UNAVAILABLE: connection refused');
    };
    const activities = signalFallback
      ? { ...created, onboarding: { ...created.onboarding, deliverKpiEvent: unreachable } }
      : created;
    const externalId = `kpi-${randomUUID()}`;
    const shardId = opsLedgerShardId(opsLedgerShardOf(externalId));

    const result = await runOnboardingWorkers({ ...t, namespace }, taskQueue, activities, async () => {
      await new OnboardingStarter(t.connection, namespace, {}).startOnboarding(
        { externalId, pipedriveDealId: '746', eventId: 'evt', receivedAt: new Date().toISOString() },
        { taskQueue },
      );
      const handle = client.workflow.getHandle(externalId);
      // The 'received' event's first try was answered "not found": the shard does not exist.
      const events = await waitUntil('the received event to fail', async () => {
        const history = (await handle.fetchHistory()).events ?? [];
        const failed = signalFallback
          ? history.some((e) => e.signalExternalWorkflowExecutionFailedEventAttributes)
          : kpiActivityResults(history).includes('missing');
        return failed && pipedrive.reached ? history : undefined;
      });
      await expect(client.workflow.getHandle(shardId).describe()).rejects.toThrow(/not found/i);

      const worker = await shardWorker(namespace);
      return worker.runUntil(async () => {
        await ensureLedgerShards(client, { taskQueue: opsQueue, settings: SETTINGS });
        pipedrive.release();
        const done = await handle.result();
        const shards = await waitUntil('the shards to count the deal', async () => {
          const r = await readLedgerShards(client, { taskQueue: opsQueue, settings: SETTINGS });
          return 'facts' in r && r.facts.days.some((d) => d.invoicesCreated > 0) ? r.facts : undefined;
        });
        const shard = await client.workflow.getHandle(shardId).query<LedgerShardState>(ledgerShardQuery);
        const history = (await handle.fetchHistory()).events ?? [];
        return { done, shards, shard, firstTask: events, history };
      });
    });

    expect(result.done.state).toBe('COMPLETED');
    const sum = (f: (d: (typeof result.shards.days)[number]) => number) =>
      result.shards.days.reduce((n, d) => n + f(d), 0);
    expect(sum((d) => d.received)).toBe(1);
    expect(sum((d) => d.newCustomers)).toBe(1);
    expect(sum((d) => d.invoicesCreated)).toBe(1);
    expect(result.shard.duplicates).toBe(0);
    return result.history;
  };

  it("counts the 'received' event of a deal that started while its shard did not exist yet, once", async () => {
    const history = await receivedBeforeShard(false);
    // By local activity: no signal command and no timer in the whole run; the 'received' event's last try (at the
    // close, the shard running by then) delivered it.
    expect(history.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    expect(history.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
    expect(kpiActivityResults(history)).toEqual(['missing', 'delivered', 'delivered', 'delivered']);
  }, 120_000);

  it('falls back to signal commands when the KPI local activity fails, and still counts each event once', async () => {
    const history = await receivedBeforeShard(true);
    // Each event's one try by local activity failed; every later try went by signal command.
    expect(kpiActivityResults(history)).toEqual(['failed', 'failed', 'failed']);
    expect(history.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).length).toBeGreaterThan(3);
  }, 120_000);

  it('applies a re-sent event once, and events without an id (runs before the confirmed delivery) as they come', async () => {
    const { namespace, client } = await freshNamespace();
    const worker = await shardWorker(namespace);
    await worker.runUntil(async () => {
      await ensureLedgerShards(client, { taskQueue: opsQueue, settings: SETTINGS });
      const externalId = `resent-${randomUUID()}`;
      const shard = client.workflow.getHandle(opsLedgerShardId(opsLedgerShardOf(externalId)));
      const before = await shard.query<LedgerShardState>(ledgerShardQuery);
      const at = new Date().toISOString();
      const event: KpiEvent = { kind: 'received', at, externalId, receivedAt: at, id: 'run-1/9/received' };
      // The original, its re-send, and (late) the original's copy again; then two id-less events of another deal.
      for (const e of [event, event, event]) await shard.signal(kpiEventSignal, e);
      const legacy: KpiEvent = { kind: 'received', at, externalId: `${externalId}-old`, receivedAt: at };
      await shard.signal(kpiEventSignal, legacy);
      await shard.signal(kpiEventSignal, legacy);
      const received = (s: LedgerShardState) => s.days.reduce((n, d) => n + d.received, 0);
      const after = await waitUntil('the shard to apply them', async () => {
        const s = await shard.query<LedgerShardState>(ledgerShardQuery);
        return (s.duplicates ?? 0) - (before.duplicates ?? 0) >= 2 && received(s) - received(before) >= 3
          ? s
          : undefined;
      });
      // Once for the id'd event, twice for the id-less ones.
      expect(received(after) - received(before)).toBe(3);
      expect((after.duplicates ?? 0) - (before.duplicates ?? 0)).toBe(2);
    });
  }, 60_000);
});
