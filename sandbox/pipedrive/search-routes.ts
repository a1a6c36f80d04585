/**
 * `/api/v2/{deals,persons,organizations}/search`: how a client finds a deal by its External ID or a person by email.
 * Case-insensitive substring match (or whole-value match with `exact_match=true`) over the requested `fields`.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, successBody } from './envelope';
import type { CustomFields, Deal, Organization, Person, SimulatorState } from './model';
import { cursorPage } from './paging';
import { queryOf, type SimulatorContext } from './simulator-context';

type Searchable = { id: number; is_deleted: boolean; custom_fields: CustomFields };

interface SearchSpec<T extends Searchable> {
  path: string;
  fields: Record<string, (record: T) => unknown[]>;
  records: (state: SimulatorState) => T[];
  /** The list filters each search accepts (person_id, organization_id, status). */
  filter?: (q: Record<string, unknown>, record: T) => boolean;
  item: (state: SimulatorState, record: T) => Record<string, unknown>;
}

const customValues = (r: Searchable): unknown[] => Object.values(r.custom_fields);

export function registerSearchRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  register<Deal>(app, ctx, {
    path: 'deals',
    fields: { title: (d) => [d.title], custom_fields: customValues, notes: () => [] },
    records: (s) => s.deals,
    filter: (q, d) =>
      (q.person_id === undefined || d.person_id === Number(q.person_id)) &&
      (q.organization_id === undefined || d.org_id === Number(q.organization_id)) &&
      (q.status === undefined || d.status === q.status),
    item: (s, d) => ({
      id: d.id,
      type: 'deal',
      title: d.title,
      value: d.value,
      currency: d.currency,
      status: d.status,
      visible_to: d.visible_to,
      owner: { id: d.owner_id },
      stage: { id: d.stage_id, name: s.stages.find((st) => st.id === d.stage_id)?.name ?? null },
      person:
        d.person_id === null
          ? null
          : { id: d.person_id, name: s.persons.find((p) => p.id === d.person_id)?.name ?? null },
      organization:
        d.org_id === null ? null : { id: d.org_id, name: s.organizations.find((o) => o.id === d.org_id)?.name ?? null },
      custom_fields: customValues(d).map(String),
      notes: [],
    }),
  });
  register<Person>(app, ctx, {
    path: 'persons',
    fields: {
      name: (p) => [p.name],
      email: (p) => p.emails.map((e) => e.value),
      phone: (p) => p.phones.map((e) => e.value),
      custom_fields: customValues,
      notes: () => [],
    },
    records: (s) => s.persons,
    filter: (q, p) => q.organization_id === undefined || p.org_id === Number(q.organization_id),
    item: (s, p) => ({
      id: p.id,
      type: 'person',
      name: p.name,
      phones: p.phones.map((x) => x.value),
      emails: p.emails.map((x) => x.value),
      visible_to: p.visible_to,
      owner: { id: p.owner_id },
      organization:
        p.org_id === null ? null : { id: p.org_id, name: s.organizations.find((o) => o.id === p.org_id)?.name ?? null },
      custom_fields: customValues(p).map(String),
      notes: [],
    }),
  });
  register<Organization>(app, ctx, {
    path: 'organizations',
    fields: {
      name: (o) => [o.name],
      address: (o) => [o.address?.formatted_address ?? null],
      custom_fields: customValues,
      notes: () => [],
    },
    records: (s) => s.organizations,
    item: (_s, o) => ({
      id: o.id,
      type: 'organization',
      name: o.name,
      address: o.address?.formatted_address ?? null,
      visible_to: o.visible_to,
      owner: { id: o.owner_id },
      custom_fields: customValues(o).map(String),
      notes: [],
    }),
  });
}

function register<T extends Searchable>(app: FastifyInstance, ctx: SimulatorContext, spec: SearchSpec<T>): void {
  app.get(`/api/v2/${spec.path}/search`, async (req) => {
    const q = queryOf(req);
    const exact = q.exact_match === 'true' || q.exact_match === true;
    const term = typeof q.term === 'string' ? q.term.trim() : '';
    if (term.length < (exact ? 1 : 2)) throw badRequest('term must be at least 2 characters long (1 with exact_match)');
    const wanted = typeof q.fields === 'string' && q.fields !== '' ? q.fields.split(',') : Object.keys(spec.fields);
    const unknown = wanted.filter((f) => !(f in spec.fields));
    if (unknown.length > 0) throw badRequest(`Invalid search fields: ${unknown.join(', ')}`);
    const needle = term.toLowerCase();
    const hits = spec.records(ctx.store.state).filter((record) => {
      if (record.is_deleted || (spec.filter && !spec.filter(q, record))) return false;
      const values = wanted
        .flatMap((f) => spec.fields[f]?.(record) ?? [])
        .filter((v) => v !== null && v !== undefined)
        .map((v) => String(v).toLowerCase());
      return values.some((v) => (exact ? v === needle : v.includes(needle)));
    });
    const { page, additional } = cursorPage(hits, q);
    return successBody(
      { items: page.map((r) => ({ result_score: exact ? 1 : 0.5, item: spec.item(ctx.store.state, r) })) },
      additional,
    );
  });
}
