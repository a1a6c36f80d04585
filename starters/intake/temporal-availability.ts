/**
 * "Temporal did not durably accept this" vs "Temporal refused it": the first answers 503 so Pipedrive retries the
 * delivery (3/30/150 s); the second is a bug on our side (500).
 */
import { status } from '@grpc/grpc-js';

const UNAVAILABLE_CODES = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED]);

export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== null && e !== undefined && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code)) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError' || name === 'TransportError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
