/**
 * The response_url Slack hands out with each interaction, served here. As on Slack a URL works up to 5 times
 * within 30 minutes. replace_original/delete_original act on the clicked message; otherwise the response is a new
 * message: ephemeral to the clicker by default, or in_channel.
 */
import type { FastifyInstance } from 'fastify';
import { deleteMessage } from './chat-methods';
import { BOT } from './seed';
import type { SimContext } from './sim-context';
import type { JsonObject, RecordedResponse, ResponseUrlGrant, StoredMessage } from './types';

const MAX_USES = 5;
const VALID_MS = 30 * 60_000;

export function registerResponseUrlRoute(app: FastifyInstance, ctx: SimContext): void {
  app.post<{ Params: { id: string } }>('/__sim/response/:id', async (req, reply) => {
    const data = ctx.store.data;
    const grant = data.responseUrls.find((g) => g.id === req.params.id);
    if (!grant) return reply.code(404).send({ ok: false, error: 'invalid_url' });
    if (ctx.nowMs() - grant.issuedAtMs > VALID_MS) return reply.code(404).send({ ok: false, error: 'expired_url' });
    if (grant.uses >= MAX_USES) return reply.code(404).send({ ok: false, error: 'used_url' });
    const body = responseBody(req.body);
    if (!body) return reply.code(400).send({ ok: false, error: 'invalid_payload' });
    grant.uses += 1;
    const recorded = applyResponse(ctx, grant, body);
    data.responses.push(recorded);
    ctx.store.commit();
    ctx.log(`response_url ${recorded.effect} channel=${grant.channel} message_ts=${grant.message_ts}`);
    return reply.send({ ok: true });
  });
}

function applyResponse(ctx: SimContext, grant: ResponseUrlGrant, body: JsonObject): RecordedResponse {
  const data = ctx.store.data;
  const base = {
    response_url_id: grant.id,
    channel: grant.channel,
    message_ts: grant.message_ts,
    user_id: grant.user_id,
    body,
    atMs: ctx.nowMs(),
  };
  const text = typeof body.text === 'string' ? body.text : '';
  const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
  const original: StoredMessage | undefined = data.messages.find(
    (m) => m.channel === grant.channel && m.ts === grant.message_ts,
  );
  const ephemeral = data.ephemerals.find((e) => e.channel === grant.channel && e.message_ts === grant.message_ts);

  if (isTrue(body.delete_original)) {
    if (original) deleteMessage(ctx.store, original);
    if (ephemeral) data.ephemerals = data.ephemerals.filter((e) => e !== ephemeral);
    return { ...base, effect: 'deleted' };
  }
  if (isTrue(body.replace_original)) {
    // A replacement is the whole message: blocks not sent are gone, as in Slack.
    const target = original ?? ephemeral;
    if (target) {
      target.text = text;
      if (blocks) target.blocks = blocks;
      else delete target.blocks;
    }
    if (original) original.edited = { user: BOT.userId, ts: ctx.store.newTs(ctx.nowMs()) };
    return { ...base, effect: 'replaced' };
  }
  const thread_ts = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
  const ts = ctx.store.newTs(ctx.nowMs());
  if (body.response_type === 'in_channel') {
    data.messages.push({
      channel: grant.channel,
      ts,
      text,
      user: BOT.userId,
      ...(blocks ? { blocks } : {}),
      ...(thread_ts ? { thread_ts } : {}),
    });
    return { ...base, effect: 'in_channel', ts };
  }
  data.ephemerals.push({
    channel: grant.channel,
    user: grant.user_id,
    message_ts: ts,
    text,
    ...(blocks ? { blocks } : {}),
    ...(thread_ts ? { thread_ts } : {}),
    source: 'response_url',
  });
  return { ...base, effect: 'ephemeral', ts };
}

/** JSON is what Bolt's respond() sends; a form-encoded `payload=` body is accepted too. */
function responseBody(raw: unknown): JsonObject | undefined {
  if (!isObject(raw)) return undefined;
  if (typeof raw.payload === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw.payload);
      return isObject(parsed) ? (parsed as JsonObject) : undefined;
    } catch {
      return undefined;
    }
  }
  return raw as JsonObject;
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
