/**
 * `opsWatch`: the one durable place the health KPIs live (fixed ID `ops-watch`, started idempotently at worker
 * start). Onboardings report their events by signal to the KPI ledger shards (ops/workflows/ops-ledger-shard.ts); every
 * tick an activity reads those and gathers what only the outside knows (review queue, last reconciliation), the
 * guide's thresholds are checked, and each breach is told once to the
 * billing lead (Slack) and on-call (PagerDuty Events v2), with a resolve when it clears. Day buckets and alert
 * state survive restarts and continue-as-new, so "the week's" rates are the same whichever replica asks.
 */
import {
  condition,
  continueAsNew,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import { FAILURE } from '../../domain/failure-types';
import { firstLine } from '../../domain/first-line';
import { opsTaskQueueFor } from '../../domain/temporal-names';
import type { OpsAlertActivities } from '../activities/alerts';
import type { OpsFactsActivities } from '../activities/gather-facts';
import type { ReviewDigestActivities } from '../activities/review-digest';
import type { ReviewDigests } from '../model/review-digest';
import { evaluateAlerts, initialAlertStates, kpiReadings, type AlertAction, type AlertStates } from '../model/alerts';
import {
  applyHealthReport,
  evaluateOutages,
  resolveOutage,
  type OutageAlertAction,
  type VendorOutages,
} from '../model/vendor-outages';
import {
  applyEvent,
  emptyLedger,
  mergeDays,
  pruneLedger,
  recordDailyFacts,
  sweepSlaBreaches,
  windowTotals,
  type KpiLedger,
} from '../model/ledger';
import {
  ledgerShardSettings,
  untilNextTick,
  type OpsWatchCarried,
  type OpsWatchInput,
  type OpsWatchState,
} from '../model/ops-watch-state';
import {
  kpiEventSignal,
  OPS_WATCH_TASK_TIMEOUT,
  opsSettingsSignal,
  opsStateQuery,
  opsTickSignal,
  vendorHealthSignal,
} from '../messages';

const MAX_HISTORY_EVENTS = 2_000;

/**
 * Runs from before this patch checked the history only once per tick, so a burst of KPI signals (thousands between
 * two ticks) grew one run's history far past the limit; replaying it took the worker's workflow thread for seconds
 * at a time (12-35 s workflow tasks at 5-8k events, then a worker abort, in P4 at 3,000 parked). Patched runs hand
 * over as soon as the history passes the limit, and trim their open deals in batches. Old runs replay unchanged.
 */
export const BOUNDED_HISTORY_PATCH = 'ops-watch-bounded-history';
export const REVIEW_DIGEST_PATCH = 'ops-review-digest';

const gatherRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 3,
};
/** Telling people about a breach is worth a long try: a few minutes of backoff before it counts as failed. */
const alertRetry: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 8,
  nonRetryableErrorTypes: [FAILURE.validation, FAILURE.auth],
};

export async function opsWatch(input: OpsWatchInput): Promise<void> {
  const { gatherOpsFacts, wakeVendorWaiters } = proxyActivities<OpsFactsActivities>({
    startToCloseTimeout: '1 minute',
    retry: gatherRetry,
  });
  const { publishReviewDigests } = proxyActivities<ReviewDigestActivities>({
    startToCloseTimeout: '1 minute',
    retry: gatherRetry,
  });
  const { notifyBillingLead, pageOnCall } = proxyActivities<OpsAlertActivities>({
    startToCloseTimeout: '30 seconds',
    retry: alertRetry,
  });

  const bounded = patched(BOUNDED_HISTORY_PATCH);
  let settings = input.settings;
  const ledger = input.carried?.ledger ?? emptyLedger();
  let alerts: AlertStates = input.carried?.alerts ?? initialAlertStates(settings.thresholds);
  let facts = input.carried?.facts;
  let outages: VendorOutages = input.carried?.outages ?? {};
  let digests: ReviewDigests = input.carried?.digests ?? {};
  let factsError: string | undefined;
  let lastTickAt: string | undefined;
  let tickRequested = false;

  setHandler(kpiEventSignal, (e) => applyEvent(ledger, e, settings.customerSlaMs, bounded ? 'amortised' : 'exact'));
  setHandler(opsSettingsSignal, (s) => {
    settings = s;
    tickRequested = true;
  });
  setHandler(opsTickSignal, () => {
    tickRequested = true;
  });
  // A worker's breaker opened or closed: evaluated at once (the incident itself waits until the outage has lasted).
  setHandler(vendorHealthSignal, (r) => {
    outages = applyHealthReport(outages, r);
    tickRequested = true;
  });
  // The shards hold the events of onboardings started since `kpi-ledger-sharded`; this run's own ledger those before.
  const view = (): KpiLedger =>
    facts?.ledgerShards ? { days: mergeDays(ledger.days, facts.ledgerShards.days), open: ledger.open } : ledger;

  setHandler(opsStateQuery, (): OpsWatchState => {
    const now = new Date().toISOString();
    const merged = view();
    const week = windowTotals(merged, now, 7);
    return {
      generatedAt: now,
      settings,
      ledger: merged,
      alerts,
      ...(Object.keys(outages).length ? { outages } : {}),
      ...(Object.keys(digests).length ? { digests } : {}),
      ...(facts ? { facts } : {}),
      week,
      readings: kpiReadings(week, facts),
      ...(lastTickAt ? { lastTickAt } : {}),
      ...(factsError ? { factsError } : {}),
    };
  });

  const historyFull = (): boolean =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength > (settings.maxHistoryEvents ?? MAX_HISTORY_EVENTS);
  const handOver = (): Promise<never> => {
    const withOutages = {
      ...(Object.keys(outages).length ? { outages } : {}),
      ...(Object.keys(digests).length ? { digests } : {}),
    };
    if (!bounded)
      return continueAsNew<typeof opsWatch>({
        settings,
        carried: { ledger, alerts, ...withOutages, ...(facts ? { facts } : {}) },
      });
    const carried: OpsWatchCarried = {
      ledger,
      alerts,
      ...withOutages,
      ...(facts ? { facts } : {}),
      ...(lastTickAt && !tickRequested ? { lastTickAt } : {}),
    };
    // A run started on the onboarding queue (before the ops queue existed) moves to it here.
    return makeContinueAsNewFunc<typeof opsWatch>({
      taskQueue: opsTaskQueueFor(workflowInfo().taskQueue),
      workflowTaskTimeout: OPS_WATCH_TASK_TIMEOUT,
    })({ settings, carried });
  };

  const tell = async (a: AlertAction | OutageAlertAction): Promise<Record<string, string>> => {
    const outcome = (p: Promise<string>) => p.catch((err: unknown) => `failed: ${firstLine(err, 292)}`);
    const [slack, pagerduty] = await Promise.all([outcome(notifyBillingLead(a)), outcome(pageOnCall(a))]);
    return { slack, pagerduty };
  };

  const tick = async (): Promise<void> => {
    try {
      const gathered = await gatherOpsFacts({ ledgerShards: ledgerShardSettings(settings) });
      // A shard that could not be read must not make the week look empty: the last complete read stays in force.
      facts =
        !gathered.ledgerShards && facts?.ledgerShards ? { ...gathered, ledgerShards: facts.ledgerShards } : gathered;
      factsError = undefined;
    } catch (err) {
      // The last known facts stay in force: a visibility hiccup must neither open nor close an alert.
      factsError = firstLine(err);
    }
    const now = new Date().toISOString();
    lastTickAt = now;
    if (facts && !factsError) recordDailyFacts(ledger, now, facts);
    sweepSlaBreaches(ledger, now, settings.customerSlaMs);
    pruneLedger(ledger, now);
    const evaluated = evaluateAlerts(
      alerts,
      kpiReadings(windowTotals(view(), now, 7), facts),
      settings.thresholds,
      now,
    );
    alerts = evaluated.alerts;
    for (const action of evaluated.actions) {
      const deliveries = await tell(action);
      alerts = { ...alerts, [action.kind]: { ...alerts[action.kind], deliveries } };
    }
    if (Object.keys(outages).length > 0) await tickOutages(now);
    // A digest per review reason with many items (settings from the worker's config; runs from before replay without).
    if (settings.reviewDigestMin !== undefined && patched(REVIEW_DIGEST_PATCH)) {
      digests = await publishReviewDigests({ min: settings.reviewDigestMin, digests }).catch(() => digests);
    }
  };

  /** One incident per vendor outage; when the vendor is back, its waiting onboardings are woken and counted. */
  const tickOutages = async (now: string): Promise<void> => {
    const evaluated = evaluateOutages(outages, factsError ? undefined : facts?.vendorWaits?.byVendor, now);
    outages = evaluated.outages;
    for (const t of evaluated.triggers) {
      const deliveries = await tell(t);
      outages = { ...outages, [t.vendor]: { ...outages[t.vendor]!, deliveries } };
    }
    for (const vendor of evaluated.recovered) {
      // Onboardings also resume on their own timers: a failed wake only makes them a few minutes later.
      const resumed = await wakeVendorWaiters(vendor).catch(() => 0);
      const resolved = resolveOutage(outages[vendor]!, resumed, new Date().toISOString());
      outages = { ...outages, [vendor]: resolved.outage };
      if (resolved.action)
        outages = { ...outages, [vendor]: { ...outages[vendor]!, deliveries: await tell(resolved.action) } };
    }
  };

  // A run handed over mid-wait finishes its predecessor's wait instead of ticking at once: in a burst, a tick per
  // hand-over would add a visibility scan (whose state queries replay parked reviews) every couple of thousand events.
  let resumeWaitMs = bounded ? untilNextTick(input.carried?.lastTickAt, settings.tickMs, Date.now()) : undefined;
  if (resumeWaitMs !== undefined) lastTickAt = input.carried?.lastTickAt;
  for (;;) {
    if (resumeWaitMs === undefined) {
      await tick();
      if (historyFull()) await handOver();
    }
    await condition(() => tickRequested || (bounded && historyFull()), resumeWaitMs ?? settings.tickMs);
    resumeWaitMs = undefined;
    if (bounded && historyFull()) await handOver();
    tickRequested = false;
  }
}
