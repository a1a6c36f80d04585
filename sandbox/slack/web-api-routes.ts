/**
 * /api/<method>: Slack's Web API envelope. Auth by Bearer header or `token` field; failures are HTTP 200 with
 * ok:false; only rate limiting uses a status code (429 + Retry-After), as on slack.com.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chatMethods } from './chat-methods';
import { conversationMethods } from './conversation-methods';
import { APP_TOKEN_METHODS, identityMethods } from './identity-methods';
import type { Args } from './method-args';
import type { MethodContext, SlackMethod } from './method-context';
import type { RateLimiter } from './rate-limiter';
import { SlackApiError } from './slack-api-error';
import { viewMethods } from './view-methods';

const METHODS: Record<string, SlackMethod> = {
  ...identityMethods,
  ...chatMethods,
  ...conversationMethods,
  ...viewMethods,
};

/** Slack reports granted and accepted scopes in headers; WebClient copies them into response_metadata. */
const BOT_SCOPES = 'chat:write,channels:history,channels:read,users:read,users:read.email,usergroups:read';
const ACCEPTED_SCOPES: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'conversations.history': 'channels:history,groups:history,im:history,mpim:history',
  'conversations.replies': 'channels:history,groups:history,im:history,mpim:history',
  'conversations.info': 'channels:read,groups:read,im:read,mpim:read',
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'apps.connections.open': 'connections:write',
};

export function registerWebApiRoutes(
  app: FastifyInstance,
  deps: { ctx: MethodContext; limiter: RateLimiter; log: (line: string) => void },
): void {
  const handler = async (req: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
    const method = req.params.method;
    const retryAfter = deps.limiter.take(deps.ctx.nowMs());
    if (retryAfter !== undefined) {
      deps.log(`${method} rate_limited retry_after=${retryAfter}s`);
      return reply.code(429).header('Retry-After', String(retryAfter)).send({ ok: false, error: 'ratelimited' });
    }
    const args: Args = { ...(req.query as Args), ...(isRecord(req.body) ? req.body : {}) };
    try {
      checkToken(req, args, method, deps.ctx.store.data);
      const impl = METHODS[method];
      if (!impl) throw new SlackApiError('unknown_method', { req_method: method });
      const result = impl(args, deps.ctx);
      deps.log(`${method} ok${logHint(args)}`);
      reply.header('X-OAuth-Scopes', BOT_SCOPES);
      const accepted = ACCEPTED_SCOPES[method];
      if (accepted) reply.header('X-Accepted-OAuth-Scopes', accepted);
      return reply.send(result);
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      deps.log(`${method} error=${err.code}${logHint(args)}`);
      return reply.send({ ok: false, error: err.code, ...err.extra });
    }
  };
  app.route({ method: ['GET', 'POST'], url: '/api/:method', handler });
}

/** Bot token for everything but apps.connections.open, which takes the app-level token (and only it). */
function checkToken(
  req: FastifyRequest,
  args: Args,
  method: string,
  tokens: { botToken: string; appToken?: string | undefined },
): void {
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  const token = bearer || (typeof args.token === 'string' ? args.token : undefined);
  if (!token) throw new SlackApiError('not_authed');
  const wantsAppToken = APP_TOKEN_METHODS.has(method);
  if (token === tokens.botToken) {
    if (wantsAppToken) throw new SlackApiError('not_allowed_token_type');
    return;
  }
  if (tokens.appToken !== undefined && token === tokens.appToken) {
    if (!wantsAppToken) throw new SlackApiError('not_allowed_token_type');
    return;
  }
  throw new SlackApiError('invalid_auth');
}

/** Ids only: message text and user input may carry personal data and stay out of logs. */
function logHint(args: Args): string {
  const parts = ['channel', 'ts', 'thread_ts', 'user']
    .filter((k) => typeof args[k] === 'string' && args[k] !== '')
    .map((k) => `${k}=${String(args[k])}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

function isRecord(v: unknown): v is Args {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
