/**
 * `POST /webhooks/pipedrive` (docs/architecture.md#intake): Basic auth (constant time) ⇒ 401, JSON only ⇒ 415, body limit ⇒ 413,
 * invalid JSON or payload ⇒ 400. Every refusal is a JSON body saying why, never HTML or a stack; every answer is
 * counted by outcome and timed.
 *
 * A valid delivery is then written to the intake outbox (fsynced) and handed to the drainer, which runs the intake
 * (starters/intake/webhook-intake.ts). Admission control: the answer waits for that first attempt at most
 * INTAKE_ACK_BUDGET_MS from arrival; the real outcome if it came in time (accepted, duplicate, signalled, ignored,
 * loop-dropped), else 202 `{ outcome: "queued", deliveryId }`. A Temporal or Pipedrive outage therefore answers a
 * durable 202 "queued" (the drainer retries until it lands, across restarts) where it used to answer 503: Pipedrive's
 * retries are not needed and its webhook is never banned for it. Only a failed outbox write (disk) answers 503.
 * Deliveries the intake ignores without any I/O (not a deal, a delete) are answered at once, not buffered.
 */
import { join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseWebhookV2 } from '../../../domain/webhook-v2';
import { PipedriveClient } from '../../../integrations/pipedrive';
import { isAuthorized } from '../../intake/basic-auth';
import { quickIgnoreReason } from '../../intake/intake-decision';
import { intakeMetrics, observeOutbox, type IntakeOutcome } from '../../intake/intake-metrics';
import { IntakeOutbox, OUTBOX_FILE, type OutboxRow } from '../../intake/outbox';
import { OutboxDrainer, type FirstAttempt } from '../../intake/outbox-drainer';
import { WebhookIntake } from '../../intake/webhook-intake';
import { OnboardingStarter } from '../../start-onboarding';
import type { AppContext } from '../app-context';

export const PIPEDRIVE_WEBHOOK_PATH = '/webhooks/pipedrive';

const outcomes = new WeakMap<FastifyRequest, IntakeOutcome>();

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  status: 400 | 401 | 413 | 415,
  body: Record<string, unknown>,
): FastifyReply {
  outcomes.set(request, `refused_${status}`);
  return reply.code(status).type('application/json').send(body);
}

function isJson(contentType: string | undefined): boolean {
  const essence = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(essence);
}

/** The first attempt's outcome if it comes within `ms`, else `queued` (the attempt carries on in the drainer). */
function withinBudget(first: Promise<FirstAttempt>, ms: number): Promise<FirstAttempt> {
  if (ms <= 0) return Promise.race([first, Promise.resolve<FirstAttempt>({ kind: 'queued' })]);
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<FirstAttempt>((resolve) => (timer = setTimeout(() => resolve({ kind: 'queued' }), ms)));
  return Promise.race([first, expiry]).finally(() => clearTimeout(timer));
}

export function registerPipedriveWebhookRoute(app: FastifyInstance, ctx: AppContext): void {
  const metrics = intakeMetrics(ctx.registry);
  const pd = ctx.config.pipedrive;
  const overrides = ctx.webhookIntake ?? {};
  const lookups =
    overrides.pipedrive ??
    (pd ? new PipedriveClient({ apiUrl: pd.apiUrl, apiToken: pd.apiToken, timeoutMs: 4_000 }) : undefined);
  const intake = lookups
    ? new WebhookIntake({
        lookups,
        starter: new OnboardingStarter(ctx.connection, ctx.config.temporal.namespace, {
          reviewEscalationAfterMs: ctx.config.onboarding.reviewEscalationAfterMs,
          vendorOutageReviewAfterMs: ctx.config.onboarding.vendorOutageReviewAfterMs,
        }),
        client: ctx.client,
        connection: ctx.connection,
        log: ctx.log,
        taskQueue: overrides.taskQueue,
        temporalTimeoutMs: overrides.temporalTimeoutMs,
      })
    : undefined;
  const bodyLimit = ctx.config.app.webhookBodyLimitBytes;
  const { ackBudgetMs, drainConcurrency } = ctx.config.intake;
  // Opened only when the intake can run: apps built without Pipedrive (tests of other routes) touch no file.
  const outbox = intake
    ? (overrides.outbox ??
      new IntakeOutbox(join(ctx.config.dataDir, OUTBOX_FILE), {
        onCommit: (c) => metrics.commitSeconds.observe(c.seconds),
        synchronous: ctx.config.intake.outboxSync,
      }))
    : undefined;
  const drainer =
    intake && outbox
      ? new OutboxDrainer({
          outbox,
          handle: (event, receivedAt) => intake.handle(event, receivedAt),
          log: ctx.log,
          concurrency: drainConcurrency,
          retryMaxMs: overrides.drainRetryMaxMs,
          onAttempt: (result, final) => metrics.drained.inc({ outcome: result.outcome, final: String(final) }),
          onDeadLetter: () => metrics.deadLettered.inc(),
        })
      : undefined;
  if (outbox && drainer) {
    const unobserve = observeOutbox(ctx.registry, () => ({
      ...outbox.stats(),
      deadLetters: outbox.deadLetterStats().count,
    }));
    app.addHook('onReady', async () => drainer.start());
    // The server no longer accepts requests by now; in-flight drains get a moment, the rest stays on disk.
    app.addHook('onClose', async () => {
      unobserve();
      await drainer.stop(2_000);
      await outbox.close();
    });
  }

  // Encapsulated: the hooks and error handler apply to this route only.
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (!pd) {
        outcomes.set(request, 'unavailable');
        return reply.code(503).send({ error: 'not_configured', message: 'Pipedrive is not configured on this app' });
      }
      if (!isAuthorized(request.headers.authorization, { user: pd.webhookUser, password: pd.webhookPassword })) {
        reply.header('WWW-Authenticate', 'Basic realm="pipedrive-webhook", charset="UTF-8"');
        return refuse(request, reply, 401, {
          error: 'unauthorized',
          message: 'Basic credentials missing or wrong for this webhook',
        });
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
        return refuse(request, reply, 413, {
          error: 'payload_too_large',
          message: `Body exceeds ${bodyLimit} bytes`,
          limitBytes: bodyLimit,
        });
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.statusCode === 415) {
        return refuse(request, reply, 415, {
          error: 'unsupported_media_type',
          message: 'Content-Type must be application/json',
        });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return refuse(request, reply, 400, {
          error: 'invalid_json',
          message: 'Body is not valid JSON',
          issues: [error.message],
        });
      }
      ctx.log.error({ err: error.message }, 'pipedrive webhook: unexpected failure');
      outcomes.set(request, 'error');
      return reply
        .code(500)
        .send({ error: 'internal_error', message: 'The webhook could not be processed; retry later' });
    });

    scope.post(PIPEDRIVE_WEBHOOK_PATH, { bodyLimit }, async (request, reply) => {
      const receivedAt = new Date();
      const parsed = parseWebhookV2(request.body);
      if (!parsed.ok) {
        return refuse(request, reply, 400, {
          error: 'invalid_payload',
          message: 'Not a Pipedrive webhook v2 payload',
          issues: parsed.issues,
        });
      }
      if (quickIgnoreReason(parsed.event) !== undefined) {
        const result = await intake!.handle(parsed.event, receivedAt);
        outcomes.set(request, result.outcome);
        return reply.code(result.status).send(result.body);
      }
      let row: OutboxRow;
      try {
        row = await outbox!.append(parsed.event, receivedAt);
      } catch (err) {
        ctx.log.error(
          { eventId: parsed.event.meta.id, err: (err as Error).message },
          'pipedrive webhook: could not write the delivery to the intake outbox',
        );
        outcomes.set(request, 'unavailable');
        return reply.code(503).send({ error: 'unavailable', message: 'The delivery could not be stored; retry later' });
      }
      const first = await withinBudget(drainer!.submit(row), ackBudgetMs - (Date.now() - receivedAt.getTime()));
      if (first.kind === 'final') {
        outcomes.set(request, first.result.outcome);
        return reply.code(first.result.status).send(first.result.body);
      }
      outcomes.set(request, 'queued');
      return reply.code(202).send({ outcome: 'queued', deliveryId: String(row.id) });
    });
  });
}
