/**
 * What the workflow needs from the review channel (Slack in production and in the sandbox). The card is the
 * reviewer's whole context: deal, organization, field-level reasons with suggested fixes, links, payload, buttons.
 */
import type { ReviewReason } from './review-reason';
import type { ReviewDecision, ReviewKind, ReviewOwner } from './transaction';

export interface ReviewCardInput {
  externalId: string;
  pipedriveDealId: string;
  dealTitle?: string;
  organization?: string;
  kind: ReviewKind;
  reasons: ReviewReason[];
  duplicateCandidates?: Array<{ id: string; externalId?: string; matchedOn: string[] }>;
  netsuiteCustomerId?: string;
  /** The canonical deal as last read, shown collapsed on the card (no secrets; it is the customer's own data). */
  payload?: unknown;
  /** The review this card is for: its buttons carry it, and a click from an earlier review's card is refused. */
  reviewId?: string;
}

export interface ReviewCardRef {
  channel: string;
  ts: string;
  /** Who the card names as responsible (the workflow keeps it in its state while the review waits). */
  owner?: ReviewOwner;
}

export interface ReviewNotifierPort {
  postReviewCard(card: ReviewCardInput): Promise<ReviewCardRef>;
  /** Replaces the buttons with who decided what, and when. */
  recordDecision(ref: ReviewCardRef, card: ReviewCardInput, decision: ReviewDecision, at: string): Promise<void>;
  /** A reminder in the card's thread plus a message to the escalation channel / billing lead. */
  escalate(ref: ReviewCardRef, card: ReviewCardInput, escalation: number, waitingSince: string): Promise<void>;
  /**
   * Replaces an open card with this one, buttons and all (the same review updated by a later edit of the deal),
   * instead of posting another; returns the same ref.
   */
  updateReviewCard?(ref: ReviewCardRef, card: ReviewCardInput): Promise<ReviewCardRef>;
}
