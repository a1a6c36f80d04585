/** `/v1/notes`: where the orchestrator leaves review flags and "Onboarded" annotations on a deal. No webhooks. */
import type { FastifyInstance } from 'fastify';
import { callerUserId } from './api-auth';
import { nowIso } from './clock';
import { badRequest, notFound, successBody } from './envelope';
import type { Note } from './model';
import { optionalNumber, startLimitPage } from './paging';
import { bodyOf, idParam, queryOf, type SimulatorContext } from './simulator-context';
import { v1Note } from './v1-shapes';

export function registerNotesRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const s = () => ctx.store.state;
  const note = (id: number): Note => {
    const found = s().notes.find((n) => n.id === id);
    if (!found) throw notFound('Note');
    return found;
  };

  app.get('/v1/notes', async (req) => {
    const q = queryOf(req);
    const [dealId, personId, orgId, userId] = [q.deal_id, q.person_id, q.org_id, q.user_id].map(optionalNumber);
    const notes = s().notes.filter(
      (n) =>
        (dealId === undefined || n.deal_id === dealId) &&
        (personId === undefined || n.person_id === personId) &&
        (orgId === undefined || n.org_id === orgId) &&
        (userId === undefined || n.user_id === userId),
    );
    const { page, additional } = startLimitPage(notes, q);
    return successBody(
      page.map((n) => v1Note(s(), n)),
      additional,
    );
  });
  app.get('/v1/notes/:id', async (req) => successBody(v1Note(s(), note(idParam(req, 'Note')))));

  app.post('/v1/notes', async (req, reply) => {
    const body = bodyOf(req);
    if (typeof body.content !== 'string' || body.content === '') throw badRequest('Note content is required');
    const target = targets(ctx, body);
    if (target.deal_id === null && target.person_id === null && target.org_id === null) {
      throw badRequest('A note must be attached to a deal, person or organization (deal_id, person_id or org_id)');
    }
    const t = nowIso();
    const created: Note = {
      id: s().nextIds.note++,
      content: body.content,
      ...target,
      user_id: typeof body.user_id === 'number' ? body.user_id : callerUserId(req),
      pinned_to_deal_flag:
        body.pinned_to_deal_flag === true || body.pinned_to_deal_flag === 1 || body.pinned_to_deal_flag === '1',
      add_time: t,
      update_time: t,
    };
    s().notes.push(created);
    ctx.store.persist();
    return reply.code(201).send(successBody(v1Note(s(), created)));
  });

  app.put('/v1/notes/:id', async (req) => {
    const existing = note(idParam(req, 'Note'));
    const body = bodyOf(req);
    if (body.content !== undefined) {
      if (typeof body.content !== 'string' || body.content === '')
        throw badRequest('Note content must be a non-empty string');
      existing.content = body.content;
    }
    Object.assign(existing, targets(ctx, body, existing));
    if (body.pinned_to_deal_flag !== undefined)
      existing.pinned_to_deal_flag = body.pinned_to_deal_flag === true || body.pinned_to_deal_flag === 1;
    existing.update_time = nowIso();
    ctx.store.persist();
    return successBody(v1Note(s(), existing));
  });

  app.delete('/v1/notes/:id', async (req) => {
    const existing = note(idParam(req, 'Note'));
    s().notes.splice(s().notes.indexOf(existing), 1);
    ctx.store.persist();
    return successBody(true);
  });
}

function targets(
  ctx: SimulatorContext,
  body: Record<string, unknown>,
  current?: Note,
): Pick<Note, 'deal_id' | 'person_id' | 'org_id'> {
  const ref = (key: 'deal_id' | 'person_id' | 'org_id', lookup: (id: number) => unknown): number | null => {
    const raw = body[key];
    if (raw === undefined) return current?.[key] ?? null;
    if (raw === null) return null;
    const id = Number(raw);
    if (!Number.isInteger(id)) throw badRequest(`${key} must be a number`);
    lookup(id);
    return id;
  };
  return {
    deal_id: ref('deal_id', (id) => ctx.ops.deal(id)),
    person_id: ref('person_id', (id) => ctx.ops.person(id)),
    org_id: ref('org_id', (id) => ctx.ops.organization(id)),
  };
}
