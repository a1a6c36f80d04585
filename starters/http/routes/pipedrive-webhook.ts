/**
 * `POST /webhooks/pipedrive` (DESIGN.md §2/§4): Basic auth (constant time) ⇒ 401, JSON only ⇒ 415, body limit ⇒ 413,
 * invalid JSON or payload ⇒ 400, then the intake decides (starters/intake). Every refusal is a JSON body saying why,
 * never HTML or a stack; every answer is counted by outcome and timed.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseWebhookV2 } from '../../../domain/webhook-v2';
import { PipedriveClient } from '../../../integrations/pipedrive';
import { isAuthorized } from '../../intake/basic-auth';
import { intakeMetrics, type IntakeOutcome } from '../../intake/intake-metrics';
import { WebhookIntake } from '../../intake/webhook-intake';
import { OnboardingStarter } from '../../start-onboarding';
import type { AppContext } from '../app-context';

export const PIPEDRIVE_WEBHOOK_PATH = '/webhooks/pipedrive';

const outcomes = new WeakMap<FastifyRequest, IntakeOutcome>();

function refuse(request: FastifyRequest, reply: FastifyReply, status: 400 | 401 | 413 | 415, body: Record<string, unknown>): FastifyReply {
  outcomes.set(request, `refused_${status}`);
  return reply.code(status).type('application/json').send(body);
}

function isJson(contentType: string | undefined): boolean {
  const essence = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(essence);
}

export function registerPipedriveWebhookRoute(app: FastifyInstance, ctx: AppContext): void {
  const metrics = intakeMetrics(ctx.registry);
  const pd = ctx.config.pipedrive;
  const overrides = ctx.webhookIntake ?? {};
  const lookups = overrides.pipedrive ?? (pd ? new PipedriveClient({ apiUrl: pd.apiUrl, apiToken: pd.apiToken, timeoutMs: 4_000 }) : undefined);
  const intake = lookups
    ? new WebhookIntake({
        lookups,
        starter: new OnboardingStarter(ctx.connection, ctx.config.temporal.namespace, { reviewEscalationAfterMs: ctx.config.onboarding.reviewEscalationAfterMs }),
        client: ctx.client,
        connection: ctx.connection,
        log: ctx.log,
        taskQueue: overrides.taskQueue,
        temporalTimeoutMs: overrides.temporalTimeoutMs,
      })
    : undefined;
  const bodyLimit = ctx.config.app.webhookBodyLimitBytes;

  // Encapsulated: the hooks and error handler apply to this route only.
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (!pd) {
        outcomes.set(request, 'unavailable');
        return reply.code(503).send({ error: 'not_configured', message: 'Pipedrive is not configured on this app' });
      }
      if (!isAuthorized(request.headers.authorization, { user: pd.webhookUser, password: pd.webhookPassword })) {
        reply.header('WWW-Authenticate', 'Basic realm="pipedrive-webhook", charset="UTF-8"');
        return refuse(request, reply, 401, { error: 'unauthorized', message: 'Basic credentials missing or wrong for this webhook' });
      }
      if (!isJson(request.headers['content-type'])) {
        return refuse(request, reply, 415, {
          error: 'unsupported_media_type',
          message: `Content-Type must be application/json (got ${JSON.stringify(request.headers['content-type'] ?? null)})`,
        });
      }
      return undefined;
    });

    scope.addHook('onResponse', async (request, reply) => {
      metrics.outcomes.inc({ outcome: outcomes.get(request) ?? (reply.statusCode >= 500 ? 'error' : 'refused_400') });
      metrics.ackSeconds.observe(reply.elapsedTime / 1000);
    });

    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
        return refuse(request, reply, 413, { error: 'payload_too_large', message: `Body exceeds ${bodyLimit} bytes`, limitBytes: bodyLimit });
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.statusCode === 415) {
        return refuse(request, reply, 415, { error: 'unsupported_media_type', message: 'Content-Type must be application/json' });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return refuse(request, reply, 400, { error: 'invalid_json', message: 'Body is not valid JSON', issues: [error.message] });
      }
      ctx.log.error({ err: error.message }, 'pipedrive webhook: unexpected failure');
      outcomes.set(request, 'error');
      return reply.code(500).send({ error: 'internal_error', message: 'The webhook could not be processed; retry later' });
    });

    scope.post(PIPEDRIVE_WEBHOOK_PATH, { bodyLimit }, async (request, reply) => {
      const receivedAt = new Date();
      const parsed = parseWebhookV2(request.body);
      if (!parsed.ok) {
        return refuse(request, reply, 400, { error: 'invalid_payload', message: 'Not a Pipedrive webhook v2 payload', issues: parsed.issues });
      }
      const result = await intake!.handle(parsed.event, receivedAt);
      outcomes.set(request, result.outcome);
      return reply.code(result.status).send(result.body);
    });
  });
}
