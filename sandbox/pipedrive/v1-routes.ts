/** API v1 (`/v1/…`): deals, persons, organizations (PUT updates, start/limit paging), stages, pipelines, fields, users. */
import type { FastifyInstance } from 'fastify';
import { callerUserId } from './api-auth';
import { notFound, successBody } from './envelope';
import { toV1Time } from './clock';
import type { FieldDefinition, Pipeline, Stage } from './model';
import { optionalNumber, startLimitPage } from './paging';
import { apiActor, bodyOf, idParam, queryOf, type SimulatorContext } from './simulator-context';
import { addCustomField, updateCustomField } from './field-admin';
import { v1BodyToV2, v1Deal, v1Field, v1Organization, v1Person, v1UserFull } from './v1-shapes';

export function registerV1Routes(app: FastifyInstance, ctx: SimulatorContext): void {
  const s = () => ctx.store.state;

  app.get('/v1/deals', async (req) => {
    const q = queryOf(req);
    const [userId, stageId, pipelineId] = [q.user_id, q.stage_id, q.pipeline_id].map(optionalNumber);
    const status = typeof q.status === 'string' && q.status !== '' ? q.status : 'all_not_deleted';
    const deals = s().deals.filter(
      (d) =>
        (status === 'deleted'
          ? d.is_deleted
          : !d.is_deleted && (status === 'all_not_deleted' || d.status === status)) &&
        (userId === undefined || d.owner_id === userId) &&
        (stageId === undefined || d.stage_id === stageId) &&
        (pipelineId === undefined || d.pipeline_id === pipelineId),
    );
    const { page, additional } = startLimitPage(deals, q);
    return successBody(page.length > 0 ? page.map((d) => v1Deal(s(), d)) : null, additional);
  });
  app.get('/v1/deals/:id', async (req) => successBody(v1Deal(s(), ctx.ops.deal(idParam(req, 'Deal')))));
  app.post('/v1/deals', async (req, reply) => {
    const deal = ctx.ops.createDeal(v1BodyToV2(bodyOf(req), s().dealFields, 'deal'), apiActor(req));
    return reply.code(201).send(successBody(v1Deal(s(), deal)));
  });
  app.put('/v1/deals/:id', async (req) =>
    successBody(
      v1Deal(
        s(),
        ctx.ops.updateDeal(idParam(req, 'Deal'), v1BodyToV2(bodyOf(req), s().dealFields, 'deal'), apiActor(req)),
      ),
    ),
  );
  app.delete('/v1/deals/:id', async (req) => {
    const id = idParam(req, 'Deal');
    ctx.ops.deleteDeal(id, apiActor(req));
    return successBody({ id });
  });

  app.get('/v1/persons', async (req) => {
    const q = queryOf(req);
    const persons = s().persons.filter((p) => !p.is_deleted);
    const { page, additional } = startLimitPage(persons, q);
    return successBody(page.length > 0 ? page.map((p) => v1Person(s(), p)) : null, additional);
  });
  app.get('/v1/persons/:id', async (req) => successBody(v1Person(s(), ctx.ops.person(idParam(req, 'Person')))));
  app.post('/v1/persons', async (req, reply) => {
    const person = ctx.ops.createPerson(v1BodyToV2(bodyOf(req), s().personFields, 'person'), apiActor(req));
    return reply.code(201).send(successBody(v1Person(s(), person)));
  });
  app.put('/v1/persons/:id', async (req) =>
    successBody(
      v1Person(
        s(),
        ctx.ops.updatePerson(
          idParam(req, 'Person'),
          v1BodyToV2(bodyOf(req), s().personFields, 'person'),
          apiActor(req),
        ),
      ),
    ),
  );
  app.delete('/v1/persons/:id', async (req) => {
    const id = idParam(req, 'Person');
    ctx.ops.deletePerson(id, apiActor(req));
    return successBody({ id });
  });

  app.get('/v1/organizations', async (req) => {
    const orgs = s().organizations.filter((o) => !o.is_deleted);
    const { page, additional } = startLimitPage(orgs, queryOf(req));
    return successBody(page.length > 0 ? page.map((o) => v1Organization(s(), o)) : null, additional);
  });
  app.get('/v1/organizations/:id', async (req) =>
    successBody(v1Organization(s(), ctx.ops.organization(idParam(req, 'Organization')))),
  );
  app.post('/v1/organizations', async (req, reply) => {
    const org = ctx.ops.createOrganization(
      v1BodyToV2(bodyOf(req), s().organizationFields, 'organization'),
      apiActor(req),
    );
    return reply.code(201).send(successBody(v1Organization(s(), org)));
  });
  app.put('/v1/organizations/:id', async (req) =>
    successBody(
      v1Organization(
        s(),
        ctx.ops.updateOrganization(
          idParam(req, 'Organization'),
          v1BodyToV2(bodyOf(req), s().organizationFields, 'organization'),
          apiActor(req),
        ),
      ),
    ),
  );
  app.delete('/v1/organizations/:id', async (req) => {
    const id = idParam(req, 'Organization');
    ctx.ops.deleteOrganization(id, apiActor(req));
    return successBody({ id });
  });

  app.get('/v1/stages', async (req) => {
    const pipelineId = optionalNumber(queryOf(req).pipeline_id);
    const stages = s().stages.filter((st) => pipelineId === undefined || st.pipeline_id === pipelineId);
    return successBody(stages.map((st) => v1Stage(st, s().pipelines)));
  });
  app.get('/v1/stages/:id', async (req) => {
    const stage = s().stages.find((st) => st.id === idParam(req, 'Stage'));
    if (!stage) throw notFound('Stage');
    return successBody(v1Stage(stage, s().pipelines));
  });
  app.get('/v1/pipelines', async () => successBody(s().pipelines.map(v1Pipeline)));
  app.get('/v1/pipelines/:id', async (req) => {
    const pipeline = s().pipelines.find((p) => p.id === idParam(req, 'Pipeline'));
    if (!pipeline) throw notFound('Pipeline');
    return successBody(v1Pipeline(pipeline));
  });

  for (const [path, entity, fields] of [
    ['dealFields', 'deal', () => s().dealFields],
    ['personFields', 'person', () => s().personFields],
    ['organizationFields', 'organization', () => s().organizationFields],
  ] as const) {
    app.get(`/v1/${path}`, async (req) => {
      const all = fields().map((f: FieldDefinition, i: number) => v1Field(f, i, entity));
      const { page, additional } = startLimitPage(all, queryOf(req));
      return successBody(page, additional);
    });
    app.get(`/v1/${path}/:id`, async (req) => {
      const id = idParam(req, 'Field');
      const index = fields().findIndex((f) => f.id === id);
      const field = fields()[index];
      if (!field) throw notFound('Field');
      return successBody(v1Field(field, index, entity));
    });
    // Custom field administration, as an admin does it in Settings (and `doctor --fix` through the API).
    app.post(`/v1/${path}`, async (req, reply) => {
      const field = addCustomField(ctx.store.state, entity, bodyOf(req));
      ctx.store.persist();
      reply.code(201);
      return successBody(v1Field(field, fields().indexOf(field), entity));
    });
    app.put(`/v1/${path}/:id`, async (req) => {
      const field = updateCustomField(fields(), idParam(req, 'Field'), bodyOf(req));
      ctx.store.persist();
      return successBody(v1Field(field, fields().indexOf(field), entity));
    });
  }

  app.get('/v1/users', async (req) => successBody(s().users.map((u) => v1UserFull(s(), u, callerUserId(req)))));
  app.get('/v1/users/me', async (req) => {
    const me = s().users.find((u) => u.id === callerUserId(req));
    if (!me) throw notFound('User');
    const { company } = s();
    return successBody({
      ...v1UserFull(s(), me, me.id),
      company_id: company.id,
      company_name: company.name,
      company_domain: company.domain,
      company_country: 'GB',
      company_industry: 'Software',
      language: { language_code: 'en', country_code: 'US' },
    });
  });
  app.get('/v1/users/:id', async (req) => {
    const user = s().users.find((u) => u.id === idParam(req, 'User'));
    if (!user) throw notFound('User');
    return successBody(v1UserFull(s(), user, callerUserId(req)));
  });
}

function v1Stage(st: Stage, pipelines: Pipeline[]) {
  return {
    id: st.id,
    order_nr: st.order_nr,
    name: st.name,
    active_flag: true,
    deal_probability: st.deal_probability,
    pipeline_id: st.pipeline_id,
    rotten_flag: false,
    rotten_days: null,
    add_time: toV1Time(st.add_time),
    update_time: toV1Time(st.update_time),
    pipeline_name: pipelines.find((p) => p.id === st.pipeline_id)?.name ?? null,
    pipeline_deal_probability: true,
  };
}

function v1Pipeline(p: Pipeline) {
  return {
    id: p.id,
    name: p.name,
    url_title: p.name.toLowerCase(),
    order_nr: p.order_nr,
    active: true,
    deal_probability: true,
    add_time: toV1Time(p.add_time),
    update_time: toV1Time(p.update_time),
    selected: p.order_nr === 1,
  };
}
