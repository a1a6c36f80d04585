/**
 * Parking a transaction in NEEDS_REVIEW until a reviewer decides: shared by `onboardDeal` and `syncDealEdit`, whose
 * recorded histories (test/workflow/fixtures/histories) pin the order of what happens here: state and KPI, search
 * attribute, the caller's notifications, the escalation timer loop, the attribute cleared, the decision recorded on
 * the card. Reorder nothing without `patched()` and a new recording.
 */
import { condition, upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import type { ResolvedDeal } from '../domain/canonical-deal';
import type { ReviewDecision, TransactionState } from '../domain/transaction';
import type { ReviewActivities } from '../activities/slack-review-activities';
import type { ReviewCardInput, ReviewCardRef } from '../domain/review-card';
import { kpis } from './kpis';
import type { NeedsReview } from './needs-review';
import type { TransactionLog } from './transaction-log';

export const DEFAULT_REVIEW_ESCALATION_MS = 24 * 60 * 60_000;

/** The review card for a transaction: what the reviewer needs to decide, from the deal as last read. */
export function reviewCard(o: {
  /** The workflow the card's buttons signal. */
  externalId: string;
  pipedriveDealId: string;
  review: NeedsReview;
  deal: ResolvedDeal | undefined;
  state: Pick<TransactionState, 'duplicateCandidates' | 'netsuiteCustomerId' | 'reviewId'>;
}): ReviewCardInput {
  const { review, deal, state } = o;
  return {
    externalId: o.externalId,
    pipedriveDealId: o.pipedriveDealId,
    kind: review.kind,
    reasons: review.reasons,
    ...(deal ? { dealTitle: deal.deal.title, organization: deal.organization?.name, payload: deal } : {}),
    ...(state.duplicateCandidates && review.kind === 'possible_duplicate'
      ? { duplicateCandidates: state.duplicateCandidates }
      : {}),
    ...(state.netsuiteCustomerId ? { netsuiteCustomerId: state.netsuiteCustomerId } : {}),
    ...(state.reviewId ? { reviewId: state.reviewId } : {}),
  };
}

export interface ReviewWait<D extends ReviewDecision | undefined = ReviewDecision> {
  tx: TransactionLog;
  review: NeedsReview;
  card: ReviewCardInput;
  reviewChannel: Pick<ReviewActivities, 'escalateReview' | 'recordReviewDecision'>;
  escalateAfterMs: number | undefined;
  /**
   * Starts telling people (card, deal mark, on-call). What it awaits happens before the wait; the promise it returns
   * runs alongside the wait and is settled before the decision is recorded. `onCard` hands over the posted card.
   */
  notify(onCard: (ref: ReviewCardRef) => void): Promise<{ pending: Promise<unknown> }>;
  /** Whether the wait is over (a decision, or anything else the caller wakes on). */
  answered(): boolean;
  /**
   * The decision, read once the wait is over. Undefined when the caller woke for something else (a later edit of the
   * deal): nothing is recorded on the card, which stays open for the caller to update.
   */
  decision(): D;
  /** The same review again with fresher facts (its card updated in place): not counted as another review. */
  repeat?: boolean;
}

/** Parks the transaction until `answered()`; escalates on the card every `escalateAfterMs` it stays unanswered. */
export async function waitForReview<D extends ReviewDecision | undefined>(w: ReviewWait<D>): Promise<D> {
  const { tx, review, card } = w;
  tx.enter('NEEDS_REVIEW');
  tx.state.reviewReasons = review.reasons;
  tx.state.reviewKind = review.kind;
  if (!w.repeat) kpis.review(review.kind);
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ReviewReason, value: review.reasons[0]?.code ?? review.kind }]);
  const waitingSince = new Date().toISOString();
  let cardRef: ReviewCardRef | undefined;
  const { pending } = await w.notify((ref) => {
    cardRef = ref;
    // The card's named owner, for the `state` query and the CLI queue while the review waits.
    if (ref.owner) tx.state.reviewOwner = ref.owner;
  });

  const escalateAfterMs = w.escalateAfterMs ?? DEFAULT_REVIEW_ESCALATION_MS;
  let escalations = 0;
  while (!(await condition(w.answered, escalateAfterMs))) {
    escalations += 1;
    tx.audit({
      step: 'review-escalation',
      outcome: 'info',
      attempt: escalations,
      detail: `unanswered for ${Math.round((escalations * escalateAfterMs) / 60_000)} min`,
    });
    if (cardRef)
      await tx
        .step('escalate-review', () => w.reviewChannel.escalateReview(cardRef!, card, escalations, waitingSince))
        .catch(() => undefined);
  }
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ReviewReason, value: null }]);
  tx.state.reviewReasons = [];
  const d = w.decision();
  await pending;
  delete tx.state.reviewOwner;
  if (cardRef && d !== undefined)
    await tx
      .step('record-review-decision', () =>
        w.reviewChannel.recordReviewDecision(cardRef!, card, d, new Date().toISOString()),
      )
      .catch(() => undefined);
  return d;
}
