/** The transaction's shape as the `state` query returns it (DESIGN.md §4): pure types shared by workflow and callers. */
import type { OnboardingState } from './states';
import type { ReviewReason } from './review-reason';

export type ReviewKind = 'validation' | 'possible_duplicate' | 'auth' | 'transient' | 'sla' | 'ownership';

export interface OnboardingInput {
  externalId: string;
  pipedriveDealId: string;
  /** Pipedrive webhook event id (`meta.id`) that started the run. */
  eventId?: string;
  receivedAt: string;
  /** Operator settings fixed at start, so every run of a deal behaves as configured when it began. */
  settings?: OnboardingSettings;
  /** Set only when a run continues as new: what the previous run had done. */
  carried?: CarriedState;
}

export interface OnboardingSettings {
  /** An unanswered review is escalated after this long, and again every period (default 24 h). */
  reviewEscalationAfterMs?: number;
}

export interface CarriedState extends TransactionState {
  done: string[];
  fixes: Record<string, string>;
  idempotencyKey: string;
}

export interface AuditEntry {
  at: string;
  step: string;
  outcome: 'ok' | 'failed' | 'info' | 'decision';
  state: OnboardingState;
  latencyMs?: number;
  errorCode?: string;
  attempt?: number;
  actor?: string;
  /** Why a person decided (review, pause, resume), as they wrote it. */
  reason?: string;
  detail?: string;
}

export type ReviewAction = 'retry' | 'fix' | 'link' | 'cancel';

export interface ReviewDecision {
  action: ReviewAction;
  /** Who decided: the Slack user id Slack signed, or `cli:<os user>` (domain/review-actor.ts). */
  actor: string;
  /** The CLI's `--as` name: a claim, kept beside the actor, never used as one. */
  claimedAs?: string;
  /** The review a Slack card's button was for; a decision naming an earlier review is ignored (CLI: none, the current one). */
  reviewId?: string;
  reason?: string;
  /** For `fix`: corrected values by canonical field path, e.g. `{ "organization.taxId": "DE123456789" }`. */
  fields?: Record<string, string>;
  /** For `link`: the existing NetSuite customer to onboard against. */
  netsuiteCustomerId?: string;
}

/** Who answers for a review item: a Slack user or user group (DESIGN.md: every exception waits for a named human). */
export interface ReviewOwner {
  kind: 'user' | 'group';
  /** Slack user id (U…/W…) or user group id (S…). */
  id: string;
  /** The deal owner's own Slack user when they are a reviewer, else the first configured reviewer, else a reviewer group. */
  via: 'deal-owner' | 'first-reviewer' | 'reviewer-group';
}

export interface PauseRequest {
  actor: string;
  /** The CLI's `--as` name, a claim only (domain/review-actor.ts). */
  claimedAs?: string;
  reason?: string;
}

export interface TransactionState {
  externalId: string;
  pipedriveDealId: string;
  state: OnboardingState;
  paused: boolean;
  reviewReasons: ReviewReason[];
  reviewKind?: ReviewKind;
  /** Named on the review card; set while in NEEDS_REVIEW once the card is posted. */
  reviewOwner?: ReviewOwner;
  /** The current (or last) review's id: Slack buttons carry it, so a card of an earlier review cannot decide this one. */
  reviewId?: string;
  duplicateCandidates?: Array<{ id: string; externalId?: string; matchedOn: string[] }>;
  netsuiteCustomerId?: string;
  customerSyncedAt?: string;
  invoiceDate?: string;
  invoiceId?: string;
  invoiceCreatedAt?: string;
  receivedAt: string;
  auditTrail: AuditEntry[];
}
