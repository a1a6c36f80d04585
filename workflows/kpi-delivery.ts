/**
 * Confirmed delivery of an onboarding's KPI events to its ledger shard (workflows/kpis.ts).
 *
 * A signal to another workflow was fire-and-forget, its failure swallowed: an event whose signal failed (the shard
 * not running) was lost, and so was one Temporal never delivered. That happens in two ways. The server completes a
 * signal's delivery task without delivering once the sender has closed (its history service's processSignalExecution
 * returns early for a closed execution), so a signal sent in the closing task, or still being retried when the run
 * closes, is lost. And after a database restart the server dropped some delivery tasks outright: R7 on the cluster
 * (docs/cluster.md) lost 1–3 'received' events of 200, signals initiated a second after PostgreSQL came back whose
 * task failed ~10 times with "shard status unknown" and was never tried again; no outcome ever came.
 *
 * Now every event is tracked until Temporal confirms it, and the run does not close before. One that failed, or got
 * no answer within KPI_CONFIRM_MS, is sent again when the workflow reports its next event, and before the run closes
 * or hands over: there the workflow waits for the answers (a durable timer, doubling up to 5 min) and re-sends what
 * failed or went unanswered, up to KPI_MAX_ATTEMPTS tries. The onboarding's steps never wait for a KPI event; only its
 * closing does. A shard that does not exist (terminated, and ops-watch has not restarted it yet; tests that run no ops
 * worker) gets one last try at the close and is then given up (logged at info): a missing receiver must not keep
 * onboardings open. A re-sent event keeps its `id`, so the shard counts it once even when the first copy arrives
 * after all (ops/model/kpi-dedup.ts).
 *
 * On onboardings with the fourth lean marker (workflows/onboarding.ts) a try is a local activity that signals the
 * shard through the worker's client (activities/kpi-delivery-activities.ts) instead of a signal command. Temporal
 * has confirmed the signal when the activity returns, inside the task that sent it, so the outcome is no event of the
 * run's own: each signal command cost two events and usually a workflow task of its own (its outcome wakes the run),
 * and the close waited on a timer for the last one. A try that fails that way (Temporal unreachable, the activity not
 * registered) falls back to the signal command, and everything above applies to it.
 *
 * The outbox lives at module scope: the SDK gives every workflow its own instances of the bundle's modules.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyLocalActivities,
  sleep,
} from '@temporalio/workflow';
import type { KpiDeliveryActivities } from '../activities/kpi-delivery-activities';
import type { KpiEvent } from '../ops/model/ledger';
import { kpiEventSignal } from '../ops/messages';

/** Runs recorded before it sent KPI events fire-and-forget and replay that way. */
export const KPI_DELIVERY_PATCH = 'kpi-delivery-confirmed';
/** An answer normally comes within a second; none after this long means Temporal may have dropped the signal. */
export const KPI_CONFIRM_MS = 10_000;
const KPI_MAX_WAIT_MS = 5 * 60_000;
export const KPI_MAX_ATTEMPTS = 8;

interface Delivery {
  receiver: string;
  event: KpiEvent;
  attempts: number;
  lastSentAt: number;
  /** The latest try has no answer yet. */
  awaiting: boolean;
  /** Confirmed, or given up. */
  settled: boolean;
  /** How the latest answered try failed: 'missing' = no such workflow. */
  failure?: 'missing' | 'failed';
  /** Tries go through the local activity (until one fails that way). */
  byActivity: boolean;
}

const outbox: Delivery[] = [];

let byLocalActivity = false;

/** Set once, at the start of onboardDeal, before its first event: runs with the fourth lean marker send this way. */
export function deliverKpisByLocalActivity(on: boolean): void {
  byLocalActivity = on;
}

let emitted = 0;

/**
 * The id a shard counts an event under once (ops/model/kpi-dedup.ts). A local-activity try happens while the
 * workflow task runs, and a task that does not complete (a timeout under load, a lost worker) is attempted again at
 * a later history length, trying the event again: so on that path the id is the event's place among the run's
 * events, the same in every attempt and every replay. A P4 run at 10,000 parked counted 14,689 'received' events
 * with the history length in the id. Runs that send by signal command keep the id they always had (a command is
 * only sent when its task completes).
 */
export function kpiEventId(runId: string, historyLength: number, kind: string): string {
  emitted += 1;
  return byLocalActivity ? `${runId}/kpi-${emitted}/${kind}` : `${runId}/${historyLength}/${kind}`;
}

/** A few quick tries within the task; then the signal command takes over. */
const ledger = proxyLocalActivities<KpiDeliveryActivities>({
  startToCloseTimeout: '5 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 second',
    maximumAttempts: 3,
  },
});

const inFlightLocally = (d: Delivery): boolean => d.awaiting && d.byActivity;

const notFound = (err: unknown): boolean => err instanceof Error && /not found|NotFound/.test(`${err.message} ${err}`);

function send(d: Delivery): void {
  d.attempts += 1;
  const attempt = d.attempts;
  d.lastSentAt = Date.now();
  d.awaiting = true;
  if (d.byActivity) {
    ledger.deliverKpiEvent(d.receiver, d.event).then(
      (outcome) => {
        d.awaiting = false;
        if (outcome === 'delivered') d.settled = true;
        else d.failure = 'missing';
      },
      () => {
        // The signal command at once: it does not depend on the worker reaching Temporal.
        d.awaiting = false;
        d.byActivity = false;
        send(d);
      },
    );
    return;
  }
  getExternalWorkflowHandle(d.receiver)
    .signal(kpiEventSignal, d.event)
    .then(
      () => {
        d.settled = true;
        d.awaiting = false;
      },
      (err: unknown) => {
        // An older try's late failure says nothing about the latest one.
        if (attempt !== d.attempts) return;
        d.awaiting = false;
        d.failure = notFound(err) ? 'missing' : 'failed';
      },
    );
}

const unsettled = (): Delivery[] => outbox.filter((d) => !d.settled);

/** A missing shard is routine where no ops worker runs (tests), so only running out of tries is a warning. */
function giveUp(d: Delivery, why: 'no answer' | 'failed' | 'missing'): void {
  d.settled = true;
  const fields = { kind: d.event.kind, receiver: d.receiver, attempts: d.attempts, why };
  if (why === 'missing') log.info('KPI event not delivered: no such ledger shard', fields);
  else log.warn('KPI event not delivered after every try; the KPI ledger misses it', fields);
}

/** Sends an event and tracks it; first re-sends the earlier ones that failed or have gone unanswered too long. */
export function deliver(receiver: string, event: KpiEvent): void {
  const now = Date.now();
  for (const d of unsettled())
    if (!inFlightLocally(d) && d.attempts < KPI_MAX_ATTEMPTS && now - d.lastSentAt >= KPI_CONFIRM_MS) send(d);
  for (let i = outbox.length - 1; i >= 0; i -= 1) if (outbox[i]!.settled) outbox.splice(i, 1);
  const d: Delivery = {
    receiver,
    event,
    attempts: 0,
    lastSentAt: now,
    awaiting: false,
    settled: false,
    byActivity: byLocalActivity,
  };
  outbox.push(d);
  send(d);
}

/**
 * Before the run closes or hands over: every event confirmed, re-sent, or given up. Returns at once (no command)
 * when all are confirmed, as they are unless Temporal or a shard had trouble. Not cancellable: an onboarding being
 * cancelled still reports what it did.
 */
export async function settleDeliveries(): Promise<void> {
  if (unsettled().length === 0) return;
  await CancellationScope.nonCancellable(async () => {
    // A local activity answers within its own timeout: no timer needed to wait for it.
    if (unsettled().some(inFlightLocally)) {
      await condition(() => !unsettled().some(inFlightLocally));
      if (unsettled().length === 0) return;
    }
    // A last try for what failed before (a shard may have been started since).
    for (const d of unsettled()) if (!d.awaiting) send(d);
    let wait = KPI_CONFIRM_MS;
    for (;;) {
      const answered = (): boolean => unsettled().every((d) => !d.awaiting);
      // Only local-activity tries outstanding: they answer within their own timeout, no timer needed.
      if (!answered())
        await (unsettled().every((d) => !d.awaiting || d.byActivity) ? condition(answered) : condition(answered, wait));
      for (const d of unsettled()) {
        if (!d.awaiting && d.failure === 'missing') giveUp(d, 'missing');
        else if (d.attempts >= KPI_MAX_ATTEMPTS) giveUp(d, d.awaiting ? 'no answer' : 'failed');
      }
      const retry = unsettled();
      if (retry.length === 0) return;
      // Failed answers come quickly: back off before the next try. Unanswered ones have waited already.
      if (retry.every((d) => !d.awaiting)) await sleep(wait);
      retry.forEach(send);
      wait = Math.min(wait * 2, KPI_MAX_WAIT_MS);
    }
  });
}
