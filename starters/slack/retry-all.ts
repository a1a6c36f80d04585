/**
 * A click on "Retry all N" (a review digest, ops/activities/review-digest.ts): the same authorisation as a single
 * card's buttons (configured reviewers only), then `retry` sent to every onboarding in review for the digest's reason
 * (starters/cli/bulk-review-command.ts), each decision carrying the clicker as actor and recorded in its own audit
 * trail. The clicker gets a private summary; the app log gets one line with the counts.
 */
import type { Client } from '@temporalio/client';
import { decodeRetryAllValue } from '../../integrations/slack';
import type { Logger } from '../../runtime/logger';
import { runBulkReview } from '../cli/bulk-review-command';
import type { SlackActionOutcome } from './slack-metrics';

export const NOT_A_REVIEWER_BULK_TEXT = 'Only onboarding reviewers can retry reviews; nothing was done.';

export async function retryAllFromSlack(
  deps: {
    temporal: Client;
    reviewers: { isReviewer(userId: string): Promise<boolean> };
    log: Pick<Logger, 'info' | 'warn' | 'error'>;
  },
  actor: string,
  rawValue: string | undefined,
): Promise<{ outcome: SlackActionOutcome; text: string }> {
  const reviewReason = decodeRetryAllValue(rawValue);
  if (!reviewReason)
    return { outcome: 'invalid', text: 'This button does not name a review reason; nothing was done.' };
  const allowed = await deps.reviewers.isReviewer(actor).catch(() => false);
  if (!allowed) {
    deps.log.warn({ actor, action: 'retry_all', reviewReason }, 'bulk review decision refused: not a reviewer');
    return { outcome: 'refused', text: NOT_A_REVIEWER_BULK_TEXT };
  }
  try {
    const r = await runBulkReview(deps.temporal, { action: 'retry', reviewReason, dryRun: false, actor });
    deps.log.info(
      {
        actor,
        action: 'retry_all',
        reviewReason,
        matched: r.matched,
        sent: r.sent,
        skipped: r.skipped,
        failed: r.failed.length,
      },
      'bulk review decision sent',
    );
    const failed = r.failed.length ? `, ${r.failed.length} could not be sent (press again)` : '';
    return {
      outcome: r.failed.length ? 'error' : 'signalled',
      text: `Retried ${r.sent} onboarding(s) in review for ${reviewReason}${r.skipped ? `; ${r.skipped} no longer in review` : ''}${failed}.`,
    };
  } catch (err) {
    deps.log.error({ err: (err as Error).message, actor, reviewReason }, 'bulk review decision could not be sent');
    return {
      outcome: 'error',
      text: `The retry could not be sent (${(err as Error).message.split('\n')[0]}). Please try again.`,
    };
  }
}
