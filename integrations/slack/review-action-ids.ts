/**
 * The contract between the review card (posted by the worker) and the interactivity endpoint (the app): action ids,
 * the modal's callback id, and what a button's `value` carries. One module so the two sides cannot drift apart.
 */
import type { ReviewAction } from '../../domain/transaction';

export const REVIEW_ACTION_IDS = {
  retry: 'review_retry',
  fix: 'review_fix',
  link: 'review_link',
  cancel: 'review_cancel',
} as const satisfies Record<ReviewAction, string>;

export type ReviewActionId = (typeof REVIEW_ACTION_IDS)[ReviewAction];

/** `callback_id` of the "Fix fields…" modal; its `private_metadata` is the external id. */
export const FIX_MODAL_CALLBACK_ID = 'review_fix_submit';
/** Every input in the fix modal uses this action id; its block id is the canonical field path. */
export const FIX_INPUT_ACTION_ID = 'value';

export interface ReviewButtonValue {
  externalId: string;
  /** For "Link to existing customer": the NetSuite customer id. */
  candidateId?: string;
  /** The review the card was posted for (the workflow's `reviewId`): a click is refused once a later review began. */
  reviewId?: string;
}

const REVIEW_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeButtonValue(v: ReviewButtonValue): string {
  return JSON.stringify({
    externalId: v.externalId,
    ...(v.candidateId ? { candidateId: v.candidateId } : {}),
    ...(v.reviewId ? { reviewId: v.reviewId } : {}),
  });
}

/** `undefined` when the value is not one of ours (hand-crafted or from an older card). */
export function decodeButtonValue(raw: string | undefined): ReviewButtonValue | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    if (typeof parsed.externalId !== 'string' || !/^[A-Za-z0-9_-]+$/.test(parsed.externalId)) return undefined;
    if (parsed.reviewId !== undefined && (typeof parsed.reviewId !== 'string' || !REVIEW_ID.test(parsed.reviewId)))
      return undefined;
    return {
      externalId: parsed.externalId,
      ...(typeof parsed.candidateId === 'string' && parsed.candidateId ? { candidateId: parsed.candidateId } : {}),
      ...(typeof parsed.reviewId === 'string' ? { reviewId: parsed.reviewId } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * "Retry all N" on a review digest (ops/activities/review-digest.ts): one click sends `retry` to every onboarding in
 * review for the reason the button names, each decision audited as a single click's (starters/slack/review-handlers.ts).
 */
export const RETRY_ALL_ACTION_ID = 'review_retry_all';

const REASON_CODE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function encodeRetryAllValue(reviewReason: string): string {
  return JSON.stringify({ reviewReason });
}

/** The review reason code a "Retry all" button names; `undefined` when the value is not one of ours. */
export function decodeRetryAllValue(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { reviewReason?: unknown };
    return typeof parsed.reviewReason === 'string' && REASON_CODE.test(parsed.reviewReason)
      ? parsed.reviewReason
      : undefined;
  } catch {
    return undefined;
  }
}
