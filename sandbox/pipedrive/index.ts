/**
 * The Pipedrive simulator: a contract-faithful stand-in (v1 + v2 REST, webhooks v2 with retries and bans) for the
 * stack launcher and tests. Product code must never import it.
 */
import { sandboxCompany } from './companies';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyError } from 'fastify';
import { registerAdminRoutes } from './admin-routes';
import { isApiPath, registerApiAuth } from './api-auth';
import { registerOutage } from './outage';
import { BurstLimiter, type BurstLimit } from './burst-limiter';
import { PipedriveApiError, errorBody } from './envelope';
import { EntityOperations } from './entity-operations';
import { registerNotesRoutes } from './notes-routes';
import { registerSearchRoutes } from './search-routes';
import { INTEGRATION_USER_ID } from './seed';
import type { SimulatorContext } from './simulator-context';
import { StateStore } from './state-store';
import { registerV1Routes } from './v1-routes';
import { registerV2Routes } from './v2-routes';
import { WebhookDispatcher } from './webhook-dispatcher';
import { registerWebhookRoutes } from './webhook-routes';

export interface PipedriveSimulatorOptions {
  host?: string;
  port?: number;
  /** JSON file holding the company state (deals, webhooks…) across restarts; undefined keeps it in memory. */
  dataFile?: string;
  apiToken?: string;
  companyDomain?: string;
  /** Which sandbox company to seed (companies.ts; default: SANDBOX_COMPANY, else acme). */
  company?: 'acme' | 'globex';
  webhookUser?: string;
  webhookPassword?: string;
  /** Multiplies the webhook timeout (10 s), retry delays (3/30/150 s) and ban (30 min). */
  webhookTimeScale?: number;
  burstLimit?: BurstLimit;
  logger?: (line: string) => void;
}

export interface PipedriveStackEntry {
  url: string;
  apiToken: string;
  companyDomain: string;
  webhookUser: string;
  webhookPassword: string;
}

export interface RunningPipedriveSimulator {
  url: string;
  port: number;
  /** The `pipedrive` section of .data/stack.json. */
  stackEntry: PipedriveStackEntry;
  integrationUserId: number;
  /** Every API request answers 503 while on (outage.ts); admin routes and webhook deliveries keep working. */
  setOutage(on: boolean): void;
  close(): Promise<void>;
}

export type { DeliveryRecord, WebhookBody } from './webhook-dispatcher';
export { customFieldKey } from './field-definitions';

export async function startPipedriveSimulator(
  opts: PipedriveSimulatorOptions = {},
): Promise<RunningPipedriveSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const timeScale = opts.webhookTimeScale ?? 1;
  if (!(timeScale > 0))
    throw new Error(`webhookTimeScale must be a positive number, got ${String(opts.webhookTimeScale)}`);
  const company = sandboxCompany(opts.company);
  const companyDomain = opts.companyDomain ?? company.domain;
  const logger = opts.logger ?? (() => undefined);
  const store = new StateStore(companyDomain, opts.apiToken, opts.dataFile, company);
  const dispatcher = new WebhookDispatcher(store, timeScale, logger);
  const ops = new EntityOperations(store, (event) => dispatcher.publish(event));
  const ctx: SimulatorContext = { store, ops, dispatcher };

  // Company-domain URLs (https://<company>.pipedrive.com/api/v1/…) reach v1 as well as api.pipedrive.com/v1/… does.
  const app = Fastify({
    logger: false,
    rewriteUrl: (req) => (req.url?.startsWith('/api/v1/') ? req.url.slice(4) : (req.url ?? '/')),
  });
  await app.register(formbody);
  // Clients send DELETE/GET with a JSON content type and no body; Pipedrive accepts that, Fastify's default parser does not.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new PipedriveApiError(400, 'Invalid JSON body'), undefined);
    }
  });
  app.setErrorHandler((error: FastifyError | PipedriveApiError, _request, reply) => {
    const status = error instanceof PipedriveApiError ? error.statusCode : (error.statusCode ?? 500);
    if (status >= 500) logger(`pipedrive-sim: internal error: ${error.message}`);
    return reply.code(status).send(errorBody(status >= 500 ? 'Internal server error' : error.message));
  });
  app.setNotFoundHandler((request, reply) => {
    const message = isApiPath(request.url) ? 'Unknown method .' : 'Not found';
    return reply.code(404).send(errorBody(message));
  });
  const outage = registerOutage(app);
  registerApiAuth(app, store, new BurstLimiter(opts.burstLimit ?? { requests: 80, windowMs: 2_000 }));
  registerV2Routes(app, ctx);
  registerSearchRoutes(app, ctx);
  registerV1Routes(app, ctx);
  registerNotesRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerAdminRoutes(app, ctx);

  try {
    await app.listen({ host, port: opts.port ?? 0 });
  } catch (err) {
    await dispatcher.close();
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new Error(
      inUse
        ? `Pipedrive simulator: port ${host}:${opts.port} is already in use (set PIPEDRIVE_SIM_PORT or stop what holds it)`
        : `Pipedrive simulator failed to listen: ${(err as Error).message}`,
    );
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('pipedrive simulator did not bind a TCP port');
  const url = `http://${host}:${address.port}`;
  const webhookCredentials = store.webhookCredentials(opts.webhookUser, opts.webhookPassword);
  logger(`pipedrive-sim: listening on ${url} (company ${companyDomain})`);
  return {
    url,
    port: address.port,
    stackEntry: {
      url,
      apiToken: store.integrationToken(),
      companyDomain,
      webhookUser: webhookCredentials.user,
      webhookPassword: webhookCredentials.password,
    },
    integrationUserId: INTEGRATION_USER_ID,
    setOutage: (on) => outage.set(on),
    async close() {
      await dispatcher.close();
      await app.close();
      store.flush();
    },
  };
}
