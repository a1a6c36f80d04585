/**
 * Slack Web API failures as VendorError (integrations/vendor-error.ts), so the activity layer retries them by the same
 * rule as every other vendor: auth errors are systemic, rate limits and network trouble are transient (with Slack's
 * Retry-After), a wrong channel or malformed blocks is a validation problem a human must fix.
 */
import { ErrorCode, type WebAPIPlatformError, type WebAPIRateLimitedError, type WebAPIHTTPError } from '@slack/web-api';
import { VendorError, clampRetryAfterMs, kindForStatus, type FailureKind } from '../vendor-error';

const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'team_access_not_granted',
]);
const TRANSIENT_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);
const NOT_FOUND_ERRORS = new Set(['message_not_found', 'thread_not_found', 'not_found']);

/** The failure kind for a Slack `error` code (HTTP 200 `{ok:false,error}`). */
export function kindForSlackError(code: string): FailureKind {
  if (AUTH_ERRORS.has(code)) return 'auth';
  if (TRANSIENT_ERRORS.has(code)) return 'transient';
  if (NOT_FOUND_ERRORS.has(code)) return 'not_found';
  // channel_not_found, not_in_channel, is_archived, invalid_blocks, invalid_arguments, no_text, msg_too_long…
  return 'validation';
}

interface CodedError {
  code?: unknown;
}

/** Turns whatever WebClient threw into a VendorError; a VendorError passes through unchanged. */
export function toSlackVendorError(err: unknown, method: string): VendorError {
  if (err instanceof VendorError) return err;
  const code = (err as CodedError | null)?.code;
  switch (code) {
    case ErrorCode.PlatformError: {
      const slackCode = String((err as WebAPIPlatformError).data.error ?? 'unknown_error');
      return new VendorError('slack', kindForSlackError(slackCode), `${method}: ${slackCode}`, {
        code: slackCode,
        status: 200,
      });
    }
    case ErrorCode.RateLimitedError: {
      const seconds = (err as WebAPIRateLimitedError).retryAfter;
      return new VendorError('slack', 'transient', `${method}: ratelimited`, {
        code: 'ratelimited',
        status: 429,
        ...(Number.isFinite(seconds) ? { retryAfterMs: clampRetryAfterMs(seconds * 1000) } : {}),
      });
    }
    case ErrorCode.HTTPError: {
      const status = (err as WebAPIHTTPError).statusCode;
      return new VendorError('slack', kindForStatus(status), `${method}: HTTP ${status}`, { status });
    }
    case ErrorCode.RequestError:
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return new VendorError('slack', 'transient', `${method}: ${message}`, { code: 'request_error' });
    }
  }
}
