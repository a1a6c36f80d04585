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
import type { Deal, FieldDefinition, Organization, Person } from './model';
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
    return rest.custom_fields === undefined
      ? rest
      : { ...rest, custom_fields: resolveFriendlyCustomFields(fields, s().users, rest.custom_fields) };
  };

  app.post('/__sim/deals', async (req) => {
    const body = bodyOf(req);
    return successBody(createSyntheticDeal(s(), ctx.ops, body, appActor(body, SALES_USER_ID)));
  });

  /**
   * Many signed-or-not deals at once (reconciliation at scale, bench/chaos/r9-reconciliation-scale.ts): each with its
   * organization and person, written straight into the state with no webhooks (data that was there before the
   * integration, not a salesperson's clicks), saved once. Items: {org_name, email?, stage_name?, title?, status?,
   * custom_fields? (by name)}; at most 10,000 per request.
   */
  app.post('/__sim/deals/bulk', async (req) => {
    const items = bodyOf(req).deals;
    if (!Array.isArray(items) || items.length > 10_000)
      throw badRequest('deals must be an array of at most 10000 items');
    const st = s();
    const signed = sandboxCompany(st.company.profile ?? 'acme').signedStage;
    const t = new Date().toISOString();
    const ids: number[] = [];
    for (const raw of items as Array<Record<string, unknown>>) {
      const name =
        raw.stage_name === 'Contract Signed' && !st.stages.some((x) => x.name === 'Contract Signed')
          ? signed
          : (raw.stage_name ?? signed);
      const stage = st.stages.find((x) => x.name === name);
      if (!stage || typeof raw.org_name !== 'string')
        throw badRequest('each deal needs org_name and an existing stage_name');
      const org: Organization = {
        id: st.nextIds.organization++,
        name: raw.org_name,
        owner_id: SALES_USER_ID,
        address: null,
        visible_to: 3,
        label_ids: [],
        add_time: t,
        update_time: t,
        is_deleted: false,
        custom_fields: {},
      };
      const email = typeof raw.email === 'string' ? [{ value: raw.email, primary: true, label: 'work' }] : [];
      const person: Person = {
        id: st.nextIds.person++,
        name: `Contact ${org.id}`,
        first_name: null,
        last_name: null,
        org_id: org.id,
        owner_id: SALES_USER_ID,
        emails: email,
        phones: [],
        visible_to: 3,
        label_ids: [],
        add_time: t,
        update_time: t,
        is_deleted: false,
        custom_fields: {},
      };
      const status = raw.status === 'lost' || raw.status === 'won' ? raw.status : 'open';
      const deal: Deal = {
        id: st.nextIds.deal++,
        title: typeof raw.title === 'string' ? raw.title : `${org.name} onboarding`,
        value: 24_000,
        currency: 'USD',
        creator_user_id: SALES_USER_ID,
        owner_id: SALES_USER_ID,
        person_id: person.id,
        org_id: org.id,
        stage_id: stage.id,
        pipeline_id: stage.pipeline_id,
        status,
        add_time: t,
        update_time: t,
        stage_change_time: t,
        won_time: null,
        lost_time: null,
        close_time: null,
        expected_close_date: null,
        visible_to: 3,
        label_ids: [],
        is_deleted: false,
        custom_fields: resolveFriendlyCustomFields(st.dealFields, st.users, raw.custom_fields) as Deal['custom_fields'],
      };
      st.organizations.push(org);
      st.persons.push(person);
      st.deals.push(deal);
      ids.push(deal.id);
    }
    ctx.store.persist();
    return successBody({ created: ids.length, ids });
  });

  app.post('/__sim/deals/:id/move', async (req) => {
    const body = bodyOf(req);
    const deal = ctx.ops.deal(idParam(req, 'Deal'));
    // "Contract Signed" names the company's signing stage whatever it is called there, so the demo and the tests drive
    // every sandbox company alike.
    const signed = sandboxCompany(s().company.profile ?? 'acme').signedStage;
    const name =
      body.stage_name === 'Contract Signed' && !s().stages.some((st) => st.name === 'Contract Signed')
        ? signed
        : body.stage_name;
    const stage =
      body.stage_id !== undefined
        ? s().stages.find((st) => st.id === Number(body.stage_id))
        : s().stages.find((st) => st.name === name);
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
    return successBody(
      ctx.ops.updateOrganization(org.id, friendly(body, s().organizationFields), appActor(body, org.owner_id)),
    );
  });

  app.patch('/__sim/persons/:id', async (req) => {
    const body = bodyOf(req);
    const person = ctx.ops.person(idParam(req, 'Person'));
    return successBody(
      ctx.ops.updatePerson(person.id, friendly(body, s().personFields), appActor(body, person.owner_id)),
    );
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
        .filter(
          (d) =>
            match('webhook_id', d.webhook_id) &&
            match('entity', d.entity) &&
            match('entity_id', d.entity_id) &&
            match('action', d.action) &&
            match('event_id', d.event_id) &&
            match('outcome', d.outcome),
        ),
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
