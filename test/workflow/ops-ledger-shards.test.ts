/**
 * The KPI ledger shards on the real dev server, under the load that broke a single receiver: a steady stream of KPI
 * signals far past one run's history limit, so every shard hands over again and again while signals keep coming.
 * Every signal must be counted exactly once, and `opsWatch` (real `gatherOpsFacts`, reading the shards) must show
 * the sum. The shards use a prefix of their own: the global `ops-watch-ledger-<n>` are fed by other tests' onboardings.
 */
import { createOpsFactsActivities } from '../../ops/activities/gather-facts';
import { ensureLedgerShards, readLedgerShards } from '../../ops/activities/ledger-shards';
import { opsWatch } from '../../ops/workflows/ops-watch';
import { DEFAULT_THRESHOLDS } from '../../ops/model/alerts';
import type { LedgerShardState } from '../../ops/model/ledger-shard-state';
import {
  kpiEventSignal,
  ledgerShardQuery,
  OPS_LEDGER_SHARDS,
  opsLedgerShardId,
  opsLedgerShardOf,
  opsStateQuery,
  opsTickSignal,
} from '../../ops/messages';
import { createOpsWorker } from '../../ops/worker';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait-until';

const SLA_MS = 5 * 60_000;
const EVENTS = 3_000;
/**
 * A steady stream, not a flood: at 64 in flight the shared test server slowed the test file running beside this
 * one until its client still had calls in retry when it closed ("Channel has been shut down", twice in CI).
 */
const IN_FLIGHT = 8;
/** Small, so 3,000 events make each shard hand over a few times mid-stream. */
const SHARD_HISTORY_LIMIT = 150;

describe('KPI ledger shards', () => {
  let t: TestTemporal;

  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts every one of a steady stream of KPI signals exactly once across hand-overs, and ops-watch shows the sum', async () => {
    const taskQueue = uniqueTaskQueue('ledger-shards');
    const prefix = `ledger-${taskQueue}`;
    const settings = { customerSlaMs: SLA_MS, sweepMs: 3_600_000, maxHistoryEvents: SHARD_HISTORY_LIMIT };
    const worker = await createOpsWorker({
      connection: t.nativeConnection,
      namespace: t.namespace,
      workflowBundle: t.workflowBundle,
      taskQueue,
      activities: {
        ...createOpsFactsActivities(t.client, { ledgerShardPrefix: prefix }),
        notifyBillingLead: async () => 'skipped',
        pageOnCall: async () => 'skipped',
      },
    });
    const opsWatchId = `ops-watch-${taskQueue}`;
    await worker.runUntil(async () => {
      const shardIds = await ensureLedgerShards(t.client, { taskQueue, settings, idPrefix: prefix });
      const firstRuns = await Promise.all(
        shardIds.map(async (id) => (await t.client.workflow.getHandle(id).describe()).runId),
      );
      try {
        // Deals as onboardings report them: received, then a customer for every other one, each to its deal's shard.
        const at = new Date().toISOString();
        const events = Array.from({ length: EVENTS }, (_, i) => {
          const externalId = `deal-${i}`;
          const receivedAt = new Date(Date.now() - 10_000).toISOString();
          return i % 2 === 0
            ? { externalId, e: { kind: 'received' as const, at, externalId, receivedAt } }
            : {
                externalId: `deal-${i - 1}`,
                e: { kind: 'customer' as const, at, externalId: `deal-${i - 1}`, receivedAt, how: 'upserted' as const },
              };
        });
        let next = 0;
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next < events.length) {
              const { externalId, e } = events[next++]!;
              await t.client.workflow
                .getHandle(opsLedgerShardId(opsLedgerShardOf(externalId), prefix))
                .signal(kpiEventSignal, e);
            }
          }),
        );

        const read = await waitUntil(
          'all events counted in the shards',
          async () => {
            const r = await readLedgerShards(t.client, { taskQueue, settings, idPrefix: prefix });
            if (!('facts' in r)) return undefined;
            const received = r.facts.days.reduce((n, d) => n + d.received, 0);
            return received >= EVENTS / 2 && r.facts.days.reduce((n, d) => n + d.newCustomers, 0) >= EVENTS / 2
              ? r.facts
              : undefined;
          },
          { timeoutMs: 120_000 },
        );
        expect(read.shards).toBe(OPS_LEDGER_SHARDS);
        expect(read.days.reduce((n, d) => n + d.received, 0)).toBe(EVENTS / 2);
        expect(read.days.reduce((n, d) => n + d.newCustomers, 0)).toBe(EVENTS / 2);
        // Both events of a deal met in one shard: no customer arrived at a shard that had not seen its deal.
        expect(read.openDeals).toBe(EVENTS / 2);

        // Every shard handed over mid-stream (more than once), and every shard got a share of the deals.
        const states = await Promise.all(
          shardIds.map((id) => t.client.workflow.getHandle(id).query<LedgerShardState>(ledgerShardQuery)),
        );
        for (const [n, id] of shardIds.entries()) {
          const history = await t.client.workflow.getHandle(id, firstRuns[n]).fetchHistory();
          expect(history.events?.length).toBeLessThan(SHARD_HISTORY_LIMIT * 3);
          expect((await t.client.workflow.getHandle(id).describe()).runId).not.toBe(firstRuns[n]);
          expect(states[n]!.days.reduce((s, d) => s + d.received, 0)).toBeGreaterThan(
            EVENTS / 2 / OPS_LEDGER_SHARDS / 2,
          );
        }

        // ops-watch reads the shards at its tick and shows their sum.
        const ops = await t.client.workflow.start(opsWatch, {
          workflowId: opsWatchId,
          taskQueue,
          args: [{ settings: { tickMs: 3_600_000, customerSlaMs: SLA_MS, thresholds: DEFAULT_THRESHOLDS } }],
        });
        await ops.signal(opsTickSignal);
        const week = await waitUntil(
          'ops-watch to show the shards',
          async () => {
            const s = await ops.query(opsStateQuery);
            return s.facts?.ledgerShards ? s.week : undefined;
          },
          { timeoutMs: 60_000 },
        );
        expect(week).toMatchObject({ received: EVENTS / 2, newCustomers: EVENTS / 2, slaBreaches: 0 });
      } finally {
        await Promise.all(
          [opsWatchId, ...shardIds].map((id) =>
            t.client.workflow
              .getHandle(id)
              .terminate('test done')
              .catch(() => undefined),
          ),
        );
      }
    });
  }, 300_000);
});
