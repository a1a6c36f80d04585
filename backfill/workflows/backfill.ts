/**
 * `backfill`: the cutover from a polling connector. Pages through the signed Pipedrive deals, matches each to
 * NetSuite (externalId, then e-mail, then company name; never a customer created for another deal), writes the
 * missing external_ids, starts onboarding only where nothing exists, and lists the old connector's suspected
 * duplicates for a person instead of touching them. One run per mode under a fixed ID (`backfill`,
 * `backfill-dry-run`): the cursor is the workflow's own state, so a worker restart resumes where it was, a second CLI
 * attaches to the running one, and the CLI reads progress with the `backfillProgress` query. Long backfills continue
 * as new every few pages, carrying the cursor.
 *
 * Since the `backfill-paged` patch no deal or customer record passes through this history: one activity per page
 * reads, matches, writes and appends the per-deal lines to a report file (activities/backfill-page.ts); the state
 * holds counts, the cursor and the report's path (docs/reconciliation-at-scale.md). Runs started before it replay
 * the old loop, which carried each page's deals and decisions through activity results and kept up to MAX_LISTED
 * entries per list in its state.
 */
import { continueAsNew, defineQuery, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BackfillActivities, BackfillNetSuiteActivities, WriteFailure } from '../activities/backfill-activities';
import type { BackfillCursor, BackfillPageActivities, BackfillReportRef } from '../activities/backfill-page';
import { addTotals, EMPTY_TOTALS, tallyDecisions, type BackfillDecision, type BackfillTotals } from '../model/matching';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import { batchVendorRetry } from '../../workflows/batch-vendor-retry';

export const BACKFILL_WORKFLOW_ID = 'backfill';
export const BACKFILL_DRY_RUN_WORKFLOW_ID = 'backfill-dry-run';
export const DEFAULT_BACKFILL_PAGE_SIZE = 50;
/** Deals per page after the `backfill-paged` patch: one Pipedrive page (deal-pages.ts). */
export const PAGED_BACKFILL_PAGE_SIZE = 500;
export const BACKFILL_PAGED_PATCH = 'backfill-paged';
/** Pages per run before continue-as-new: keeps each history small whatever the number of deals. */
const PAGES_PER_RUN = 20;
/**
 * Listed items kept in the state per list (counts stay exact beyond it). The state travels whole through
 * continue-as-new, the progress query and the result: four lists of 2,000 typical entries were 1.4 MB, near Temporal's
 * 2 MB payload limit; 500 keep it near 350 KB. A person works through the first 500 and reruns (every step is
 * idempotent), which lists the rest. A state carried from a run with longer lists keeps them and grows no further.
 */
export const MAX_LISTED = 500;

export type PlannedAction =
  | { action: 'write-netsuite-external-id'; dealId: string; customerId: string; externalId: string }
  | { action: 'write-pipedrive-external-id'; dealId: string; externalId: string }
  | { action: 'start-onboarding'; dealId: string; externalId: string; outcome?: 'started' | 'already-known' };

export interface BackfillInput {
  dryRun?: boolean;
  pageSize?: number;
  /** Pages per run before continue-as-new (default 20). */
  pagesPerRun?: number;
  /** Chosen by the caller that starts the backfill; a caller that finds another id joined a run it did not start. */
  requestId?: string;
  /** Carried over continue-as-new; not set by callers. */
  carry?: BackfillState;
}

export interface BackfillState {
  dryRun: boolean;
  startedAt: string;
  requestId?: string;
  /** Signed deals in the latest listing; after the `backfill-paged` patch 0 until the last page (then the deals seen). */
  total: number;
  pages: number;
  /** Before the `backfill-paged` patch: the cursor (deal id order). */
  afterDealId?: string;
  /** After it: the position in the Pipedrive listing. */
  cursor?: BackfillCursor;
  /** After it: deals up to this id were done by runs before it (carried across continue-as-new). */
  doneThroughDealId?: string;
  /** After it: the per-deal report (actions, duplicates, conflicts, refused writes), one JSON line a deal. */
  report?: BackfillReportRef;
  done: boolean;
  totals: BackfillTotals;
  /**
   * Lists of runs before the `backfill-paged` patch (at most MAX_LISTED each); later runs write them to `report` and
   * keep these as they were carried.
   */
  actions: PlannedAction[];
  suspectedDuplicates: Array<Extract<BackfillDecision, { kind: 'suspected-duplicates' }>>;
  conflicts: Array<Extract<BackfillDecision, { kind: 'conflict' }>>;
  writeFailures: WriteFailure[];
}

export const backfillProgressQuery = defineQuery<BackfillState>('backfillProgress');

const capped = <T>(list: T[], more: T[]): T[] =>
  list.length >= MAX_LISTED ? list : [...list, ...more].slice(0, MAX_LISTED);

export async function backfill(input: BackfillInput = {}): Promise<BackfillState> {
  const pageSize = input.pageSize ?? DEFAULT_BACKFILL_PAGE_SIZE;
  const { loadBackfillPage, writePipedriveExternalIds, startBackfillOnboardings } = proxyActivities<BackfillActivities>(
    {
      // Listing every signed deal (first page of a worker): minutes for a large company.
      startToCloseTimeout: '10 minutes',
      retry: batchVendorRetry,
    },
  );
  const { matchBackfillDeals, writeNetSuiteExternalIds } = proxyActivities<BackfillNetSuiteActivities>({
    taskQueue: netsuiteTaskQueueFor(workflowInfo().taskQueue),
    startToCloseTimeout: '5 minutes',
    retry: batchVendorRetry,
  });

  const state: BackfillState = input.carry ?? {
    dryRun: input.dryRun ?? false,
    startedAt: new Date().toISOString(),
    ...(input.requestId ? { requestId: input.requestId } : {}),
    total: 0,
    pages: 0,
    done: false,
    totals: { ...EMPTY_TOTALS },
    actions: [],
    suspectedDuplicates: [],
    conflicts: [],
    writeFailures: [],
  };
  setHandler(backfillProgressQuery, () => state);

  if (patched(BACKFILL_PAGED_PATCH)) return pagedBackfill(input, state);

  for (let pagesThisRun = 0; ; pagesThisRun++) {
    if (pagesThisRun >= (input.pagesPerRun ?? PAGES_PER_RUN))
      await continueAsNew<typeof backfill>({ ...input, carry: state });
    const page = await loadBackfillPage(state.afterDealId, pageSize);
    state.total = page.total;
    if (page.deals.length === 0) break;

    const decisions = await matchBackfillDeals(page.deals);
    const tally = tallyDecisions(decisions);
    const matched = decisions.filter((d): d is Extract<BackfillDecision, { kind: 'matched' }> => d.kind === 'matched');
    const nsWrites = matched
      .filter((d) => d.writeNetSuiteExternalId)
      .map((d) => ({ dealId: d.dealId, customerId: d.customerId, externalId: d.externalId }));
    const pdWrites = matched
      .filter((d) => d.writePipedriveExternalId)
      .map((d) => ({ dealId: d.dealId, externalId: d.externalId }));
    const starts = decisions
      .filter((d) => d.kind === 'start-onboarding')
      .map((d) => ({ dealId: d.dealId, externalId: d.externalId }));

    const actions: PlannedAction[] = [
      ...nsWrites.map((w) => ({ action: 'write-netsuite-external-id' as const, ...w })),
      ...pdWrites.map((w) => ({ action: 'write-pipedrive-external-id' as const, ...w })),
    ];
    if (state.dryRun) {
      tally.onboardingsStarted = starts.length;
      actions.push(...starts.map((s) => ({ action: 'start-onboarding' as const, ...s })));
    } else {
      // NetSuite first: a deal gets its External ID only once its customer carries the same one.
      const ns = nsWrites.length ? await writeNetSuiteExternalIds(nsWrites) : { written: 0, failures: [] };
      const failedDeals = new Set(ns.failures.map((f) => f.dealId));
      const pd = pdWrites.length
        ? await writePipedriveExternalIds(pdWrites.filter((w) => !failedDeals.has(w.dealId)))
        : { written: 0, failures: [] };
      const started = starts.length ? await startBackfillOnboardings(starts, new Date().toISOString()) : [];
      tally.netsuiteExternalIdsWritten = ns.written;
      tally.pipedriveExternalIdsWritten = pd.written;
      tally.onboardingsStarted = started.filter((s) => s.outcome === 'started').length;
      tally.onboardingsAlreadyKnown = started.length - tally.onboardingsStarted;
      tally.writeFailures = ns.failures.length + pd.failures.length;
      state.writeFailures = capped(state.writeFailures, [...ns.failures, ...pd.failures]);
      actions.push(...started.map((s) => ({ action: 'start-onboarding' as const, ...s })));
    }

    state.totals = addTotals(state.totals, tally);
    state.actions = capped(state.actions, actions);
    state.suspectedDuplicates = capped(
      state.suspectedDuplicates,
      decisions.filter(
        (d): d is Extract<BackfillDecision, { kind: 'suspected-duplicates' }> => d.kind === 'suspected-duplicates',
      ),
    );
    state.conflicts = capped(
      state.conflicts,
      decisions.filter((d): d is Extract<BackfillDecision, { kind: 'conflict' }> => d.kind === 'conflict'),
    );
    state.pages += 1;
    if (!page.nextAfterDealId) break;
    state.afterDealId = page.nextAfterDealId;
  }
  state.done = true;
  return state;
}

/** The backfill at any size: a page per activity, only counts, the cursor and the report's path in this state. */
async function pagedBackfill(input: BackfillInput, state: BackfillState): Promise<BackfillState> {
  const { runBackfillPage } = proxyActivities<BackfillPageActivities>({
    // The NetSuite reads and writes share the account's budget; the Pipedrive reads and writes ride along.
    taskQueue: netsuiteTaskQueueFor(workflowInfo().taskQueue),
    // A page of 500 deals that all need writes takes minutes at Pipedrive's rate limit; the heartbeat notices a lost worker.
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: batchVendorRetry,
  });
  // A run carried over from before the patch went in deal id order: its deals are skipped, its counts kept.
  if (state.afterDealId !== undefined && state.cursor === undefined && state.doneThroughDealId === undefined) {
    state.doneThroughDealId = state.afterDealId;
    delete state.afterDealId;
  }
  const pageSize = Math.min(input.pageSize ?? PAGED_BACKFILL_PAGE_SIZE, PAGED_BACKFILL_PAGE_SIZE);
  for (let pagesThisRun = 0; ; pagesThisRun++) {
    if (pagesThisRun >= (input.pagesPerRun ?? PAGES_PER_RUN))
      await continueAsNew<typeof backfill>({ ...input, carry: state });
    const page = await runBackfillPage({
      dryRun: state.dryRun,
      startedAt: state.startedAt,
      cursor: state.cursor ?? {},
      pageSize,
      reportBytes: state.report?.bytes ?? 0,
      receivedAt: new Date().toISOString(),
      ...(state.doneThroughDealId !== undefined ? { doneThroughDealId: state.doneThroughDealId } : {}),
    });
    state.totals = addTotals(state.totals, page.totals);
    state.report = page.report;
    state.pages += 1;
    if (!page.next) break;
    state.cursor = page.next;
  }
  state.total = state.totals.dealsSeen;
  state.done = true;
  return state;
}
