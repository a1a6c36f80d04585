/**
 * `opsWatch` at the deployment's default settings (runtime/config.ts: a tick every 60 s, the customer SLA at 5 min,
 * a hand-over past 2,000 history events) on a time-skipping server. The facts activity is a stub that notes the
 * server time of each tick (the real one reads visibility, which the test server lacks); the alert activities are
 * the real ones with no channel configured.
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createOpsAlertActivities } from '../../../ops/activities/alerts';
import {
  kpiEventSignal,
  OPS_WATCH_TASK_TIMEOUT,
  OPS_WATCH_WORKFLOW_TYPE,
  opsStateQuery,
  type OpsWatchWorkflow,
} from '../../../ops/messages';
import type { OpsFacts } from '../../../ops/model/facts';
import { opsWatchSettings } from '../../../ops/start-ops-watch';
import { parseConfig } from '../../../runtime/config';
import { uniqueTaskQueue } from '../../helpers/temporal';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { eventually, HOUR, MINUTE } from './clock';

const { EventType } = temporal.api.enums.v1;
const settings = opsWatchSettings(parseConfig({}));

describe('opsWatch on its real tick, SLA and history limit', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  it('runs at the defaults this test assumes', () => {
    expect(settings).toMatchObject({ tickMs: MINUTE, customerSlaMs: 5 * MINUTE });
  });

  /** Runs opsWatch on its own queue around `fn`; `ticks` receives the server time of every facts read. */
  async function withOpsWatch(
    fn: (
      handle: ReturnType<TimeSkippingTemporal['env']['client']['workflow']['getHandle']>,
      ticks: number[],
    ) => Promise<void>,
  ): Promise<void> {
    const taskQueue = uniqueTaskQueue('ts-ops-watch');
    const ticks: number[] = [];
    const gatherOpsFacts = async (): Promise<OpsFacts> => {
      const now = await t.env.currentTimeMs();
      ticks.push(now);
      return { gatheredAt: new Date(now).toISOString(), reviewQueue: { size: 0, oldestAgeMs: 0, items: [] } };
    };
    const worker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      activities: { gatherOpsFacts, ...createOpsAlertActivities({ opsUrl: 'http://127.0.0.1:3001' }) },
    });
    await worker.runUntil(async () => {
      const handle = await t.env.client.workflow.start<OpsWatchWorkflow>(OPS_WATCH_WORKFLOW_TYPE, {
        workflowId: `ops-watch-${taskQueue}`,
        taskQueue,
        workflowTaskTimeout: OPS_WATCH_TASK_TIMEOUT,
        args: [{ settings }],
      });
      try {
        await fn(t.env.client.workflow.getHandle(handle.workflowId), ticks);
      } finally {
        await t.env.client.workflow
          .getHandle(handle.workflowId)
          .terminate('test done')
          .catch(() => undefined);
      }
    });
  }

  const nowIso = async () => new Date(await t.env.currentTimeMs()).toISOString();
  const expectEvenTicks = (ticks: number[]) => {
    const gaps = ticks.slice(1).map((at, i) => at - ticks[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MINUTE);
    expect(Math.max(...gaps)).toBeLessThan(MINUTE + 1_000);
  };

  it('ticks every 60 s, and counts a deal still without a customer 5 minutes after signature at the next tick', async () => {
    await withOpsWatch(async (handle, ticks) => {
      await eventually('the first tick', () => ticks[0]);
      // Signed half-way between two ticks, so no tick falls near its 5-minute mark.
      await t.env.sleep(MINUTE / 2);
      const receivedAt = await nowIso();
      await handle.signal(kpiEventSignal, { kind: 'received', at: receivedAt, externalId: 'slow-deal', receivedAt });

      await t.env.sleep(MINUTE / 2 - 1_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(ticks).toHaveLength(1);
      await t.env.sleep(2_000);
      await eventually('the second tick', () => ticks[1]);
      expectEvenTicks(ticks);

      // Ticks up to 5 min after the first: the deal, signed at 0:30, is 4:30 old at the last of them.
      await t.env.sleep(4 * MINUTE);
      await eventually('six ticks', () => ticks[5]);
      let state = await handle.query(opsStateQuery);
      expect(state.week).toMatchObject({ received: 1, newCustomers: 0, slaBreaches: 0 });
      expect(state.alerts.slaBreaches.open).toBe(false);

      // The tick at 6 min sees it 5:30 old: one breach of one deal, over the 5% threshold.
      await t.env.sleep(MINUTE);
      state = await eventually('the breach counted', async () => {
        const s = await handle.query(opsStateQuery);
        return s.week.slaBreaches === 1 ? s : undefined;
      });
      expect(ticks).toHaveLength(7);
      expectEvenTicks(ticks);
      expect(state.alerts.slaBreaches).toMatchObject({
        open: true,
        deliveries: { slack: 'skipped: Slack not configured' },
      });
      expect(Date.parse(state.lastTickAt!) - Date.parse(receivedAt)).toBeGreaterThan(5 * MINUTE);
    });
  });

  it('hands over to a fresh run past 2,000 history events, keeping its ledger and its tick rhythm', async () => {
    await withOpsWatch(async (handle, ticks) => {
      await eventually('the first tick', () => ticks[0]);
      const firstRun = (await handle.describe()).runId;
      const receivedAt = await nowIso();
      await handle.signal(kpiEventSignal, { kind: 'received', at: receivedAt, externalId: 'on-time', receivedAt });
      await handle.signal(kpiEventSignal, {
        kind: 'customer',
        at: await nowIso(),
        externalId: 'on-time',
        receivedAt,
        how: 'upserted',
      });

      // About a dozen events a tick: a few hours of ticks fill a run.
      const skippedFrom = await t.env.currentTimeMs();
      await t.env.sleep(5 * HOUR);
      // Each tick is real work (two workflow tasks, an activity): on busy cores 300 of them take a while to settle.
      await eventually('five hours of ticks', () => ticks[5 * 60], 90_000).catch(async (err: Error) => {
        throw new Error(
          `${err.message}: ${ticks.length} ticks, server clock +${((await t.env.currentTimeMs()) - skippedFrom) / MINUTE} min`,
        );
      });
      const current = (await handle.describe()).runId;
      expect(current).not.toBe(firstRun);

      const first = (await t.env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory()).events ?? [];
      expect(first.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
      expect(first.length).toBeGreaterThan(settings.maxHistoryEvents ?? 2_000);
      expect(first.length).toBeLessThan((settings.maxHistoryEvents ?? 2_000) + 30);

      // One tick a minute throughout: the fresh run finished its predecessor's wait instead of ticking at once.
      expectEvenTicks(ticks);
      const state = await handle.query(opsStateQuery);
      expect(state.week).toMatchObject({ received: 1, newCustomers: 1, slaBreaches: 0 });
      expect(state.settings).toEqual(settings);
    });
  }, 240_000);
});
