/**
 * Slack simulator: the Web API under /api/<method>, interactivity delivered to the app like Slack does, and
 * /__sim/* admin routes for tests. Only the stack launcher and tests import this; product code never does.
 */
import Fastify from 'fastify';
import { registerAdminRoutes } from './admin-routes';
import { registerFormBodyParser } from './form-body-parser';
import { RateLimiter } from './rate-limiter';
import { registerResponseUrlRoute } from './response-url-route';
import { SocketModeHub } from './socket-mode';
import { REVIEWER_IDS, REVIEW_CHANNEL_ID } from './seed';
import type { SimContext } from './sim-context';
import { StateStore } from './state-store';
import type { RunningSlackSimulator, SlackSimulatorOptions } from './types';
import { registerWebApiRoutes } from './web-api-routes';

export type { RunningSlackSimulator, SlackSimulatorOptions, SlackStackEntry } from './types';
export { signSlackRequest } from './slack-signature';

/** Slack's trigger_id lives 3 s; 30 s keeps slow CI machines and breakpoints from failing views.open. */
const DEFAULT_TRIGGER_TTL_MS = 30_000;

export async function startSlackSimulator(opts: SlackSimulatorOptions = {}): Promise<RunningSlackSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const store = StateStore.open(opts.dataFile, {
    ...(opts.botToken ? { botToken: opts.botToken } : {}),
    ...(opts.signingSecret ? { signingSecret: opts.signingSecret } : {}),
    ...(opts.appToken ? { appToken: opts.appToken } : {}),
  });
  if (opts.interactivityUrl) store.data.interactivityUrl = opts.interactivityUrl;
  if (opts.socketMode !== undefined) store.data.socketMode = opts.socketMode;
  store.commit();

  let baseUrl = '';
  const log = (line: string) => opts.logger?.(`[slack-sim] ${line}`);
  const limiter = new RateLimiter(opts.rateLimit);
  const socket = new SocketModeHub(() => baseUrl.replace(/^http/, 'ws'), log);
  const ctx: SimContext = { store, limiter, baseUrl: () => baseUrl, nowMs: () => Date.now(), log, socket };
  const interactivity = {
    get: () => store.data.interactivityUrl,
    set: (url: string | undefined) => {
      if (url) store.data.interactivityUrl = url;
      else delete store.data.interactivityUrl;
      store.commit();
      log(`interactivity url ${url ? 'set' : 'cleared'}`);
    },
  };

  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
  registerFormBodyParser(app);
  registerWebApiRoutes(app, {
    ctx: { store, nowMs: ctx.nowMs, triggerTtlMs: opts.triggerTtlMs ?? DEFAULT_TRIGGER_TTL_MS, socket },
    limiter,
    log,
  });
  socket.attach(app.server);
  registerResponseUrlRoute(app, ctx);
  registerAdminRoutes(app, ctx, interactivity);
  app.setErrorHandler((err: { statusCode?: number; message?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    log(`${req.method} ${req.url.split('?')[0]} failed: ${status}`);
    // Slack reports unreadable bodies inside its envelope; admin routes use plain status codes.
    if (req.url.startsWith('/api/') && status < 500) {
      const json = String(req.headers['content-type'] ?? '').startsWith('application/json');
      return reply.code(200).send({ ok: false, error: json ? 'invalid_json' : 'invalid_form_data' });
    }
    return reply.code(status).send({ ok: false, error: status < 500 ? 'invalid_request' : 'internal_error' });
  });

  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  baseUrl = `http://${host}:${port}`;
  log(`listening on ${baseUrl}`);

  return {
    url: baseUrl,
    port,
    stackEntry: {
      url: `${baseUrl}/api/`,
      botToken: store.data.botToken,
      signingSecret: store.data.signingSecret,
      appToken: store.data.appToken!,
      reviewChannel: REVIEW_CHANNEL_ID,
      reviewerIds: [...REVIEWER_IDS],
    },
    setInteractivityUrl: (url: string) => interactivity.set(url),
    close: async () => {
      socket.close();
      await app.close();
      log('stopped');
    },
  };
}
