/** `/v1/webhooks`: subscriptions (v2 payloads by default, at most 40 per company here; real: per user). */
import type { FastifyInstance } from 'fastify';
import { callerUserId } from './api-auth';
import { nowIso } from './clock';
import { badRequest, notFound, successBody } from './envelope';
import type { Webhook } from './model';
import { bodyOf, idParam, type SimulatorContext } from './simulator-context';
import { v1Webhook } from './v1-shapes';

const MAX_WEBHOOKS = 40;
const ACTIONS = ['create', 'change', 'delete', '*', 'added', 'updated', 'deleted', 'merged'];
const OBJECTS = [
  'activity',
  'deal',
  'lead',
  'note',
  'organization',
  'person',
  'pipeline',
  'product',
  'stage',
  'user',
  'project',
  'task',
  '*',
];

export function registerWebhookRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const s = () => ctx.store.state;

  app.get('/v1/webhooks', async () => ({ status: 'ok', ...successBody(s().webhooks.map((w) => v1Webhook(s(), w))) }));

  app.post('/v1/webhooks', async (req, reply) => {
    const body = bodyOf(req);
    const url = body.subscription_url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url))
      throw badRequest('subscription_url must be a valid http(s) URL');
    if (typeof body.event_action !== 'string' || !ACTIONS.includes(body.event_action))
      throw badRequest(`event_action must be one of ${ACTIONS.join(', ')}`);
    if (typeof body.event_object !== 'string' || !OBJECTS.includes(body.event_object))
      throw badRequest(`event_object must be one of ${OBJECTS.join(', ')}`);
    const version = body.version === undefined ? '2.0' : String(body.version);
    if (version !== '1.0' && version !== '2.0') throw badRequest('version must be 1.0 or 2.0');
    if (s().webhooks.length >= MAX_WEBHOOKS)
      throw badRequest(`The maximum number of webhooks (${MAX_WEBHOOKS}) has been reached`);
    const owner = callerUserId(req);
    const userId = typeof body.user_id === 'number' ? body.user_id : owner;
    if (!s().users.some((u) => u.id === userId)) throw badRequest('user_id not found');
    const hook: Webhook = {
      id: s().nextIds.webhook++,
      name: typeof body.name === 'string' ? body.name : `Webhook ${s().nextIds.webhook}`,
      subscription_url: url,
      event_action: body.event_action,
      event_object: body.event_object,
      version,
      http_auth_user: typeof body.http_auth_user === 'string' ? body.http_auth_user : null,
      http_auth_password: typeof body.http_auth_password === 'string' ? body.http_auth_password : null,
      user_id: userId,
      owner_id: owner,
      add_time: nowIso(),
      first_try_failures: 0,
      banned_until: null,
      last_delivery_time: null,
      last_http_status: null,
    };
    s().webhooks.push(hook);
    ctx.store.persist();
    return reply.code(201).send({ status: 'ok', ...successBody(v1Webhook(s(), hook)) });
  });

  app.delete('/v1/webhooks/:id', async (req) => {
    const id = idParam(req, 'Webhook');
    const index = s().webhooks.findIndex((w) => w.id === id);
    if (index < 0) throw notFound('Webhook');
    s().webhooks.splice(index, 1);
    ctx.store.persist();
    return { status: 'ok', success: true };
  });
}
