/**
 * One incident per vendor outage in `opsWatch` (ops/model/vendor-outages.ts) on a time-skipping server, at the
 * default 60 s tick: two workers report NetSuite's breaker open; after a minute one trigger goes to Slack and
 * PagerDuty naming the vendor and the waiting count, nothing more while it lasts; when both breakers have closed the
 * waiting onboardings are woken once and one resolve says how many resumed. Facts and alert activities are stubs
 * that record what they were asked (the real ones read visibility and call Slack/PagerDuty).
 */
import { Worker } from '@temporalio/worker';
import {
  OPS_WATCH_TASK_TIMEOUT,
  OPS_WATCH_WORKFLOW_TYPE,
  opsStateQuery,
  vendorHealthSignal,
  type OpsWatchWorkflow,
} from '../../../ops/messages';
import type { OpsFacts } from '../../../ops/model/facts';
import type { OutageAlertAction, VendorHealthReport } from '../../../ops/model/vendor-outages';
import { opsWatchSettings } from '../../../ops/start-ops-watch';
import { parseConfig } from '../../../runtime/config';
import { uniqueTaskQueue } from '../../helpers/temporal';
import { createTimeSkippingTemporal, type TimeSkippingTemporal } from '../../helpers/time-skipping';
import { eventually, MINUTE } from './clock';

const settings = opsWatchSettings(parseConfig({}));

describe('opsWatch: one incident per vendor outage', () => {
  let t: TimeSkippingTemporal;
  beforeAll(async () => {
    t = await createTimeSkippingTemporal();
  });
  afterAll(async () => t?.close());

  it('triggers once after a minute, stays quiet while it lasts, wakes the waiting and resolves once both workers see NetSuite back', async () => {
    const taskQueue = uniqueTaskQueue('ts-ops-outage');
    let waiting = 0;
    const slack: Array<{ action: string; summary: string; dedupKey: string }> = [];
    const pages: Array<{ action: string; dedupKey: string }> = [];
    const woken: string[] = [];
    const activities = {
      gatherOpsFacts: async (): Promise<OpsFacts> => ({
        gatheredAt: new Date(await t.env.currentTimeMs()).toISOString(),
        reviewQueue: { size: 0, oldestAgeMs: 0, items: [] },
        vendorWaits: { total: waiting, byVendor: waiting ? { netsuite: waiting } : {} },
      }),
      wakeVendorWaiters: async (vendor: string): Promise<number> => {
        woken.push(vendor);
        return waiting;
      },
      notifyBillingLead: async (a: OutageAlertAction): Promise<string> => {
        slack.push({ action: a.action, summary: a.summary, dedupKey: a.dedupKey });
        return 'sent';
      },
      pageOnCall: async (a: OutageAlertAction): Promise<string> => {
        pages.push({ action: a.action, dedupKey: a.dedupKey });
        return 'sent';
      },
    };
    const worker = await Worker.create({
      connection: t.nativeConnection,
      namespace: t.namespace,
      taskQueue,
      workflowBundle: t.workflowBundle,
      activities,
    });
    await worker.runUntil(async () => {
      const started = await t.env.client.workflow.start<OpsWatchWorkflow>(OPS_WATCH_WORKFLOW_TYPE, {
        workflowId: `ops-watch-${taskQueue}`,
        taskQueue,
        workflowTaskTimeout: OPS_WATCH_TASK_TIMEOUT,
        args: [{ settings }],
      });
      const handle = t.env.client.workflow.getHandle(started.workflowId);
      try {
        const now = async () => new Date(await t.env.currentTimeMs()).toISOString();
        const since = await now();
        const report = async (state: 'open' | 'closed', reporter: string): Promise<void> => {
          const r: VendorHealthReport = {
            vendor: 'netsuite',
            state,
            since,
            at: await now(),
            reporter,
            ...(state === 'open' ? { reason: 'NetSuite GET record/v1/customer failed: HTTP 503' } : {}),
          };
          await handle.signal(vendorHealthSignal, r);
        };
        waiting = 40;
        await report('open', 'host-a:1');
        await report('open', 'host-b:2');
        await t.env.sleep(30_000);
        await new Promise((r) => setTimeout(r, 300));
        expect(slack).toEqual([]);

        await t.env.sleep(MINUTE);
        await eventually('the trigger', () => slack[0]);
        // Slack and PagerDuty are two activities: the page may land a moment after the message.
        await eventually('the trigger page', () => pages[0]);
        expect(slack[0]!.action).toBe('trigger');
        expect(slack[0]!.summary).toContain(`Vendor outage: netsuite down since ${since}`);
        expect(slack[0]!.summary).toContain('40 onboarding(s) waiting in WAITING_FOR_VENDOR');
        expect(pages).toEqual([{ action: 'trigger', dedupKey: slack[0]!.dedupKey }]);

        waiting = 250;
        await t.env.sleep(10 * MINUTE);
        await new Promise((r) => setTimeout(r, 300));
        expect(slack).toHaveLength(1);
        expect((await handle.query(opsStateQuery)).outages?.netsuite).toMatchObject({
          alerted: true,
          waiting: 250,
          peakWaiting: 250,
        });

        // One worker sees it back; the other does not yet: still one open incident, nobody woken.
        await report('closed', 'host-a:1');
        await t.env.sleep(2 * MINUTE);
        await new Promise((r) => setTimeout(r, 300));
        expect(woken).toEqual([]);
        expect(slack).toHaveLength(1);

        await report('closed', 'host-b:2');
        await eventually('the resolve', () => slack[1]);
        await eventually('the resolve page', () => pages[1]);
        expect(woken).toEqual(['netsuite']);
        expect(slack[1]!.action).toBe('resolve');
        expect(slack[1]!.dedupKey).toBe(slack[0]!.dedupKey);
        expect(slack[1]!.summary).toContain('Resolved — netsuite is back');
        expect(slack[1]!.summary).toContain('250 waiting onboarding(s) resumed');
        expect(pages.map((p) => p.action)).toEqual(['trigger', 'resolve']);

        waiting = 0;
        await t.env.sleep(5 * MINUTE);
        await new Promise((r) => setTimeout(r, 300));
        expect(slack).toHaveLength(2);
        expect(woken).toEqual(['netsuite']);
      } finally {
        await handle.terminate('test done').catch(() => undefined);
      }
    });
  });
});
