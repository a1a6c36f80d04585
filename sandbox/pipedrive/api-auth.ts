/**
 * Token auth (`x-api-token` header or `api_token` query) and the burst limit for every /v1 and /api/v2 route. The
 * caller's user id is remembered per request so writes are attributed to the token's owner in webhook meta.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BurstLimiter } from './burst-limiter';
import { errorBody } from './envelope';
import type { StateStore } from './state-store';

const callers = new WeakMap<FastifyRequest, number>();

export function callerUserId(request: FastifyRequest): number {
  const id = callers.get(request);
  if (id === undefined) throw new Error('route is not behind api auth');
  return id;
}

export function isApiPath(url: string): boolean {
  return url.startsWith('/v1/') || url.startsWith('/api/v2/');
}

export function registerApiAuth(app: FastifyInstance, store: StateStore, limiter: BurstLimiter): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isApiPath(request.url)) return;
    const token = tokenOf(request);
    const userId = token === undefined ? undefined : store.userForToken(token);
    if (token === undefined || userId === undefined) {
      return reply.code(401).send(errorBody('unauthorized access'));
    }
    const decision = limiter.take(token);
    reply.header('x-ratelimit-limit', String(decision.limit));
    reply.header('x-ratelimit-remaining', String(decision.remaining));
    reply.header('x-ratelimit-reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      return reply.code(429).send(errorBody('Request over limit'));
    }
    callers.set(request, userId);
  });
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-token'];
  if (typeof header === 'string' && header !== '') return header;
  const query = request.query as Record<string, unknown> | undefined;
  const param = query?.api_token;
  return typeof param === 'string' && param !== '' ? param : undefined;
}
