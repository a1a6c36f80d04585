/** The review digests ops-watch keeps (ops/activities/review-digest.ts): per review reason, the message and its count. Types only. */
export interface ReviewDigestRef {
  channel: string;
  ts: string;
  count: number;
  /** When the message was last posted or edited. */
  at: string;
}

export type ReviewDigests = Record<string, ReviewDigestRef>;
