/**
 * Every failed Pipedrive call becomes one VendorError (integrations/vendor-error.ts): 401/403 ⇒ auth, 404 ⇒ not_found,
 * 429/5xx/timeouts/connection errors ⇒ transient (with retryAfterMs from Retry-After or x-ratelimit-reset seconds),
 * 400 ⇒ validation. Messages name the operation and Pipedrive's own error text, never request or response bodies,
 * so no personal data reaches logs or the audit trail.
 */
import { isAxiosError } from 'axios';
import { VendorError, kindForStatus, parseRetryAfter } from '../vendor-error';

function header(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const raw = typeof h.get === 'function' ? h.get(name) : h[name];
  return raw === undefined || raw === null ? undefined : String(raw);
}

/** How long Pipedrive asked us to wait: Retry-After first (seconds or date), else x-ratelimit-reset (seconds). */
export function retryAfterMsFrom(headers: unknown, now = Date.now()): number | undefined {
  return (
    parseRetryAfter(header(headers, 'retry-after'), now) ?? parseRetryAfter(header(headers, 'x-ratelimit-reset'), now)
  );
}

/** Pipedrive's error envelope `{success:false, error, error_info, code?}`: only the short `error` text is kept. */
function vendorMessage(data: unknown): { text?: string; code?: string } {
  if (data === null || typeof data !== 'object') return {};
  const d = data as Record<string, unknown>;
  return {
    text: typeof d.error === 'string' ? d.error.slice(0, 200) : undefined,
    code: typeof d.code === 'string' ? d.code : typeof d.errorCode === 'string' ? d.errorCode : undefined,
  };
}

/** `operation` is a template such as `GET /api/v2/deals/{id}`: ids may follow, payloads never. */
export function toPipedriveError(err: unknown, operation: string): VendorError {
  if (err instanceof VendorError) return err;
  if (isAxiosError(err)) {
    const status = err.response?.status;
    if (status === undefined && /maxContentLength/.test(err.message)) {
      // The same request would bring the same oversized answer (response-limits.ts): not worth retrying.
      return new VendorError(
        'pipedrive',
        'validation',
        `Pipedrive ${operation}: answer larger than the client accepts`,
        { code: 'response_too_large' },
      );
    }
    if (status !== undefined && status >= 300 && status < 400) {
      return new VendorError(
        'pipedrive',
        'validation',
        `Pipedrive ${operation}: HTTP ${status} redirect not followed (the API token would go with it); check PIPEDRIVE_API_URL`,
        { status, code: 'redirect_refused' },
      );
    }
    if (status === undefined) {
      // No answer: timeout, refused, reset, DNS. Worth retrying.
      const why =
        err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT'
          ? 'timed out'
          : `network error (${err.code ?? 'unknown'})`;
      return new VendorError('pipedrive', 'transient', `Pipedrive ${operation}: ${why}`, { code: err.code });
    }
    const { text, code } = vendorMessage(err.response?.data);
    const retryAfterMs = status === 429 || status >= 500 ? retryAfterMsFrom(err.response?.headers) : undefined;
    return new VendorError(
      'pipedrive',
      kindForStatus(status),
      `Pipedrive ${operation}: HTTP ${status}${text ? ` ${text}` : ''}`,
      {
        status,
        ...(code !== undefined ? { code } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new VendorError('pipedrive', 'transient', `Pipedrive ${operation}: ${message}`);
}
