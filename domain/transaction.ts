/** The transaction's shape as the `state` query returns it (docs/architecture.md#contracts): pure types shared by workflow and callers. */
import type { OnboardingState } from './states';
import type { ReviewReason } from './review-reason';
import type { MappingSnapshot } from './mapping/schema';

export type ReviewKind = 'validation' | 'possible_duplicate' | 'auth' | 'transient' | 'sla' | 'ownership';

export interface OnboardingInput {
  externalId: string;
  pipedriveDealId: string;
  /** Pipedrive webhook event id (`meta.id`) that started the run. */
  eventId?: string;
  /** The delivery's `meta.company_id`, re-checked against the API token's company (domain/deal-claim.ts). */
  companyId?: string;
  receivedAt: string;
  /** Operator settings fixed at start, so every run of a deal behaves as configured when it began. */
  settings?: OnboardingSettings;
  /** Set only when a run continues as new: what the previous run had done. */
  carried?: CarriedState;
}

export interface OnboardingSettings {
  /** An unanswered review is escalated after this long, and again every period (default 24 h). */
  reviewEscalationAfterMs?: number;
  /** A vendor outage waited out longer than this sends the onboarding to review, reason `vendor_outage` (default 4 h). */
  vendorOutageReviewAfterMs?: number;
}

export interface CarriedState extends TransactionState {
  done: string[];
  fixes: Record<string, string>;
  idempotencyKey: string;
  /** Set when the run handed over while paused: the state it was in before the pause. */
  pausedFrom?: OnboardingState;
  /** Set when the run handed over while waiting out a vendor outage (workflows/vendor-wait.ts). */
  vendorWait?: CarriedVendorWait;
}

/** A vendor-outage wait handed over by continue-as-new: the review allowance keeps counting from `since`. */
export interface CarriedVendorWait {
  vendor: string;
  /** When the run first met the vendor down (ISO). */
  since: string;
  /** How far the run had got when it parked (steps done): a later VENDOR_DOWN past it starts a new wait. */
  progress: number;
  /** Timer wake-ups so far, for the backoff. */
  waits: number;
  breakerSince?: string;
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

/**
 * Bounds on what a delivery or a person can put into a run's state. The state is served by the `state` query and
 * carried through continue-as-new, both under Temporal's payload limits (2 MB): a run whose state outgrew them could
 * neither answer nor hand over. Entries are bounded here, and the trail keeps its newest AUDIT_TRAIL_MAX_ENTRIES
 * with the older ones summarised (AuditSummary).
 */
export const CHANGED_FIELDS_MAX = 64;
export const CHANGED_FIELD_MAX_LENGTH = 100;
export const AUDIT_TEXT_MAX_LENGTH = 500;
export const AUDIT_NAME_MAX_LENGTH = 128;
export const AUDIT_TRAIL_MAX_ENTRIES = 200;

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The changed field names a delivery lists, bounded in count and length; the count left out is named last. */
export function boundChangedFields(fields: unknown): string[] {
  const names = Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
  const kept = names.slice(0, CHANGED_FIELDS_MAX).map((f) => clip(f, CHANGED_FIELD_MAX_LENGTH));
  return names.length > CHANGED_FIELDS_MAX ? [...kept, `…+${names.length - CHANGED_FIELDS_MAX} more`] : kept;
}

/** One audit entry with every text bounded (details and reasons to AUDIT_TEXT_MAX_LENGTH, names to AUDIT_NAME_MAX_LENGTH). */
export function boundAuditEntry(entry: AuditEntry): AuditEntry {
  const out: AuditEntry = { ...entry, step: clip(String(entry.step), AUDIT_NAME_MAX_LENGTH) };
  if (typeof entry.errorCode === 'string') out.errorCode = clip(entry.errorCode, AUDIT_NAME_MAX_LENGTH);
  if (typeof entry.actor === 'string') out.actor = clip(entry.actor, AUDIT_NAME_MAX_LENGTH);
  if (typeof entry.detail === 'string') out.detail = clip(entry.detail, AUDIT_TEXT_MAX_LENGTH);
  if (typeof entry.reason === 'string') out.reason = clip(entry.reason, AUDIT_TEXT_MAX_LENGTH);
  return out;
}

/** The audit entries folded out of the trail: how many of each step, and the time span they cover. */
export interface AuditSummary {
  entries: number;
  byStep: Record<string, number>;
  firstAt: string;
  lastAt: string;
}

/**
 * Keeps the newest `max` entries and folds the older ones into the summary. Step names come from the code (a few
 * dozen), so the summary stays small whatever the run lived through.
 */
export function foldAuditTrail(
  trail: AuditEntry[],
  summary: AuditSummary | undefined,
  max = AUDIT_TRAIL_MAX_ENTRIES,
): { trail: AuditEntry[]; summary: AuditSummary | undefined } {
  if (trail.length <= max) return { trail, summary };
  const older = trail.slice(0, trail.length - max);
  const next: AuditSummary = summary
    ? { ...summary, byStep: { ...summary.byStep } }
    : { entries: 0, byStep: {}, firstAt: older[0]!.at, lastAt: older[0]!.at };
  for (const e of older) {
    next.entries += 1;
    next.byStep[e.step] = (next.byStep[e.step] ?? 0) + 1;
    if (e.at < next.firstAt) next.firstAt = e.at;
    if (e.at > next.lastAt) next.lastAt = e.at;
  }
  return { trail: trail.slice(trail.length - max), summary: next };
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
  /**
   * For `retry` and `fix`: read the deal again with the worker's current mapping template instead of the one this run
   * pinned (how an operator applies a corrected template to a parked deal; docs/bring-your-own-accounts.md).
   */
  remap?: boolean;
}

/** Who answers for a review item: a Slack user or user group (docs/architecture.md#review: every exception waits for a named human). */
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
  /** Content hash of the mapping template this run reads the deal with (pinned at its first fetch). */
  mappingHash?: string;
  /** That template, passed back to every later fetch of the run and carried over continue-as-new with the state. */
  pinnedMapping?: MappingSnapshot;
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
  /** Entries folded out of `auditTrail` once it passed AUDIT_TRAIL_MAX_ENTRIES (older first). */
  auditSummary?: AuditSummary;
  /** Set when the run ended without onboarding because the deal is not what the delivery claimed (why, in words). */
  ignoredReason?: string;
}
