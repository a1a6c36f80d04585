/** The HTTP app: health, metrics, the ops card, and (as features land) the Pipedrive webhook and Slack endpoints. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './app-context';
import { registerHealthRoutes } from './routes/health';
import { registerMetricsRoute } from './routes/metrics';
import { registerOpsRoute } from './routes/ops';
import { registerPipedriveWebhookRoute } from './routes/pipedrive-webhook';
import { registerSlackEventsRoute } from '../slack/slack-events-route';

export function buildApp(ctx: AppContext): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.app.webhookBodyLimitBytes,
    // Answer fast and never hang a webhook sender on a slow client.
    requestTimeout: 10_000,
  });
  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerOpsRoute(app, ctx);
  registerPipedriveWebhookRoute(app, ctx);
  registerSlackEventsRoute(app, ctx);
  return app;
}
