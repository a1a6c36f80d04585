/**
 * The public listener's app: only what Pipedrive, Slack and a load balancer must reach (POST /webhooks/pipedrive,
 * POST /slack/events, GET /healthz, GET /readyz); anything else is 404 here. The ops card and /metrics are on the
 * internal listener (ops/http/ops-app.ts). Abuse limits: a per-source-address rate limit answered before any body is
 * read (public-rate-limit.ts), and a body limit per route (the webhook's WEBHOOK_BODY_LIMIT_BYTES, Slack's own).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './app-context';
import { PublicRateLimit } from './public-rate-limit';
import { registerHealthRoutes } from './routes/health';
import { registerPipedriveWebhookRoute } from './routes/pipedrive-webhook';
import { registerSlackEventsRoute } from '../slack/slack-events-route';

export function buildApp(ctx: AppContext): FastifyInstance {
  const limit =
    ctx.config.app.rateLimitPerSec > 0
      ? new PublicRateLimit(ctx.config.app.rateLimitPerSec, ctx.registry, ctx.log)
      : undefined;
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    ...(limit ? { logController: limit.logController } : {}),
    // The default for any route without its own; the webhook and Slack routes set theirs.
    bodyLimit: ctx.config.app.webhookBodyLimitBytes,
    // Answer fast and never hang a webhook sender on a slow client.
    requestTimeout: 10_000,
    trustProxy: ctx.config.app.trustProxy,
  });
  // First: it must run before every other hook, on every route and the 404.
  limit?.install(app);
  registerHealthRoutes(app, ctx);
  registerPipedriveWebhookRoute(app, ctx);
  registerSlackEventsRoute(app, ctx);
  return app;
}
