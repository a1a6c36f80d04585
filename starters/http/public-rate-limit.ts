/**
 * The public listener's per-source-address request limit (PUBLIC_RATE_LIMIT_PER_SEC, default 1000/s, a second's
 * worth as burst). Pipedrive sends from a small set of addresses and at most a few hundred deliveries a second, so
 * its bursts pass; a flood from one address is answered 429 in the onRequest hook, i.e. before the body is read or
 * parsed and before any authentication. Every refusal is counted on /metrics by route.
 */
import { Counter, type Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { TokenBuckets } from './token-buckets';

export const RATE_LIMITED_COUNTER = 'onboarding_http_rate_limited_total';

export function rateLimitedCounter(registry: Registry): Counter<'route'> {
  return (
    (registry.getSingleMetric(RATE_LIMITED_COUNTER) as Counter<'route'> | undefined) ??
    new Counter({
      name: RATE_LIMITED_COUNTER,
      help: 'Requests to the public listener answered 429 by the per-source-address rate limit (PUBLIC_RATE_LIMIT_PER_SEC)',
      labelNames: ['route'],
      registers: [registry],
    })
  );
}

// Serialised once: a refusal costs no JSON work.
const REFUSAL = JSON.stringify({ error: 'rate_limited', message: 'Too many requests from this address; slow down and retry after the Retry-After seconds' });

/** Adds the limit to every route of `app` (call before registering routes); `ratePerSec` 0 leaves it off. */
export function addPublicRateLimit(app: FastifyInstance, registry: Registry, ratePerSec: number): void {
  if (ratePerSec <= 0) return;
  const buckets = new TokenBuckets({ ratePerSec });
  const refused = rateLimitedCounter(registry);
  app.addHook('onRequest', async (request, reply) => {
    const key = request.ip;
    if (buckets.take(key)) return undefined;
    refused.inc({ route: request.routeOptions.url ?? 'unmatched' });
    // The body is never parsed: Node discards it as it arrives and the connection stays usable.
    return reply.code(429).header('retry-after', String(buckets.retryAfterSeconds(key))).type('application/json').send(REFUSAL);
  });
}
