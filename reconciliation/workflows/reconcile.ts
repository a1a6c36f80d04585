/**
 * `reconcile`: the guide's daily reconciliation. Signed Pipedrive deals against NetSuite customers by external_id,
 * compared by rules that run in an activity (so a rule change never breaks the replay of an old history), the
 * report stored for the billing lead, and, when asked, onboardings started for signed deals that never got a
 * customer. Run daily by the `reconciliation-daily` schedule (starters/schedules.ts) and on demand by the CLI.
 */
import { ActivityFailure, patched, proxyActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type {
  OnboardingStartResult,
  ReconciliationActivities,
  ReconciliationNetSuiteActivities,
  StoredReport,
} from '../activities/reconcile-activities';
import type { ReconciliationReportActivities, ReportPostOutcome } from '../activities/report-slack';
import type { ReconciliationRunActivities } from '../activities/reconcile-run';
import { NON_RETRYABLE_FAILURES } from '../../domain/failure-types';
import type { ReconciliationReport } from '../model/reconciliation';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import { batchVendorRetry } from '../../workflows/batch-vendor-retry';

export interface ReconcileInput {
  /** Start `onboardDeal` for signed deals with neither a customer nor a workflow (default false: report only). */
  startMissing?: boolean;
  /** Mismatch rate above which the report alerts; default 2% (the guide's threshold). */
  threshold?: number;
}

export interface ReconciliationSummary {
  generatedAt: string;
  mismatchRate: number;
  threshold: number;
  alert: boolean;
  counts: ReconciliationReport['counts'];
  report: StoredReport;
  /** Only when `startMissing` was set, on runs before the `reconcile-paged` patch (each outcome; later runs list them in the report). */
  startedOnboardings?: OnboardingStartResult[];
  /** Only when `startMissing` was set, on runs after the `reconcile-paged` patch: how many started, how many Temporal already knew. */
  onboardings?: { started: number; alreadyKnown: number };
  /** The summary posted to Slack, or why not (runs started before the `post-report` patch have none). */
  slack?: ReportPostOutcome;
}

/** Pure comparison: a failure is a bug, which retrying does not fix; a few tries cover a worker lost mid-task. */
const computeRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 3,
};

/** Writing the report file: a full disk or a permission problem is fixed by an operator; retry for a while. */
const storeRetry: RetryPolicy = {
  initialInterval: '5 seconds',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  maximumAttempts: 10,
};

/** Posting to Slack is a courtesy on top of the stored report: a few quick tries, then the run goes on without it. */
const postRetry: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '20 seconds',
  maximumAttempts: 3,
  nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
};

export async function reconcile(input: ReconcileInput = {}): Promise<ReconciliationSummary> {
  const { loadSignedDeals, startMissingOnboardings } = proxyActivities<ReconciliationActivities>({
    // Paging through every signed deal and its people and organizations: minutes for a large company.
    startToCloseTimeout: '10 minutes',
    retry: batchVendorRetry,
  });
  const compare = proxyActivities<ReconciliationActivities>({
    startToCloseTimeout: '2 minutes',
    retry: computeRetry,
  }).compareRecords;
  const store = proxyActivities<ReconciliationActivities>({
    startToCloseTimeout: '1 minute',
    retry: storeRetry,
  }).storeReport;
  const { loadNetSuiteCustomers } = proxyActivities<ReconciliationNetSuiteActivities>({
    // NetSuite calls run on the netsuite queue, inside the account's concurrency budget.
    taskQueue: netsuiteTaskQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: '10 minutes',
    retry: batchVendorRetry,
  });

  // Workflow time: deterministic, and the report's name.
  const generatedAt = new Date().toISOString();

  // Records never travel through this history: one activity pages both vendors into a scratch file on its host,
  // compares there and writes the report; only figures come back (docs/reconciliation-at-scale.md).
  if (patched('reconcile-paged')) {
    const { runReconciliation } = proxyActivities<ReconciliationRunActivities>({
      taskQueue: netsuiteTaskQueueFor(workflowInfo().taskQueue),
      // 50,000 deals and customers take a few minutes; the heartbeat after every page is what notices a lost worker.
      startToCloseTimeout: '1 hour',
      heartbeatTimeout: '2 minutes',
      retry: batchVendorRetry,
    });
    const run = await runReconciliation({
      generatedAt,
      ...(input.threshold === undefined ? {} : { threshold: input.threshold }),
      ...(input.startMissing ? { startMissing: true } : {}),
    });
    const { postReconciliationDigest } = proxyActivities<ReconciliationReportActivities>({
      startToCloseTimeout: '30 seconds',
      retry: postRetry,
    });
    let posted: ReportPostOutcome;
    try {
      posted = await postReconciliationDigest(run.digest, run.report, {
        workflowId: workflowInfo().workflowId,
        onboardingsStarted: run.onboardings?.started ?? 0,
      });
    } catch (err) {
      posted = { posted: false, reason: err instanceof ActivityFailure && err.cause ? err.cause.message : String(err) };
    }
    const d = run.digest;
    return {
      generatedAt,
      mismatchRate: d.mismatchRate,
      threshold: d.threshold,
      alert: d.alert,
      counts: d.counts,
      report: run.report,
      ...(run.onboardings ? { onboardings: run.onboardings } : {}),
      slack: posted,
    };
  }

  const [deals, customers] = await Promise.all([loadSignedDeals(), loadNetSuiteCustomers()]);
  const report = await compare(deals, customers, generatedAt, input.threshold);

  let startedOnboardings: OnboardingStartResult[] | undefined;
  if (input.startMissing && report.missingCustomers.length > 0) {
    startedOnboardings = await startMissingOnboardings(
      report.missingCustomers.map((m) => ({ dealId: m.dealId, externalId: m.externalId })),
      generatedAt,
    );
  } else if (input.startMissing) {
    startedOnboardings = [];
  }

  const stored = await store(report, startedOnboardings);

  let slack: ReportPostOutcome | undefined;
  // Runs that were open when this step shipped replay without it.
  if (patched('post-report')) {
    const { postReconciliationReport } = proxyActivities<ReconciliationReportActivities>({
      startToCloseTimeout: '30 seconds',
      retry: postRetry,
    });
    const onboardingsStarted = startedOnboardings?.filter((s) => s.outcome === 'started').length ?? 0;
    try {
      slack = await postReconciliationReport(report, stored, {
        workflowId: workflowInfo().workflowId,
        onboardingsStarted,
      });
    } catch (err) {
      // A Slack failure never fails the reconciliation: the report is stored and its figures are returned.
      slack = { posted: false, reason: err instanceof ActivityFailure && err.cause ? err.cause.message : String(err) };
    }
  }
  return {
    generatedAt,
    mismatchRate: report.mismatchRate,
    threshold: report.threshold,
    alert: report.alert,
    counts: report.counts,
    report: stored,
    ...(startedOnboardings ? { startedOnboardings } : {}),
    ...(slack ? { slack } : {}),
  };
}
