/**
 * `opsWatch` on the real dev server with its real alert activities over the Slack simulator and the PagerDuty
 * receiver simulator. The facts activity is a stub the test controls (the real one reads the whole server's
 * visibility, which other test files share); the KPI events are the signals onboardings send.
 * A breach ⇒ one Slack message to the billing lead and one PagerDuty trigger, none repeated over several ticks;
 * the breach clearing ⇒ one resolve with the same dedup key; a new breach ⇒ a new trigger under a new key.
 */
import axios from 'axios';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createOpsAlertActivities } from '../../ops/activities/alerts';
import { SlackClient } from '../../integrations/slack';
import { startPagerDutySimulator, type RecordedEvent, type RunningPagerDutySimulator } from '../../sandbox/pagerduty';
import { startSlackSimulator, type RunningSlackSimulator } from '../../sandbox/slack';
import { DEFAULT_THRESHOLDS } from '../../ops/model/alerts';
import type { OpsFacts } from '../../ops/model/facts';
import { emptyBucket, type KpiEvent } from '../../ops/model/ledger';
import { kpiEventSignal, OPS_LEDGER_SHARDS, opsStateQuery, opsTickSignal } from '../../ops/messages';
import { opsWatch } from '../../ops/workflows/ops-watch';
import { createOpsWorker } from '../../ops/worker';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitUntil } from '../helpers/wait-until';

const BILLING_LEAD = 'C0ESCAL';
const { EventType } = temporal.api.enums.v1;
const SLA_MS = 5 * 60_000;

describe('opsWatch alerts', () => {
  let t: TestTemporal;
  let slack: RunningSlackSimulator;
  let pd: RunningPagerDutySimulator;
  let facts: OpsFacts;

  beforeAll(async () => {
    [t, slack, pd] = await Promise.all([connectTestTemporal(), startSlackSimulator(), startPagerDutySimulator()]);
  });
  afterAll(async () => {
    await Promise.all([slack?.close(), pd?.close()]);
    await t?.close();
  });

  /** A worker for opsWatch on its own queue: facts from the test, alerts through the real activities. */
  const opsWatchWorker = (
    taskQueue: string,
    gatherOpsFacts: () => Promise<OpsFacts>,
    alerts = createOpsAlertActivities({ opsUrl: 'http://127.0.0.1:3000' }),
  ): Promise<Worker> =>
    Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      activities: { gatherOpsFacts, ...alerts },
    });
  const emptyFacts = (): OpsFacts => ({
    gatheredAt: new Date().toISOString(),
    reviewQueue: { size: 0, oldestAgeMs: 0, items: [] },
  });

  const pdEvents = async (): Promise<RecordedEvent[]> =>
    (await axios.get<{ events: RecordedEvent[] }>(`${pd.url}/__sim/events`)).data.events;
  const billingLeadMessages = async (): Promise<Array<{ text: string }>> =>
    (
      await axios.get<{ messages: Array<{ text: string }> }>(`${slack.url}/__sim/messages`, {
        params: { channel: BILLING_LEAD },
      })
    ).data.messages;

  it('pages once per breach, resolves once when it clears, and pages again on a new breach', async () => {
    const taskQueue = uniqueTaskQueue('ops-watch');
    const workflowId = `ops-watch-test-${taskQueue}`;
    facts = { gatheredAt: new Date().toISOString(), reviewQueue: { size: 0, oldestAgeMs: 0, items: [] } };
    const worker = await opsWatchWorker(
      taskQueue,
      async () => ({ ...facts, gatheredAt: new Date().toISOString() }),
      createOpsAlertActivities({
        opsUrl: 'http://127.0.0.1:3000',
        slack: {
          client: new SlackClient({ apiUrl: slack.stackEntry.url, botToken: slack.stackEntry.botToken }),
          billingLead: BILLING_LEAD,
        },
        pagerDuty: pd.stackEntry,
      }),
    );

    await worker.runUntil(async () => {
      const handle = await t.client.workflow.start(opsWatch, {
        workflowId,
        taskQueue,
        args: [{ settings: { tickMs: 300, customerSlaMs: SLA_MS, thresholds: DEFAULT_THRESHOLDS } }],
      });
      try {
        const ticks = async (n: number): Promise<void> => {
          const first = (await handle.query(opsStateQuery)).lastTickAt ?? '';
          let seen = 0;
          let last = first;
          await waitUntil(`${n} ticks`, async () => {
            const now = (await handle.query(opsStateQuery)).lastTickAt ?? '';
            if (now !== last) {
              seen += 1;
              last = now;
            }
            return seen >= n ? true : undefined;
          });
        };
        /** `n` deals received now, each with a customer after `toCustomerMs`. */
        const deals = async (prefix: string, n: number, toCustomerMs: number): Promise<void> => {
          for (let i = 0; i < n; i += 1) {
            const externalId = `${prefix}-${i}`;
            const receivedAt = new Date(Date.now() - toCustomerMs).toISOString();
            const events: KpiEvent[] = [
              { kind: 'received', at: receivedAt, externalId, receivedAt },
              { kind: 'customer', at: new Date().toISOString(), externalId, receivedAt, how: 'upserted' },
            ];
            for (const e of events) await handle.signal(kpiEventSignal, e);
          }
        };

        // 2 of 10 deals late: 20% > 5%.
        await deals('fast', 8, 20_000);
        await deals('late', 2, SLA_MS + 60_000);
        await handle.signal(opsTickSignal);
        const trigger = await waitUntil('a PagerDuty trigger', async () =>
          (await pdEvents()).find((e) => e.event_action === 'trigger'),
        );
        expect(trigger.payload).toMatchObject({ severity: 'error', source: 'http://127.0.0.1:3000' });
        // A periodic tick may land between two of the signals above, so the page may quote the rate of a prefix of
        // them (e.g. 1 late of 9 = 11.1%): any rate above the threshold is the breach; exactly one page is checked below.
        const quoted = /Customer SLA breaches: (\d+\.\d)%/.exec(trigger.payload?.summary ?? '');
        expect(quoted).not.toBeNull();
        expect(Number(quoted![1])).toBeGreaterThan(5);
        expect(trigger.dedup_key).toMatch(/^onboarding-slaBreaches-/);
        const leadMessages = await waitUntil('the billing lead’s Slack message', async () => {
          const m = await billingLeadMessages();
          return m.length ? m : undefined;
        });
        expect(leadMessages[0]!.text).toContain('Customer SLA breaches');

        // The breach lasts: several more ticks, still one trigger and one message.
        await ticks(4);
        expect((await pdEvents()).filter((e) => e.event_action === 'trigger')).toHaveLength(1);
        expect(await billingLeadMessages()).toHaveLength(1);
        const open = await handle.query(opsStateQuery);
        expect(open.alerts.slaBreaches).toMatchObject({
          open: true,
          dedupKey: trigger.dedup_key,
          deliveries: { slack: 'sent', pagerduty: 'sent' },
        });
        expect(open.readings.slaBreachRate).toBeCloseTo(0.2);

        // 40 more on time: 2 of 50 = 4% ≤ 5%, the alert clears once.
        await deals('more', 40, 10_000);
        await handle.signal(opsTickSignal);
        const resolve = await waitUntil('a PagerDuty resolve', async () =>
          (await pdEvents()).find((e) => e.event_action === 'resolve'),
        );
        expect(resolve.dedup_key).toBe(trigger.dedup_key);
        await ticks(3);
        const after = await pdEvents();
        expect(after.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
        expect(
          (await axios.get<{ incidents: Array<{ status: string; triggers: number }> }>(`${pd.url}/__sim/incidents`))
            .data.incidents,
        ).toEqual([expect.objectContaining({ dedup_key: trigger.dedup_key, status: 'resolved', triggers: 1 })]);
        const messages = await billingLeadMessages();
        expect(messages).toHaveLength(2);
        expect(messages[1]!.text).toContain('Resolved');

        // A new breach (reconciliation facts this time, and the SLA again) opens new incidents under new keys.
        facts = {
          ...facts,
          reconciliation: {
            workflowId: 'reconcile-x',
            generatedAt: new Date().toISOString(),
            mismatchRate: 0.04,
            threshold: 0.02,
            counts: { compared: 50, withProblems: 2 },
            duplicateCustomers: 0,
          },
        };
        await deals('late-again', 5, SLA_MS + 1_000);
        await handle.signal(opsTickSignal);
        const triggers = await waitUntil('two new triggers', async () => {
          const tr = (await pdEvents()).filter((e) => e.event_action === 'trigger');
          return tr.length >= 3 ? tr : undefined;
        });
        expect(triggers.map((e) => e.dedup_key.replace(/-\d{4}-.*$/, '')).sort()).toEqual([
          'onboarding-reconciliation',
          'onboarding-slaBreaches',
          'onboarding-slaBreaches',
        ]);
        expect(new Set(triggers.map((e) => e.dedup_key)).size).toBe(3);
        await ticks(3);
        expect((await pdEvents()).filter((e) => e.event_action === 'trigger')).toHaveLength(3);
      } finally {
        await handle.terminate('test done').catch(() => undefined);
      }
    });
  }, 180_000);

  it("adds the ledger shards' counts to its own, alerts on the sum, and keeps the last complete read while a shard is unreadable", async () => {
    const taskQueue = uniqueTaskQueue('ops-watch-shards');
    const today = new Date().toISOString().slice(0, 10);
    // Twenty deals in the shards, two of them late (10% > the 5% threshold); one on-time deal in ops-watch's own ledger.
    const shardDay = { ...emptyBucket(today), received: 20, newCustomers: 20, slaBreaches: 2 };
    let shardsReadable = true;
    const worker = await opsWatchWorker(taskQueue, async () => ({
      ...emptyFacts(),
      ...(shardsReadable
        ? { ledgerShards: { shards: 8, days: [shardDay], openDeals: 20 } }
        : {
            ledgerShardsError:
              'ledger shards unreadable: 1 of 8: ledger shard ops-watch-ledger-3 did not answer within 15000 ms',
          }),
    }));
    await worker.runUntil(async () => {
      const handle = await t.client.workflow.start(opsWatch, {
        workflowId: `ops-watch-shards-${taskQueue}`,
        taskQueue,
        args: [{ settings: { tickMs: 3_600_000, customerSlaMs: SLA_MS, thresholds: DEFAULT_THRESHOLDS } }],
      });
      try {
        const receivedAt = new Date(Date.now() - 20_000).toISOString();
        await handle.signal(kpiEventSignal, { kind: 'received', at: receivedAt, externalId: 'old-run', receivedAt });
        await handle.signal(kpiEventSignal, {
          kind: 'customer',
          at: new Date().toISOString(),
          externalId: 'old-run',
          receivedAt,
          how: 'upserted',
        });
        await handle.signal(opsTickSignal);
        const summed = await waitUntil('the sum', async () => {
          const s = await handle.query(opsStateQuery);
          return s.week.received === 21 && s.alerts.slaBreaches.open ? s : undefined;
        });
        expect(summed.week).toMatchObject({ received: 21, newCustomers: 21, slaBreaches: 2 });
        expect(summed.ledger.days.find((d) => d.day === today)).toMatchObject({ received: 21 });

        shardsReadable = false;
        const before = summed.lastTickAt;
        await handle.signal(opsTickSignal);
        const after = await waitUntil('a tick without the shards', async () => {
          const s = await handle.query(opsStateQuery);
          return s.lastTickAt !== before ? s : undefined;
        });
        // Not a quiet week: the shards' last complete read stands, and the alert stays open.
        expect(after.week).toMatchObject({ received: 21, slaBreaches: 2 });
        expect(after.alerts.slaBreaches.open).toBe(true);
        expect(after.facts?.ledgerShardsError).toMatch(/ops-watch-ledger-3/);
      } finally {
        await handle.terminate('test done').catch(() => undefined);
      }
    });
  }, 120_000);

  it('keeps its buckets and open alerts across continue-as-new', async () => {
    const taskQueue = uniqueTaskQueue('ops-watch-can');
    const worker = await opsWatchWorker(taskQueue, async () => emptyFacts());
    await worker.runUntil(async () => {
      const receivedAt = new Date(Date.now() - 2 * SLA_MS).toISOString();
      const handle = await t.client.workflow.start(opsWatch, {
        workflowId: `ops-watch-can-${taskQueue}`,
        taskQueue,
        args: [
          { settings: { tickMs: 200, customerSlaMs: SLA_MS, thresholds: DEFAULT_THRESHOLDS, maxHistoryEvents: 60 } },
        ],
      });
      try {
        await handle.signal(kpiEventSignal, { kind: 'received', at: receivedAt, externalId: 'late', receivedAt });
        await handle.signal(kpiEventSignal, {
          kind: 'customer',
          at: new Date().toISOString(),
          externalId: 'late',
          receivedAt,
          how: 'upserted',
        });
        // Ticks grow the history past the run's (test-sized) limit: wait for a second run, then read it.
        const firstRun = (await handle.describe()).runId;
        await waitUntil(
          'a continue-as-new',
          async () =>
            (await t.client.workflow.getHandle(handle.workflowId).describe()).runId !== firstRun ? true : undefined,
          { timeoutMs: 90_000 },
        );
        const state = await t.client.workflow.getHandle(handle.workflowId).query(opsStateQuery);
        expect(state.week).toMatchObject({ received: 1, newCustomers: 1, slaBreaches: 1 });
        expect(state.alerts.slaBreaches).toMatchObject({
          open: true,
          deliveries: { slack: 'skipped: Slack not configured', pagerduty: 'skipped: no alert webhook configured' },
        });
      } finally {
        await t.client.workflow
          .getHandle(handle.workflowId)
          .terminate('test done')
          .catch(() => undefined);
      }
    });
  }, 200_000);

  it('hands over as soon as a burst of KPI signals passes the history limit, keeping its tick rhythm', async () => {
    const taskQueue = uniqueTaskQueue('ops-watch-burst');
    let gathered = 0;
    const worker = await opsWatchWorker(taskQueue, async () => {
      gathered += 1;
      return emptyFacts();
    });
    await worker.runUntil(async () => {
      const workflowId = `ops-watch-burst-${taskQueue}`;
      // A tick an hour away: only the history limit can end this run during the test.
      const handle = await t.client.workflow.start(opsWatch, {
        workflowId,
        taskQueue,
        args: [
          {
            settings: {
              tickMs: 3_600_000,
              customerSlaMs: SLA_MS,
              thresholds: DEFAULT_THRESHOLDS,
              maxHistoryEvents: 60,
            },
          },
        ],
      });
      try {
        const firstTick = await waitUntil('the first tick', async () => (await handle.query(opsStateQuery)).lastTickAt);
        const firstRun = (await handle.describe()).runId;
        for (let i = 0; i < 40; i += 1) {
          const receivedAt = new Date(Date.now() - 20_000).toISOString();
          await handle.signal(kpiEventSignal, {
            kind: 'received',
            at: receivedAt,
            externalId: `burst-${i}`,
            receivedAt,
          });
        }
        const nextRun = await waitUntil('a continue-as-new', async () => {
          const runId = (await t.client.workflow.getHandle(workflowId).describe()).runId;
          return runId !== firstRun ? runId : undefined;
        });
        const first = await t.client.workflow.getHandle(workflowId, firstRun).fetchHistory();
        const types = (first.events ?? []).map((e) => e.eventType);
        // Handed over mid-wait: the hour's timer never fired, and the run's history stopped near its limit.
        expect(types).not.toContain(EventType.EVENT_TYPE_TIMER_FIRED);
        expect(types.at(-1)).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
        expect(types.length).toBeLessThan(60 + 40);

        const state = await t.client.workflow.getHandle(workflowId, nextRun).query(opsStateQuery);
        expect(state.week.received).toBe(await settledReceived(workflowId, 40));
        // No tick at the hand-over: the new run carries the last one and finishes its wait.
        expect(state.lastTickAt).toBe(firstTick);
        expect(gathered).toBe(1);

        // A tick asked for still comes at once.
        await t.client.workflow.getHandle(workflowId).signal(opsTickSignal);
        await waitUntil('a tick on request', async () =>
          (await t.client.workflow.getHandle(workflowId).query(opsStateQuery)).lastTickAt !== firstTick
            ? true
            : undefined,
        );
        expect(gathered).toBe(2);
      } finally {
        await t.client.workflow
          .getHandle(workflowId)
          .terminate('test done')
          .catch(() => undefined);
      }
    });

    /** Signals sent before the hand-over all land in one run or the other, and the ledger is carried: all 40 counted. */
    async function settledReceived(workflowId: string, expected: number): Promise<number> {
      return waitUntil(`${expected} received in the current run`, async () => {
        const n = (await t.client.workflow.getHandle(workflowId).query(opsStateQuery)).week.received;
        return n === expected ? n : undefined;
      });
    }
  }, 120_000);

  it('runs on a worker whose activations may take 2 minutes, not the SDK default of 5 s (a catch-up after a burst)', async () => {
    const worker = await createOpsWorker({
      connection: t.nativeConnection,
      namespace: t.namespace,
      workflowBundle: t.workflowBundle,
      activities: {},
      taskQueue: uniqueTaskQueue('ops-worker'),
    });
    const plain = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      workflowBundle: t.workflowBundle,
      taskQueue: uniqueTaskQueue('plain-worker'),
    });
    expect(worker.options.isolateExecutionTimeoutMs).toBe(120_000);
    expect(plain.options.isolateExecutionTimeoutMs).toBe(5_000);
    // ops-watch and the 8 ledger shards, with room to spare.
    expect(worker.options.maxCachedWorkflows).toBe(OPS_LEDGER_SHARDS + 4);
    await Promise.all([worker.runUntil(Promise.resolve()), plain.runUntil(Promise.resolve())]);
  }, 60_000);
});
