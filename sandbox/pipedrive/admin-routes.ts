/**
 * Simulator-only routes under `/__sim/` (no auth). Edits here stand for a person clicking in the Pipedrive UI, so
 * their webhooks carry `change_source: "app"` and that person's user id — unlike REST writes, which are "api".
 */
import { sandboxCompany } from './companies';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { v4 as uuidv4 } from 'uuid';
import type { Actor } from './change-event';
import { resolveFriendlyCustomFields } from './custom-field-values';
import { badRequest, successBody } from './envelope';
import type { FieldDefinition } from './model';
import { SALES_USER_ID } from './seed';
import { bodyOf, idParam, queryOf, type SimulatorContext } from './simulator-context';
import { createSyntheticDeal } from './synthetic-deal';

export function registerAdminRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const s = () => ctx.store.state;
  const appActor = (body: Record<string, unknown>, fallbackUserId: number): Actor => {
    const userId = body.user_id === undefined ? fallbackUserId : Number(body.user_id);
    if (!s().users.some((u) => u.id === userId)) throw badRequest('user_id not found');
    return { userId, source: 'app', correlationId: uuidv4() };
  };
  /** Strips the actor and lets custom fields be given by name and enum/user values by label/name. */
  const friendly = (body: Record<string, unknown>, fields: FieldDefinition[]) => {
    const { user_id: _actor, ...rest } = body;
    return rest.custom_fields === undefined ? rest : { ...rest, custom_fields: resolveFriendlyCustomFields(fields, s().users, rest.custom_fields) };
  };

  app.post('/__sim/deals', async (req) => {
    const body = bodyOf(req);
    return successBody(createSyntheticDeal(s(), ctx.ops, body, appActor(body, SALES_USER_ID)));
  });

  app.post('/__sim/deals/:id/move', async (req) => {
    const body = bodyOf(req);
    const deal = ctx.ops.deal(idParam(req, 'Deal'));
    // "Contract Signed" names the company's signing stage whatever it is called there, so the demo and the tests drive
    // every sandbox company alike.
    const signed = sandboxCompany(s().company.profile ?? 'acme').signedStage;
    const name = body.stage_name === 'Contract Signed' && !s().stages.some((st) => st.name === 'Contract Signed') ? signed : body.stage_name;
    const stage = body.stage_id !== undefined ? s().stages.find((st) => st.id === Number(body.stage_id)) : s().stages.find((st) => st.name === name);
    if (!stage) throw badRequest('stage_id or stage_name must name an existing stage');
    return successBody(ctx.ops.updateDeal(deal.id, { stage_id: stage.id }, appActor(body, deal.owner_id)));
  });

  app.patch('/__sim/deals/:id', async (req) => {
    const body = bodyOf(req);
    const deal = ctx.ops.deal(idParam(req, 'Deal'));
    return successBody(ctx.ops.updateDeal(deal.id, friendly(body, s().dealFields), appActor(body, deal.owner_id)));
  });

  app.patch('/__sim/organizations/:id', async (req) => {
    const body = bodyOf(req);
    const org = ctx.ops.organization(idParam(req, 'Organization'));
    return successBody(ctx.ops.updateOrganization(org.id, friendly(body, s().organizationFields), appActor(body, org.owner_id)));
  });

  app.patch('/__sim/persons/:id', async (req) => {
    const body = bodyOf(req);
    const person = ctx.ops.person(idParam(req, 'Person'));
    return successBody(ctx.ops.updatePerson(person.id, friendly(body, s().personFields), appActor(body, person.owner_id)));
  });

  app.post('/__sim/reset', async (req) => {
    const body = bodyOf(req);
    ctx.dispatcher.clear();
    ctx.store.reset(body.keep_webhooks !== false);
    return successBody({ reset: true, webhooks: s().webhooks.length });
  });

  app.get('/__sim/deliveries', async (req) => {
    const q = queryOf(req);
    const match = (key: 'webhook_id' | 'entity' | 'entity_id' | 'action' | 'event_id' | 'outcome', value: unknown) =>
      typeof q[key] !== 'string' || String(value) === q[key];
    return successBody(
      ctx.dispatcher
        .deliveries()
        .filter((d) => match('webhook_id', d.webhook_id) && match('entity', d.entity) && match('entity_id', d.entity_id) && match('action', d.action) && match('event_id', d.event_id) && match('outcome', d.outcome)),
    );
  });

  app.get('/__sim/webhooks', async () => successBody(s().webhooks));

  /** An API token for another user, so tests can make REST writes that are "api" but not the integration's own. */
  app.post('/__sim/tokens', async (req) => {
    const userId = Number(bodyOf(req).user_id);
    if (!s().users.some((u) => u.id === userId)) throw badRequest('user_id not found');
    const token = randomBytes(20).toString('hex');
    s().tokens[token] = userId;
    ctx.store.persist();
    return successBody({ user_id: userId, api_token: token });
  });
}
