/** The review card's side effects as Temporal activities: thin wrappers over a ReviewNotifierPort, failures classified. */
import type { ReviewDecision } from '../domain/transaction';
import type { ReviewCardInput, ReviewCardRef, ReviewNotifierPort } from '../domain/review-card';
import { classified } from './to-activity-failure';

export function createSlackReviewActivities(notifier: ReviewNotifierPort) {
  return {
    postReviewCard: classified(async (card: ReviewCardInput): Promise<ReviewCardRef> => notifier.postReviewCard(card)),
    recordReviewDecision: classified(
      async (ref: ReviewCardRef, card: ReviewCardInput, decision: ReviewDecision, at: string): Promise<void> =>
        notifier.recordDecision(ref, card, decision, at),
    ),
    escalateReview: classified(
      async (ref: ReviewCardRef, card: ReviewCardInput, escalation: number, waitingSince: string): Promise<void> =>
        notifier.escalate(ref, card, escalation, waitingSince),
    ),
    updateReviewCard: classified(async (ref: ReviewCardRef, card: ReviewCardInput): Promise<ReviewCardRef> => {
      if (!notifier.updateReviewCard) throw new Error('this review channel cannot update a card');
      return notifier.updateReviewCard(ref, card);
    }),
  };
}
export type SlackReviewActivities = ReturnType<typeof createSlackReviewActivities>;

/** The activity names the workflow calls (registered by createSlackReviewActivities). */
export interface ReviewActivities {
  postReviewCard(card: ReviewCardInput): Promise<ReviewCardRef>;
  recordReviewDecision(ref: ReviewCardRef, card: ReviewCardInput, decision: ReviewDecision, at: string): Promise<void>;
  escalateReview(ref: ReviewCardRef, card: ReviewCardInput, escalation: number, waitingSince: string): Promise<void>;
}

/**
 * Updating an open card in place (several quick edits of one deal, workflows/deal-edit.ts). Apart from ReviewActivities
 * so channels without it still serve onboardings; a workflow whose worker lacks it posts a new card instead.
 */
export interface ReviewCardUpdateActivities {
  updateReviewCard(ref: ReviewCardRef, card: ReviewCardInput): Promise<ReviewCardRef>;
}
