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
  /** Who decided: Slack user id, OS user or `--as` name. */
  actor: string;
  reason?: string;
  /** For `fix`: corrected values by canonical field path, e.g. `{ "organization.taxId": "DE123456789" }`. */
  fields?: Record<string, string>;
  /** For `link`: the existing NetSuite customer to onboard against. */
  netsuiteCustomerId?: string;
}

export interface PauseRequest {
  actor: string;
  reason?: string;
}

export interface TransactionState {
  externalId: string;
  pipedriveDealId: string;
  state: OnboardingState;
  paused: boolean;
  reviewReasons: ReviewReason[];
  reviewKind?: ReviewKind;
  duplicateCandidates?: Array<{ id: string; externalId?: string; matchedOn: string[] }>;
  netsuiteCustomerId?: string;
  customerSyncedAt?: string;
  invoiceDate?: string;
  invoiceId?: string;
  invoiceCreatedAt?: string;
  receivedAt: string;
  auditTrail: AuditEntry[];
}
