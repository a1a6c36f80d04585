/** /__sim/*: simulator-only controls (no auth; loopback only) for tests and the stack launcher. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { byTsAscending, renderMessage } from './message-render';
import { CHANNELS, findChannel, findUser } from './seed';
import { AdminError, type SimContext } from './sim-context';
import { clickInput, simulateClick } from './simulated-click';
import { simulateViewSubmission, submitViewInput } from './simulated-view-submission';

export interface InteractivityConfig {
  get(): string | undefined;
  set(url: string | undefined): void;
}

const configInput = z.object({
  interactivityUrl: z.url().nullable().optional(),
  rateLimit: z.object({ requestsPerMinute: z.number().int().positive() }).nullable().optional(),
  socketMode: z.boolean().optional(),
});

const usergroupInput = z.object({
  handle: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  users: z.array(z.string().min(1)),
});

export function registerAdminRoutes(app: FastifyInstance, ctx: SimContext, interactivity: InteractivityConfig): void {
  app.post('/__sim/click', async (req, reply) =>
    handle(reply, async () => simulateClick(ctx, parse(clickInput, req.body), interactivity.get())),
  );

  app.post('/__sim/submit-view', async (req, reply) =>
    handle(reply, async () => simulateViewSubmission(ctx, parse(submitViewInput, req.body), interactivity.get())),
  );

  app.get<{ Querystring: { channel?: string } }>('/__sim/messages', async (req, reply) =>
    handle(reply, async () => {
      const ref = req.query.channel;
      const channel = ref === undefined ? undefined : findChannel(ref);
      if (ref !== undefined && !channel) throw new AdminError(404, 'channel_not_found');
      const data = ctx.store.data;
      const wanted = (c: string) => channel === undefined || c === channel.id;
      return {
        ok: true,
        channels: CHANNELS.filter((c) => wanted(c.id)),
        messages: data.messages
          .filter((m) => wanted(m.channel))
          .sort(byTsAscending)
          .map((m) => ({ channel: m.channel, ...renderMessage(m, data.messages) })),
        ephemeral: data.ephemerals.filter((e) => wanted(e.channel)),
        responses: data.responses.filter((r) => wanted(r.channel)),
      };
    }),
  );

  /** Creates or replaces a user group (id `S…`) with these members, as an admin would in Slack. */
  app.put<{ Params: { id: string } }>('/__sim/usergroups/:id', async (req, reply) =>
    handle(reply, async () => {
      const id = req.params.id;
      if (!/^S[A-Z0-9]+$/.test(id))
        throw new AdminError(400, 'invalid_arguments', 'a user group id looks like S0123ABCD');
      const input = parse(usergroupInput, req.body ?? {});
      const unknown = input.users.filter((u) => !findUser(u));
      if (unknown.length) throw new AdminError(404, 'user_not_found', unknown.join(','));
      const groups = (ctx.store.data.usergroups ??= []);
      const group = {
        id,
        handle: input.handle ?? id.toLowerCase(),
        name: input.name ?? id,
        users: [...new Set(input.users)],
      };
      const at = groups.findIndex((g) => g.id === id);
      if (at >= 0) groups[at] = group;
      else groups.push(group);
      ctx.store.commit();
      ctx.log(`usergroup ${id} set (${group.users.length} members)`);
      return { ok: true, usergroup: group };
    }),
  );
  app.get('/__sim/usergroups', async () => ({ ok: true, usergroups: ctx.store.data.usergroups ?? [] }));

  app.get('/__sim/views', async () => ({ ok: true, views: ctx.store.data.views }));
  app.get('/__sim/deliveries', async () => ({ ok: true, deliveries: ctx.store.data.deliveries }));

  app.post('/__sim/reset', async () => {
    ctx.store.reset();
    ctx.log('reset');
    return { ok: true };
  });

  app.get('/__sim/config', async () => currentConfig(ctx, interactivity));
  app.put('/__sim/config', async (req, reply) =>
    handle(reply, async () => {
      const input = parse(configInput, req.body ?? {});
      if (input.interactivityUrl !== undefined) interactivity.set(input.interactivityUrl ?? undefined);
      if (input.rateLimit !== undefined) ctx.limiter.configure(input.rateLimit ?? undefined);
      if (input.socketMode !== undefined) {
        ctx.store.data.socketMode = input.socketMode;
        ctx.store.commit();
      }
      return currentConfig(ctx, interactivity);
    }),
  );
}

function currentConfig(ctx: SimContext, interactivity: InteractivityConfig) {
  return {
    ok: true,
    interactivityUrl: interactivity.get() ?? null,
    rateLimit: ctx.limiter.current ?? null,
    socketMode: ctx.store.data.socketMode === true,
    socketConnections: ctx.socket.openConnections,
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new AdminError(400, 'invalid_arguments', z.prettifyError(result.error));
  return result.data;
}

async function handle(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return reply.code(err.status).send({ ok: false, error: err.code, ...(err.detail ? { detail: err.detail } : {}) });
  }
}
