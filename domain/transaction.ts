/** The transaction's shape as the `state` query returns it (DESIGN.md §4): pure types shared by workflow and callers. */
import type { OnboardingState } from './states';

export interface OnboardingInput {
  externalId: string;
  pipedriveDealId: string;
  /** Pipedrive webhook event id (`meta.id`) that started the run. */
  eventId?: string;
  receivedAt: string;
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
  detail?: string;
}

export type ReviewAction = 'retry' | 'fix' | 'link' | 'cancel';

export interface ReviewDecision {
  action: ReviewAction;
  /** Who decided: Slack user id, OS user or `--as` name. */
  actor: string;
  reason?: string;
  fields?: Record<string, string>;
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
  reviewReasons: string[];
  netsuiteCustomerId?: string;
  auditTrail: AuditEntry[];
}
