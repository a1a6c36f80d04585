/**
 * Reads the facts only Temporal knows: the review queue (visibility `OnboardingState = 'NEEDS_REVIEW'`, each item's
 * review start from its `state` query) and the last completed reconciliation (its result, and its stored report for
 * the duplicate count). Free of the activity context: the `gatherOpsFacts` activity and the app's /ops both use it.
 */
import { readFile } from 'node:fs/promises';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { DuplicateGroup } from '../../reconciliation/model/reconciliation';
import { firstLine } from '../../domain/first-line';
import { within } from '../../runtime/within';
import { QUERIES, SEARCH_ATTRIBUTES, WORKFLOW_TYPE } from '../../domain/temporal-names';
import type { TransactionState } from '../../domain/transaction';
import type { ClosedOnDay, OpsFacts, ReconciliationFacts, ReviewQueueFacts, ReviewQueueItem } from '../model/facts';

export const REVIEW_QUEUE_QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND OnboardingState = 'NEEDS_REVIEW'`;
const RECONCILE_DONE_QUERY = `WorkflowType = 'reconcile' AND ExecutionStatus = 'Completed'`;

export interface OpsFactsOptions {
  /** Items listed (oldest first); the count covers the whole queue. Default 25. */
  reviewPage?: number;
  /** Bound on each `state` query, so a stuck worker cannot stall the read. Default 3 s. */
  queryTimeoutMs?: number;
  /** Visibility rows read to find the oldest reviews. Default 500. */
  scanLimit?: number;
}

/** When the current review began: the last "→ NEEDS_REVIEW" transition in the audit trail. */
export function reviewStartedAt(state: Pick<TransactionState, 'auditTrail'>): string | undefined {
  for (let i = state.auditTrail.length - 1; i >= 0; i -= 1) {
    const e = state.auditTrail[i]!;
    if (e.step === 'state' && e.detail?.endsWith('→ NEEDS_REVIEW')) return e.at;
  }
  return undefined;
}

/** The review's named owner (the card's: a Slack user or user group id), else the last person who acted on it. */
function ownerOf(state: TransactionState): string | undefined {
  if (state.reviewOwner?.id)
    return state.reviewOwner.kind === 'group' ? `group ${state.reviewOwner.id}` : state.reviewOwner.id;
  for (let i = state.auditTrail.length - 1; i >= 0; i -= 1) {
    const e = state.auditTrail[i]!;
    if (e.step === 'state' && e.detail?.endsWith('→ NEEDS_REVIEW')) break;
    if (e.actor) return e.actor;
  }
  return undefined;
}

export async function readReviewQueue(
  client: Client,
  nowMs: number,
  opts: OpsFactsOptions = {},
): Promise<ReviewQueueFacts> {
  const page = opts.reviewPage ?? 25;
  const timeout = opts.queryTimeoutMs ?? 3_000;
  const scanLimit = opts.scanLimit ?? 500;
  try {
    const rows: WorkflowExecutionInfo[] = [];
    for await (const wf of client.workflow.list({ query: REVIEW_QUEUE_QUERY, pageSize: 100 })) {
      rows.push(wf);
      if (rows.length >= scanLimit) break;
    }
    const size = rows.length < scanLimit ? rows.length : (await client.workflow.count(REVIEW_QUEUE_QUERY)).count;
    // Started earliest ≈ waiting longest; the exact review start comes from each one's state below.
    rows.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    const items = await Promise.all(
      rows.slice(0, page).map(async (wf): Promise<ReviewQueueItem> => {
        const state = await within(
          client.workflow
            .getHandle<() => Promise<TransactionState>>(wf.workflowId, wf.runId)
            .query<TransactionState>(QUERIES.state),
          timeout,
          'state query',
        ).catch(() => undefined);
        const since = (state && reviewStartedAt(state)) ?? wf.startTime.toISOString();
        const reason = wf.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ReviewReason);
        const dealId = wf.typedSearchAttributes.get(SEARCH_ATTRIBUTES.PipedriveDealId) ?? state?.pipedriveDealId;
        const title = typeof wf.memo?.dealTitle === 'string' ? wf.memo.dealTitle : undefined;
        const owner = state ? ownerOf(state) : undefined;
        return {
          externalId: wf.workflowId,
          ...(dealId ? { pipedriveDealId: dealId } : {}),
          ...(reason ? { reason } : {}),
          ...(state?.reviewKind ? { reviewKind: state.reviewKind } : {}),
          ...(owner ? { owner } : {}),
          ...(title ? { title } : {}),
          since,
          ageMs: Math.max(0, nowMs - Date.parse(since)),
        };
      }),
    );
    items.sort((a, b) => b.ageMs - a.ageMs);
    // Items past the page are younger by start time; their review may still be older, but the page bounds the cost.
    return { size, oldestAgeMs: items[0]?.ageMs ?? 0, items };
  } catch (err) {
    return { size: 0, oldestAgeMs: 0, items: [], error: `visibility query failed: ${firstLine(err)}` };
  }
}

/** Customers beyond the first of each group sharing an external id or an e-mail, counted once each. */
export function duplicateCustomerCount(groups: DuplicateGroup[]): number {
  const extra = new Set<string>();
  for (const g of groups) {
    if (g.kind === 'dealExternalId') continue;
    for (const id of g.customerIds.slice(1)) extra.add(id);
  }
  return extra.size;
}

interface ReconcileResultShape {
  generatedAt: string;
  mismatchRate: number;
  threshold: number;
  counts: ReconciliationFacts['counts'];
  report?: { jsonPath?: string; textPath?: string };
}

/** The most recently closed successful `reconcile` run; `undefined` when there is none. */
export async function readLastReconciliation(client: Client): Promise<ReconciliationFacts | undefined> {
  let latest: WorkflowExecutionInfo | undefined;
  let seen = 0;
  for await (const wf of client.workflow.list({ query: RECONCILE_DONE_QUERY, pageSize: 50 })) {
    if (!latest || (wf.closeTime?.getTime() ?? 0) > (latest.closeTime?.getTime() ?? 0)) latest = wf;
    if (++seen >= 50) break;
  }
  if (!latest) return undefined;
  const result = (await client.workflow.getHandle(latest.workflowId, latest.runId).result()) as ReconcileResultShape;
  let duplicateCustomers = result.counts.duplicates ?? 0;
  if (result.report?.jsonPath) {
    try {
      const report = JSON.parse(await readFile(result.report.jsonPath, 'utf8')) as { duplicates?: DuplicateGroup[] };
      if (Array.isArray(report.duplicates)) duplicateCustomers = duplicateCustomerCount(report.duplicates);
    } catch {
      // Another host's disk: the group count from the result stands in for the customer count.
    }
  }
  return {
    workflowId: latest.workflowId,
    generatedAt: result.generatedAt,
    mismatchRate: result.mismatchRate,
    threshold: result.threshold,
    counts: result.counts,
    duplicateCustomers,
    ...(result.report?.textPath ? { reportPath: result.report.textPath } : {}),
  };
}

/** Onboardings closed today and yesterday (UTC), completed vs cancelled, by their final OnboardingState. */
export async function readClosedCounts(client: Client, now: Date): Promise<ClosedOnDay[]> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Promise.all(
    [today - 86_400_000, today].map(async (start): Promise<ClosedOnDay> => {
      const from = new Date(start).toISOString();
      const to = new Date(start + 86_400_000).toISOString();
      const count = async (state: string) =>
        (
          await client.workflow.count(
            `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed' AND OnboardingState = '${state}' AND CloseTime >= '${from}' AND CloseTime < '${to}'`,
          )
        ).count;
      const [completed, cancelled] = await Promise.all([count('COMPLETED'), count('CANCELLED')]);
      return { day: from.slice(0, 10), completed, cancelled };
    }),
  );
}

export async function readOpsFacts(client: Client, now: Date, opts: OpsFactsOptions = {}): Promise<OpsFacts> {
  const [reviewQueue, reconciliation, closed] = await Promise.all([
    readReviewQueue(client, now.getTime(), opts),
    readLastReconciliation(client).then(
      (r) => ({ r }),
      (err: unknown) => ({ error: `reconciliation lookup failed: ${firstLine(err)}` }),
    ),
    readClosedCounts(client, now).catch(() => undefined),
  ]);
  return {
    gatheredAt: now.toISOString(),
    reviewQueue,
    ...(closed ? { closed } : {}),
    ...('r' in reconciliation && reconciliation.r ? { reconciliation: reconciliation.r } : {}),
    ...('error' in reconciliation ? { reconciliationError: reconciliation.error } : {}),
  };
}
