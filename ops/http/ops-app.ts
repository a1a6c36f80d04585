/**
 * The internal listener's app (OPS_HOST:OPS_PORT, loopback by default): the ops card (/ops, /ops.json), Prometheus
 * text (/metrics) and the two probes. None of it is on the public listener: the card names companies, deals, owners
 * and review reasons. Authentication is optional on loopback and required elsewhere (runtime/config.ts refuses to
 * start without it).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../../starters/http/app-context';
import { registerHealthRoutes } from '../../starters/http/routes/health';
import { registerCodecRoutesFromEnv } from './codec-routes';
import { registerMetricsRoute } from './metrics';
import { addOpsAuth } from './ops-auth';
import { registerOpsRoute } from './ops';

export function buildOpsApp(ctx: AppContext): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    // GET routes only: nothing to upload.
    bodyLimit: 1024,
    requestTimeout: 10_000,
  });
  addOpsAuth(app, ctx.config.opsHttp.auth);
  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerOpsRoute(app, ctx);
  registerCodecRoutesFromEnv(app);
  return app;
}
