/**
 * PagerDuty Events v2 receiver simulator: `POST /v2/enqueue` answers as PagerDuty does (202 `{status:"success",
 * message:"Event processed", dedup_key}`, or 400 `{status:"invalid event", message:"Event object is invalid",
 * errors}`), records every accepted event, and tracks incidents by dedup key (a trigger opens one, a resolve closes
 * it). `GET /__sim/events`, `GET /__sim/incidents`, `POST /__sim/reset` for tests. Only the stack launcher and tests
 * import this; product code never does. State is in memory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { eventErrors, type ValidEvent } from './event-validation';

export interface PagerDutySimulatorOptions {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** The integration key events must carry; generated (32 hex characters, like PagerDuty's) when not given. */
  routingKey?: string;
  logger?: (line: string) => void;
}

export interface RecordedEvent {
  receivedAt: string;
  event_action: ValidEvent['event_action'];
  dedup_key: string;
  payload?: ValidEvent['payload'];
}

export interface SimIncident {
  dedup_key: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary?: string;
  triggers: number;
  openedAt: string;
  resolvedAt?: string;
}

export interface PagerDutyStackEntry {
  /** The Events v2 endpoint (ALERT_WEBHOOK_URL). */
  url: string;
  routingKey: string;
}

export interface RunningPagerDutySimulator {
  url: string;
  port: number;
  stackEntry: PagerDutyStackEntry;
  events(): RecordedEvent[];
  close(): Promise<void>;
}

export async function startPagerDutySimulator(
  opts: PagerDutySimulatorOptions = {},
): Promise<RunningPagerDutySimulator> {
  const host = opts.host ?? '127.0.0.1';
  const routingKey = opts.routingKey ?? randomBytes(16).toString('hex');
  const log = (line: string) => opts.logger?.(`[pagerduty-sim] ${line}`);
  let events: RecordedEvent[] = [];
  let incidents = new Map<string, SimIncident>();

  const app = Fastify({ logger: false, bodyLimit: 512 * 1024 });
  // Bodies that are not JSON reach the route as `undefined` (an invalid event; `curl -X POST …/__sim/reset` works).
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  app.post('/v2/enqueue', async (req, reply) => {
    const errors = eventErrors(req.body, routingKey);
    if (errors.length) {
      log(`400 ${errors.length} error(s)`);
      return reply.code(400).send({ status: 'invalid event', message: 'Event object is invalid', errors });
    }
    const body = req.body as ValidEvent;
    const dedupKey = body.dedup_key ?? randomUUID().replace(/-/g, '');
    const now = new Date().toISOString();
    events.push({
      receivedAt: now,
      event_action: body.event_action,
      dedup_key: dedupKey,
      ...(body.payload ? { payload: body.payload } : {}),
    });
    const open = incidents.get(dedupKey);
    if (body.event_action === 'trigger') {
      // A trigger on an open incident only adds to its log, as PagerDuty dedups it.
      if (open && open.status !== 'resolved') open.triggers += 1;
      else
        incidents.set(dedupKey, {
          dedup_key: dedupKey,
          status: 'triggered',
          summary: body.payload?.summary,
          triggers: 1,
          openedAt: now,
        });
    } else if (open && open.status !== 'resolved') {
      open.status = body.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      if (body.event_action === 'resolve') open.resolvedAt = now;
    }
    log(`202 ${body.event_action} ${dedupKey}`);
    return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });
  app.get('/__sim/events', async () => ({ events }));
  app.get('/__sim/incidents', async () => ({ incidents: [...incidents.values()] }));
  app.post('/__sim/reset', async () => {
    events = [];
    incidents = new Map();
    return { ok: true };
  });
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    // PagerDuty answers an unreadable body with the same envelope as an invalid event.
    if (status === 400 || status === 415)
      return reply.code(400).send({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ['Request body is not valid JSON'],
      });
    return reply.code(status).send({ status: 'error', message: err.message ?? 'internal error' });
  });

  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const url = `http://${host}:${port}`;
  log(`listening on ${url}`);
  return {
    url,
    port,
    stackEntry: { url: `${url}/v2/enqueue`, routingKey },
    events: () => [...events],
    close: () => app.close(),
  };
}
