/**
 * `retry --reason <code>` and `cancel --reason <code>` without an external id: the same decision, sent as the same
 * `review` signal a single click sends, to every onboarding in review for that reason (visibility: OnboardingState =
 * NEEDS_REVIEW and ReviewReason = <code>), e.g. every deal an outage left in review as `vendor_outage`. Each decision
 * is audited in its own workflow with the actor and the bulk action named. `--since` keeps the reviews that began at
 * or after that time (from each run's audit trail); `--dry-run` lists what would be sent and sends nothing.
 */
import type { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES, WORKFLOW_TYPE } from '../../domain/temporal-names';
import type { TransactionState } from '../../domain/transaction';
import { reviewSignal, stateQuery } from '../../workflows/messages';

/** Review reason codes are machine codes (domain/review-reason.ts); anything else would be spliced into a query. */
const REASON_CODE = /^[A-Za-z0-9_.:-]{1,128}$/;
const CONCURRENCY = 10;

export interface BulkReviewOptions {
  action: 'retry' | 'cancel';
  reviewReason: string;
  since?: string;
  dryRun: boolean;
  actor: string;
  claimedAs?: string;
  /** Retry each with the worker's current mapping template (workflows/mapping-pin.ts), e.g. after a template fix. */
  remap?: boolean;
  /** Progress lines (stderr in the CLI). */
  progress?: { write(s: string): unknown };
  /** Most onboardings acted on in one run (default 10,000). */
  limit?: number;
}

export interface BulkReviewResult {
  action: 'retry' | 'cancel';
  reviewReason: string;
  since?: string;
  dryRun: boolean;
  /** In review for that reason (and since, when given). */
  matched: number;
  sent: number;
  /** Left out by --since, or no longer in review by the time it was asked. */
  skipped: number;
  failed: Array<{ externalId: string; error: string }>;
  externalIds: string[];
}

export class BulkReviewUsageError extends Error {}

export function bulkReviewQuery(reviewReason: string): string {
  if (!REASON_CODE.test(reviewReason))
    throw new BulkReviewUsageError(
      `--reason must be a review reason code (letters, digits, _ . : -), got ${JSON.stringify(reviewReason.slice(0, 40))}`,
    );
  return `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND OnboardingState = 'NEEDS_REVIEW' AND ${SEARCH_ATTRIBUTES.ReviewReason.name} = '${reviewReason}'`;
}

/** When the current review began: the last "→ NEEDS_REVIEW" in the audit trail. */
function reviewStartedAt(s: TransactionState): string | undefined {
  for (let i = s.auditTrail.length - 1; i >= 0; i -= 1) {
    const e = s.auditTrail[i]!;
    if (e.step === 'state' && e.detail?.endsWith('→ NEEDS_REVIEW')) return e.at;
  }
  return undefined;
}

export async function runBulkReview(client: Client, o: BulkReviewOptions): Promise<BulkReviewResult> {
  const query = bulkReviewQuery(o.reviewReason);
  const sinceMs = o.since === undefined ? undefined : Date.parse(o.since);
  if (sinceMs !== undefined && Number.isNaN(sinceMs))
    throw new BulkReviewUsageError(`--since needs an ISO time, got ${o.since}`);
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 500 })) {
    ids.push(wf.workflowId);
    if (ids.length >= (o.limit ?? 10_000)) break;
  }
  const result: BulkReviewResult = {
    action: o.action,
    reviewReason: o.reviewReason,
    ...(o.since ? { since: o.since } : {}),
    dryRun: o.dryRun,
    matched: 0,
    sent: 0,
    skipped: 0,
    failed: [],
    externalIds: [],
  };
  const verb = o.dryRun ? `would ${o.action}` : o.action === 'retry' ? 'retried' : 'cancelled';
  o.progress?.write(
    `${ids.length} onboarding(s) in review for ${o.reviewReason}${o.since ? `, keeping reviews since ${o.since}` : ''}${o.dryRun ? ' (dry run: nothing is sent)' : ''}\n`,
  );
  let next = 0;
  let done = 0;
  const one = async (externalId: string): Promise<void> => {
    const handle = client.workflow.getHandle(externalId);
    try {
      // Asked just before deciding: a review answered meanwhile (or begun before --since) is left alone.
      const state = await handle.query(stateQuery);
      const started = reviewStartedAt(state);
      if (state.state !== 'NEEDS_REVIEW' || (sinceMs !== undefined && (!started || Date.parse(started) < sinceMs))) {
        result.skipped += 1;
        return;
      }
      result.matched += 1;
      result.externalIds.push(externalId);
      if (o.dryRun) return;
      await handle.signal(reviewSignal, {
        action: o.action,
        actor: o.actor,
        ...(o.claimedAs ? { claimedAs: o.claimedAs } : {}),
        reason: `bulk ${o.action} of every review for ${o.reviewReason}${o.since ? ` since ${o.since}` : ''}`,
        ...(state.reviewId ? { reviewId: state.reviewId } : {}),
        ...(o.remap && o.action === 'retry' ? { remap: true } : {}),
      });
      result.sent += 1;
    } catch (err) {
      result.failed.push({ externalId, error: (err as Error).message.split('\n')[0]!.slice(0, 200) });
    } finally {
      done += 1;
      if (done % 25 === 0 || done === ids.length)
        o.progress?.write(
          `  [${done}/${ids.length}] ${verb} ${o.dryRun ? result.matched : result.sent}, skipped ${result.skipped}, failed ${result.failed.length}\n`,
        );
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, ids.length) }, async () => {
      while (next < ids.length) await one(ids[next++]!);
    }),
  );
  result.externalIds.sort();
  return result;
}

export function formatBulkReview(r: BulkReviewResult): string {
  const head = r.dryRun
    ? `Dry run: ${r.matched} onboarding(s) in review for ${r.reviewReason} would get "${r.action}"`
    : `${r.action === 'retry' ? 'Retried' : 'Cancelled'} ${r.sent} of ${r.matched} onboarding(s) in review for ${r.reviewReason}`;
  const lines = [
    `${head}${r.since ? ` (reviews since ${r.since})` : ''}; ${r.skipped} skipped (no longer in review${r.since ? ' or older' : ''}), ${r.failed.length} failed.`,
  ];
  for (const f of r.failed.slice(0, 20)) lines.push(`  failed ${f.externalId}: ${f.error}`);
  if (r.dryRun) for (const id of r.externalIds.slice(0, 50)) lines.push(`  ${id}`);
  if (r.dryRun && r.externalIds.length > 50) lines.push(`  … and ${r.externalIds.length - 50} more (--json lists all)`);
  return `${lines.join('\n')}\n`;
}
