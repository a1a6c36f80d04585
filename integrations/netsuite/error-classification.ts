/**
 * NetSuite failures → VendorError, in one place, so every method of the client classifies alike (docs/architecture.md#failures):
 * - 401 INVALID_LOGIN, 403 INSUFFICIENT_PERMISSION ⇒ auth (systemic: every onboarding fails the same way)
 * - 429 CONCURRENCY_LIMIT_EXCEEDED, 5xx, timeouts, resets, refused connections ⇒ transient (Retry-After kept)
 * - 400 USER_ERROR / INVALID_* and a 404 NONEXISTENT_ID that names a field (o:errorPath: a reference inside the body)
 *   ⇒ validation, with one detail per NetSuite error detail
 * - 404 NONEXISTENT_ID on the addressed record itself ⇒ not_found
 * - IDEMPOTENCY_ERROR ⇒ conflict, with the earlier job's Location
 * Messages name the method, the path (ids only), the status and the codes; never the request body, which holds personal
 * data. NetSuite's own detail text goes into `details` for the reviewer.
 */
import { AxiosError } from 'axios';
import { kindForStatus, parseRetryAfter, VendorError, type FailureKind, type VendorErrorDetail } from '../vendor-error';

interface NetSuiteErrorDetail {
  detail?: unknown;
  'o:errorCode'?: unknown;
  'o:errorPath'?: unknown;
  'o:errorQueryParam'?: unknown;
  'o:errorHeader'?: unknown;
}

export interface FailedResponse {
  status: number;
  body: unknown;
  /** Lower-case header names, as Node gives them. */
  headers: Record<string, string | undefined>;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `o:errorDetails` of NetSuite's RFC 9457-style error envelope; empty when the body is not one (e.g. a proxy's HTML). */
export function errorDetails(body: unknown): VendorErrorDetail[] {
  if (typeof body !== 'object' || body === null) return [];
  const raw = (body as { 'o:errorDetails'?: unknown })['o:errorDetails'];
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((d): d is NetSuiteErrorDetail => typeof d === 'object' && d !== null)
    .map((d) => {
      const detail: VendorErrorDetail = { message: asString(d.detail) ?? 'NetSuite gave no detail' };
      const code = asString(d['o:errorCode']);
      // The field the error is about: a body path, else the query parameter or header NetSuite objected to.
      const path = asString(d['o:errorPath']) ?? asString(d['o:errorQueryParam']) ?? asString(d['o:errorHeader']);
      if (code !== undefined) detail.code = code;
      if (path !== undefined) detail.path = path;
      return detail;
    });
}

function kindFor(status: number, code: string | undefined, details: VendorErrorDetail[]): FailureKind {
  if (code === 'IDEMPOTENCY_ERROR') return 'conflict';
  if (status === 401 || status === 403 || code === 'INVALID_LOGIN' || code === 'INSUFFICIENT_PERMISSION') return 'auth';
  if (status === 429 || code === 'CONCURRENCY_LIMIT_EXCEEDED') return 'transient';
  if (status === 404) {
    // NetSuite answers 404 NONEXISTENT_ID both for the addressed record and for a reference inside the body; only the
    // latter carries o:errorPath (e.g. "item.items[0].item"), and that one is bad data, not a missing record.
    return details.some((d) => d.path !== undefined) ? 'validation' : 'not_found';
  }
  return kindForStatus(status);
}

/** A non-2xx NetSuite answer (or an async task's failed result) → VendorError. `what` is e.g. "PUT record/v1/customer/eid:X". */
export function errorFromResponse(what: string, response: FailedResponse): VendorError {
  const details = errorDetails(response.body);
  const code = details[0]?.code;
  const kind = kindFor(response.status, code, details);
  const where = details
    .map((d) => [d.code, d.path === undefined ? undefined : `at ${d.path}`].filter(Boolean).join(' '))
    .filter((s) => s !== '')
    .join('; ');
  const extra: VendorError['extra'] = { status: response.status, details };
  if (code !== undefined) extra.code = code;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  if (retryAfterMs !== undefined) extra.retryAfterMs = retryAfterMs;
  const location = response.headers.location;
  if (location !== undefined) extra.location = location;
  return new VendorError(
    'netsuite',
    kind,
    `NetSuite ${what} failed: HTTP ${response.status}${where ? ` (${where})` : ''}`,
    extra,
  );
}

/** No answer at all: timeout, reset, refused, DNS. All worth a retry; the code (never the request) goes in the message. */
export function errorFromTransport(what: string, err: unknown, timeoutMs: number): VendorError {
  const code =
    err instanceof AxiosError || (typeof err === 'object' && err !== null && 'code' in err)
      ? asString((err as { code?: unknown }).code)
      : undefined;
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
  const reason = timedOut
    ? `no answer within ${timeoutMs} ms`
    : (code ?? (err instanceof Error ? err.message : 'unknown transport error'));
  const extra: VendorError['extra'] = {};
  if (code !== undefined) extra.code = code;
  return new VendorError('netsuite', 'transient', `NetSuite ${what} failed: ${reason}`, extra);
}

/** A 2xx whose shape we cannot use (no Location, unexpected JSON). Retrying may help; bounded retries then end in review. */
export function unexpectedResponse(what: string, problem: string, status: number): VendorError {
  return new VendorError('netsuite', 'transient', `NetSuite ${what} answered HTTP ${status} but ${problem}`, {
    status,
  });
}
