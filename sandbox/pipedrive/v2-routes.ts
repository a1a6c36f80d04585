/** API v2 (`/api/v2/…`): deals, persons, organizations (CRUD, PATCH updates, cursor paging), stages, pipelines, fields. */
import type { FastifyInstance } from 'fastify';
import { notFound, successBody } from './envelope';
import type { CustomFields, Deal, FieldDefinition, Organization, Person, Pipeline, Stage } from './model';
import { cursorPage, idList, optionalNumber } from './paging';
import { apiActor, bodyOf, idParam, queryOf, type SimulatorContext } from './simulator-context';

export function registerV2Routes(app: FastifyInstance, ctx: SimulatorContext): void {
  const s = () => ctx.store.state;

  app.get('/api/v2/deals', async (req) => {
    const q = queryOf(req);
    const ids = idList(q.ids);
    const [ownerId, personId, orgId, pipelineId, stageId] = [
      q.owner_id,
      q.person_id,
      q.org_id,
      q.pipeline_id,
      q.stage_id,
    ].map(optionalNumber);
    const statuses = typeof q.status === 'string' && q.status !== '' ? q.status.split(',') : undefined;
    const updatedSince = typeof q.updated_since === 'string' ? Date.parse(q.updated_since) : undefined;
    const deals = s().deals.filter(
      (d) =>
        !d.is_deleted &&
        (!ids || ids.includes(d.id)) &&
        (ownerId === undefined || d.owner_id === ownerId) &&
        (personId === undefined || d.person_id === personId) &&
        (orgId === undefined || d.org_id === orgId) &&
        (pipelineId === undefined || d.pipeline_id === pipelineId) &&
        (stageId === undefined || d.stage_id === stageId) &&
        (!statuses || statuses.includes(d.status)) &&
        (updatedSince === undefined || Number.isNaN(updatedSince) || Date.parse(d.update_time) >= updatedSince),
    );
    const { page, additional } = cursorPage(deals, q);
    return successBody(
      page.map((d) => withCustomFields(d, q.custom_fields)),
      additional,
    );
  });
  app.get('/api/v2/deals/:id', async (req) =>
    successBody(withCustomFields(ctx.ops.deal(idParam(req, 'Deal')), queryOf(req).custom_fields)),
  );
  app.post('/api/v2/deals', async (req) => successBody(ctx.ops.createDeal(bodyOf(req), apiActor(req))));
  app.patch('/api/v2/deals/:id', async (req) =>
    successBody(ctx.ops.updateDeal(idParam(req, 'Deal'), bodyOf(req), apiActor(req))),
  );
  app.delete('/api/v2/deals/:id', async (req) => {
    const id = idParam(req, 'Deal');
    ctx.ops.deleteDeal(id, apiActor(req));
    return successBody({ id });
  });

  app.get('/api/v2/persons', async (req) => {
    const q = queryOf(req);
    const ids = idList(q.ids);
    const [ownerId, orgId] = [q.owner_id, q.org_id].map(optionalNumber);
    const persons = s().persons.filter(
      (p) =>
        !p.is_deleted &&
        (!ids || ids.includes(p.id)) &&
        (ownerId === undefined || p.owner_id === ownerId) &&
        (orgId === undefined || p.org_id === orgId),
    );
    const { page, additional } = cursorPage(persons, q);
    return successBody(
      page.map((p) => withCustomFields(p, q.custom_fields)),
      additional,
    );
  });
  app.get('/api/v2/persons/:id', async (req) =>
    successBody(withCustomFields(ctx.ops.person(idParam(req, 'Person')), queryOf(req).custom_fields)),
  );
  app.post('/api/v2/persons', async (req) => successBody(ctx.ops.createPerson(bodyOf(req), apiActor(req))));
  app.patch('/api/v2/persons/:id', async (req) =>
    successBody(ctx.ops.updatePerson(idParam(req, 'Person'), bodyOf(req), apiActor(req))),
  );
  app.delete('/api/v2/persons/:id', async (req) => {
    const id = idParam(req, 'Person');
    ctx.ops.deletePerson(id, apiActor(req));
    return successBody({ id });
  });

  app.get('/api/v2/organizations', async (req) => {
    const q = queryOf(req);
    const ids = idList(q.ids);
    const ownerId = optionalNumber(q.owner_id);
    const orgs = s().organizations.filter(
      (o) => !o.is_deleted && (!ids || ids.includes(o.id)) && (ownerId === undefined || o.owner_id === ownerId),
    );
    const { page, additional } = cursorPage(orgs, q);
    return successBody(
      page.map((o) => withCustomFields(o, q.custom_fields)),
      additional,
    );
  });
  app.get('/api/v2/organizations/:id', async (req) =>
    successBody(withCustomFields(ctx.ops.organization(idParam(req, 'Organization')), queryOf(req).custom_fields)),
  );
  app.post('/api/v2/organizations', async (req) => successBody(ctx.ops.createOrganization(bodyOf(req), apiActor(req))));
  app.patch('/api/v2/organizations/:id', async (req) =>
    successBody(ctx.ops.updateOrganization(idParam(req, 'Organization'), bodyOf(req), apiActor(req))),
  );
  app.delete('/api/v2/organizations/:id', async (req) => {
    const id = idParam(req, 'Organization');
    ctx.ops.deleteOrganization(id, apiActor(req));
    return successBody({ id });
  });

  app.get('/api/v2/stages', async (req) => {
    const q = queryOf(req);
    const pipelineId = optionalNumber(q.pipeline_id);
    const { page, additional } = cursorPage(
      s().stages.filter((st) => pipelineId === undefined || st.pipeline_id === pipelineId),
      q,
    );
    return successBody(page.map(v2Stage), additional);
  });
  app.get('/api/v2/stages/:id', async (req) => {
    const stage = s().stages.find((st) => st.id === idParam(req, 'Stage'));
    if (!stage) throw notFound('Stage');
    return successBody(v2Stage(stage));
  });
  app.get('/api/v2/pipelines', async (req) => {
    const { page, additional } = cursorPage(s().pipelines, queryOf(req));
    return successBody(page.map(v2Pipeline), additional);
  });
  app.get('/api/v2/pipelines/:id', async (req) => {
    const pipeline = s().pipelines.find((p) => p.id === idParam(req, 'Pipeline'));
    if (!pipeline) throw notFound('Pipeline');
    return successBody(v2Pipeline(pipeline));
  });

  for (const [path, fields] of [
    ['dealFields', () => s().dealFields],
    ['personFields', () => s().personFields],
    ['organizationFields', () => s().organizationFields],
  ] as const) {
    app.get(`/api/v2/${path}`, async (req) => {
      const { page, additional } = cursorPage(fields(), queryOf(req));
      return successBody(page.map(v2Field), additional);
    });
    app.get(`/api/v2/${path}/:field_code`, async (req) => {
      const code = (req.params as { field_code: string }).field_code;
      const field = fields().find((f) => f.key === code);
      if (!field) throw notFound('Field');
      return successBody(v2Field(field));
    });
  }
}

/** `custom_fields=k1,k2` narrows the returned custom fields, as v2 does. */
function withCustomFields<T extends Deal | Person | Organization>(record: T, filter: unknown): T {
  if (typeof filter !== 'string' || filter === '') return record;
  const wanted = new Set(filter.split(','));
  const custom: CustomFields = Object.fromEntries(Object.entries(record.custom_fields).filter(([k]) => wanted.has(k)));
  return { ...record, custom_fields: custom };
}

function v2Stage(stage: Stage): Record<string, unknown> {
  return { ...stage, is_deleted: false, is_deal_rot_enabled: false, days_to_rotten: null };
}

function v2Pipeline(pipeline: Pipeline): Record<string, unknown> {
  return { ...pipeline, is_deleted: false, is_deal_probability_enabled: true, is_selected: pipeline.order_nr === 1 };
}

function v2Field(field: FieldDefinition): Record<string, unknown> {
  return {
    field_name: field.name,
    field_code: field.key,
    field_type: field.field_type,
    is_custom_field: field.is_custom,
    is_optional_response_field: false,
    options: field.options ?? null,
    subfields: null,
  };
}
