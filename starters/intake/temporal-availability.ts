/**
 * "Temporal did not durably accept this" vs "Temporal refused it": the first answers 503 so Pipedrive retries the
 * delivery (3/30/150 s); the second is a bug on our side (500). Among refusals, those Temporal would give again for
 * the same request whatever the moment (a workflow id or search attribute over its limits) are deterministic: the
 * intake's drainer sets them aside as dead letters instead of retrying them forever (outbox-drainer.ts).
 */
import { status } from '@grpc/grpc-js';

const UNAVAILABLE_CODES = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
  status.RESOURCE_EXHAUSTED,
]);

export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== null && e !== undefined && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code))
      return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError' || name === 'TransportError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Status codes that say "this request is wrong", never "try again": a retry of the same delivery gets them again. */
const DETERMINISTIC_CODES = new Map<number, string>([
  [status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
  [status.OUT_OF_RANGE, 'OUT_OF_RANGE'],
]);

/**
 * `INVALID_ARGUMENT: <Temporal's first line>` when `err` (or its cause chain) is a deterministic refusal, else
 * undefined. Transient statuses (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, …) and configuration ones
 * (NOT_FOUND namespace, PERMISSION_DENIED) are not: setting every delivery aside for them would hide an outage.
 */
export function deterministicRefusal(err: unknown): string | undefined {
  if (isTemporalUnavailable(err)) return undefined;
  for (let e: unknown = err, depth = 0; e !== null && e !== undefined && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    const name = typeof code === 'number' ? DETERMINISTIC_CODES.get(code) : undefined;
    if (name !== undefined) {
      const details = (e as { details?: unknown }).details;
      const message = typeof details === 'string' && details !== '' ? details : ((e as Error).message ?? '');
      return `${name}: ${message
        .split('\n')[0]!
        .replace(/^\d+ [A-Z_]+: /, '')
        .slice(0, 500)}`;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
