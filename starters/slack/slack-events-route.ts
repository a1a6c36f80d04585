/**
 * `POST /slack/events` (docs/architecture.md#slack): Slack's interactivity requests. The signature is verified exactly as Bolt does
 * (`verifySlackRequest`: v0 HMAC-SHA256 of `v0:<ts>:<raw body>`, constant-time compare, timestamps older than 5 min
 * refused) on the raw body, before anything is parsed; a failure is 401 JSON and nothing else happens. Verified
 * `payload=` bodies go to Bolt, which routes them to the review listeners; the answer is the listener's ack, sent as
 * soon as it acks, well inside Slack's 3 s.
 *
 * In Socket Mode the listeners run on the WebSocket the app opens itself (started and stopped with the fastify
 * app), and this route answers 404 `socket_mode` so a stray HTTP delivery is told where interactivity went.
 */
import { verifySlackRequest } from '@slack/bolt';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../http/app-context';
import { createSlackInteractivity, startSlackSocketMode, type SlackInteractivity } from './slack-app';
import { slackActionsCounter } from './slack-metrics';

export const SLACK_EVENTS_PATH = '/slack/events';
/** A click on our review card carries the card: about 6 KB form-encoded even with eight long reasons; 128 KiB is ample. */
export const SLACK_BODY_LIMIT_BYTES = 128 * 1024;

export class UnreadableBody extends Error {}

/** The interaction as Slack sends it: form `payload=<json>` (actions, views), other form fields (slash commands) or JSON (events). */
export function parseSlackBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  const essence = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  try {
    if (essence === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      if (payload !== null) {
        const parsed: unknown = JSON.parse(payload);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new UnreadableBody('payload is not a JSON object');
        return parsed as Record<string, unknown>;
      }
      return Object.fromEntries(form.entries());
    }
    if (essence === 'application/json') {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new UnreadableBody('body is not a JSON object');
      return parsed as Record<string, unknown>;
    }
  } catch (err) {
    throw err instanceof UnreadableBody ? err : new UnreadableBody(`unreadable body: ${(err as Error).message}`);
  }
  throw new UnreadableBody(`unsupported Content-Type ${JSON.stringify(contentType ?? null)}`);
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export function registerSlackEventsRoute(
  app: FastifyInstance,
  ctx: AppContext,
  interactivity?: SlackInteractivity,
): void {
  const slack = ctx.config.slack;
  const metrics = slackActionsCounter(ctx.registry);
  const log = ctx.log.child({ route: SLACK_EVENTS_PATH });
  const socketMode = slack?.socketMode;
  if (slack && socketMode && !interactivity) {
    const socket = startSlackSocketMode({
      slack,
      temporal: ctx.client,
      registry: ctx.registry,
      log: ctx.log.child({ slack: 'socket-mode' }),
      appToken: socketMode.appToken,
    });
    app.addHook('onClose', async () => socket.stop());
  }
  const handler =
    interactivity ??
    (slack && !socketMode
      ? createSlackInteractivity({ slack, temporal: ctx.client, registry: ctx.registry, log })
      : undefined);

  const fail = (reply: FastifyReply, status: number, error: string, message: string) =>
    reply.code(status).type('application/json').send({ error, message });

  // Encapsulated: the raw-body parser applies to this route only (the signature is over the exact bytes).
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scope.post(SLACK_EVENTS_PATH, { bodyLimit: SLACK_BODY_LIMIT_BYTES }, async (request, reply) => {
      if (slack && socketMode && !interactivity) {
        return fail(
          reply,
          404,
          'socket_mode',
          'Slack interactivity is delivered over Socket Mode on this app (SLACK_SOCKET_MODE=true); this HTTP endpoint is not used',
        );
      }
      if (!slack || !handler) return fail(reply, 503, 'not_configured', 'Slack is not configured on this app');
      const raw = typeof request.body === 'string' ? request.body : '';
      try {
        verifySlackRequest({
          signingSecret: slack.signingSecret,
          body: raw,
          headers: {
            'x-slack-signature': header(request.headers['x-slack-signature']) ?? '',
            'x-slack-request-timestamp': Number(header(request.headers['x-slack-request-timestamp'])),
          },
        });
      } catch (err) {
        metrics.inc({ action: 'none', outcome: 'unverified' });
        log.warn({ reason: (err as Error).message }, 'slack request refused: signature');
        return fail(reply, 401, 'invalid_signature', (err as Error).message);
      }

      let body: Record<string, unknown>;
      try {
        body = parseSlackBody(header(request.headers['content-type']), raw);
      } catch (err) {
        return fail(reply, 400, 'bad_request', (err as Error).message);
      }
      if (body.type === 'url_verification' && typeof body.challenge === 'string')
        return reply.send({ challenge: body.challenge });
      if (body.ssl_check !== undefined) return reply.send('');

      const retryNum = Number(header(request.headers['x-slack-retry-num']));
      const retryReason = header(request.headers['x-slack-retry-reason']);
      let result;
      try {
        result = await handler.dispatch(body, {
          ...(Number.isFinite(retryNum) ? { num: retryNum } : {}),
          ...(retryReason ? { reason: retryReason } : {}),
        });
      } catch (err) {
        log.error({ err: (err as Error).message }, 'slack app not ready');
        return fail(reply, 503, 'unavailable', 'The Slack app could not initialise; try again shortly');
      }
      switch (result.kind) {
        case 'acked':
          if (result.body === undefined || result.body === '') return reply.code(200).send('');
          return typeof result.body === 'string'
            ? reply.code(200).type('text/plain').send(result.body)
            : reply.code(200).send(result.body);
        case 'unhandled':
          return fail(reply, 404, 'unhandled', `No listener for this ${String(body.type ?? 'request')}`);
        case 'failed':
          return fail(reply, 500, 'listener_failed', 'The interaction could not be handled');
        case 'timeout':
          return reply.code(200).send('');
      }
    });
  });
}
