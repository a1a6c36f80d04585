/**
 * The public listener's per-source-address request limit (PUBLIC_RATE_LIMIT_PER_SEC, default 1000/s, a second's
 * worth as burst). Pipedrive sends from a small set of addresses and at most a few hundred deliveries a second, so
 * its bursts pass; a flood from one address is answered 429 in the onRequest hook, i.e. before the body is read or
 * parsed and before any authentication. Refusals are counted on /metrics by route; while an address is over its
 * limit its requests are not logged one by one (that would turn a flood into a flood of log lines), a warning per
 * address and minute says so instead.
 */
import { Counter, type Registry } from 'prom-client';
import { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from '../../runtime/logger';
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
const REFUSAL = JSON.stringify({
  error: 'rate_limited',
  message: 'Too many requests from this address; slow down and retry after the Retry-After seconds',
});
const WARN_EVERY_MS = 60_000;

export class PublicRateLimit {
  private readonly buckets: TokenBuckets;
  private readonly refused: Counter<'route'>;
  private readonly warned = new Map<string, { at: number; refused: number }>();
  /** For Fastify's `logController`: no per-request lines for an address while it is over its limit. */
  readonly logController: LogController;

  constructor(
    ratePerSec: number,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.buckets = new TokenBuckets({ ratePerSec });
    this.refused = rateLimitedCounter(registry);
    this.logController = new LogController({
      disableRequestLogging: (request: FastifyRequest) => this.buckets.isEmpty(request.ip),
    });
  }

  /** Adds the limit to every route of `app` and its 404; call before registering routes. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      const key = request.ip;
      if (this.buckets.take(key)) return undefined;
      this.refused.inc({ route: request.routeOptions.url ?? 'unmatched' });
      this.warn(key);
      // The body is never parsed: Node discards it as it arrives and the connection stays usable.
      return reply
        .code(429)
        .header('retry-after', String(this.buckets.retryAfterSeconds(key)))
        .type('application/json')
        .send(REFUSAL);
    });
  }

  private warn(address: string): void {
    const now = Date.now();
    const w = this.warned.get(address);
    if (w && now - w.at < WARN_EVERY_MS) {
      w.refused += 1;
      return;
    }
    // Bounded like the buckets: a flood from many addresses must not grow this map without end.
    if (this.warned.size >= 10_000) this.warned.clear();
    this.warned.set(address, { at: now, refused: 1 });
    this.log.warn(
      { address, refusedInLastMinute: w ? w.refused : 0 },
      'public listener: an address is over PUBLIC_RATE_LIMIT_PER_SEC; its requests are answered 429 and counted on /metrics, not logged one by one',
    );
  }
}
