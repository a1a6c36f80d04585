/**
 * The worker's side of vendor outages and ops-watch's activities for them: a breaker transition is signalled to
 * ops-watch (one small signal per open and per close, not per deal); the onboardings waiting for a vendor are
 * counted from visibility (OnboardingState = WAITING_FOR_VENDOR, the vendor in their memo) and, when it is back,
 * woken with `vendorRecovered`. Free of the activity context: the worker process and the app call these too.
 */
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { DEAL_EDIT_WORKFLOW_TYPE } from '../../domain/deal-edit';
import { SIGNALS, WORKFLOW_TYPE } from '../../domain/temporal-names';
import type { BreakerTransition } from '../../integrations/vendor-health';
import { OPS_WATCH_WORKFLOW_ID, vendorHealthSignal } from '../messages';
import type { VendorHealthReport, VendorWaits } from '../model/vendor-outages';

/** Onboardings and edits after onboarding (syncDealEdit) wait out an outage alike, and are woken alike. */
export const VENDOR_WAIT_QUERY = `(WorkflowType = '${WORKFLOW_TYPE}' OR WorkflowType = '${DEAL_EDIT_WORKFLOW_TYPE}') AND ExecutionStatus = 'Running' AND OnboardingState = 'WAITING_FOR_VENDOR'`;

const reporter = `${hostname()}:${process.pid}`;

/** A report is fire-and-forget, but bounded: the gRPC retries stop here, and a stopping worker waits this long at most. */
const REPORT_DEADLINE_MS = 5_000;
const inFlight = new Set<Promise<void>>();

/** Resolves when every report sent so far has landed or given up; awaited before the client's connection closes,
 * since a report still in gRPC back-off would otherwise throw from its timer once the channel is gone. */
export async function breakerReportsSettled(): Promise<void> {
  await Promise.allSettled([...inFlight]);
}

/** Tells ops-watch; a failure is only logged by the caller's absence of effect: onboardings wait out outages on their own timers. */
export async function reportBreakerTransition(
  client: Client,
  t: BreakerTransition,
  workflowId: string = OPS_WATCH_WORKFLOW_ID,
): Promise<void> {
  const report: VendorHealthReport = {
    vendor: t.vendor,
    state: t.state,
    since: t.since,
    at: t.at,
    reporter,
    ...(t.reason ? { reason: t.reason } : {}),
  };
  const sent = client
    .withDeadline(Date.now() + REPORT_DEADLINE_MS, () =>
      client.workflow.getHandle(workflowId).signal(vendorHealthSignal, report),
    )
    .catch(() => undefined)
    .finally(() => inFlight.delete(sent));
  inFlight.add(sent);
  await sent;
}

/** Onboardings in WAITING_FOR_VENDOR, by the vendor their memo names. */
export async function readVendorWaits(client: Client, scanLimit = 10_000): Promise<VendorWaits> {
  const byVendor: Record<string, number> = {};
  let total = 0;
  for await (const wf of client.workflow.list({ query: VENDOR_WAIT_QUERY, pageSize: 500 })) {
    const vendor = typeof wf.memo?.waitingForVendor === 'string' ? wf.memo.waitingForVendor : 'unknown';
    byVendor[vendor] = (byVendor[vendor] ?? 0) + 1;
    total += 1;
    if (total >= scanLimit) break;
  }
  return { total, byVendor };
}

export function createVendorOutageActivities(client: Client) {
  return {
    /** Signals `vendorRecovered` to every onboarding waiting for `vendor`; returns how many were woken. */
    wakeVendorWaiters: async (vendor: string): Promise<number> => {
      const at = new Date().toISOString();
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: VENDOR_WAIT_QUERY, pageSize: 500 })) {
        if (wf.memo?.waitingForVendor === vendor) ids.push(wf.workflowId);
      }
      let woken = 0;
      // A few at a time: the vendor just came back, and every woken onboarding calls it at once.
      for (let i = 0; i < ids.length; i += 20) {
        const batch = ids.slice(i, i + 20);
        const sent = await Promise.all(
          batch.map((id) =>
            client.workflow
              .getHandle(id)
              .signal(SIGNALS.vendorRecovered, { vendor, at })
              .then(
                () => 1,
                () => 0,
              ),
          ),
        );
        woken += sent.reduce((a: number, b: number) => a + b, 0);
      }
      return woken;
    },
  };
}
export type VendorOutageActivities = ReturnType<typeof createVendorOutageActivities>;
