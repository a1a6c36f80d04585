/**
 * Every vendor client (NetSuite, Pipedrive, Slack) turns a failed call into one VendorError with a failure kind,
 * so the retry decision is made once (activities/to-activity-failure.ts) and the same rule holds for every vendor
 * (docs/architecture.md#failures): transient ⇒ bounded backoff honouring Retry-After; validation ⇒ review at once; auth ⇒ review
 * plus a systemic alert. Clients stay free of Temporal, so the CLI and reconciliation use them too.
 */
export type Vendor = 'netsuite' | 'pipedrive' | 'slack';

export type FailureKind =
  /** 5xx, 429, timeouts, connection resets: worth retrying. */
  | 'transient'
  /** The request itself is wrong (NetSuite USER_ERROR / INVALID_*, Pipedrive 400): a human must fix the data. */
  | 'validation'
  /** 401/403: credentials or permissions; every onboarding will fail the same way. */
  | 'auth'
  | 'not_found'
  /** Idempotency conflict or duplicate: the earlier request's outcome is authoritative. */
  | 'conflict';

export interface VendorErrorDetail {
  code?: string;
  /** Field path as the vendor reports it, e.g. NetSuite `o:errorPath`. */
  path?: string;
  message: string;
}

export class VendorError extends Error {
  override readonly name = 'VendorError';
  constructor(
    readonly vendor: Vendor,
    readonly kind: FailureKind,
    message: string,
    readonly extra: {
      status?: number;
      /** The vendor's primary error code (NetSuite `o:errorCode`, Slack `error`). */
      code?: string;
      details?: VendorErrorDetail[];
      /** From Retry-After / x-ratelimit-reset, when the vendor said how long to wait. */
      retryAfterMs?: number;
      /** e.g. the Location of the earlier async job on NetSuite IDEMPOTENCY_ERROR. */
      location?: string;
    } = {},
  ) {
    super(message);
  }
}

/** Default kind for an HTTP status when the body does not say better. */
export function kindForStatus(status: number | undefined): FailureKind {
  if (status === undefined) return 'transient';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  if (status === 409) return 'conflict';
  return 'validation';
}

/**
 * The longest wait a vendor's Retry-After may ask for. It becomes an activity's next retry delay and pauses every
 * Pipedrive request at once (rate-gate.ts), so an answer saying "a day" (or a year, or a date far off) must not
 * stop onboarding for that long: past this the wait is cut, and the retry policy's attempts run out as usual.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** A vendor-given wait in ms, clamped to [0, MAX_RETRY_AFTER_MS]. */
export const clampRetryAfterMs = (ms: number): number => Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));

/** Retry-After as seconds or an HTTP date, clamped (MAX_RETRY_AFTER_MS); `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return clampRetryAfterMs(Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : clampRetryAfterMs(at - now);
}
