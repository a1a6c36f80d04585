/**
 * The Bolt app behind `POST /slack/events`: Bolt routes actions and views to the review listeners; our fastify
 * route is its receiver. Bolt initialises lazily (its `auth.test`) on the first interaction and again after a failed
 * attempt, so a Slack outage at start-up neither crashes the app nor poisons every later click.
 */
import { App } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import type { Registry } from 'prom-client';
import { webClientOptions } from '../../integrations/slack';
import type { SlackConfig } from '../../runtime/config';
import type { Logger } from '../../runtime/logger';
import { boltLogger } from './bolt-logger';
import { FastifyReceiver, type DispatchResult } from './fastify-receiver';
import { registerReviewHandlers } from './review-handlers';
import { slackActionsCounter } from './slack-metrics';

export interface SlackInteractivity {
  /** Hands a verified, parsed interaction to Bolt; resolves with the listener's ack. */
  dispatch(body: Record<string, unknown>, retry?: { num?: number; reason?: string }): Promise<DispatchResult>;
}

export interface SlackAppDeps {
  slack: SlackConfig;
  temporal: Client;
  registry: Registry;
  log: Logger;
  temporalTimeoutMs?: number;
}

export function createSlackInteractivity(deps: SlackAppDeps): SlackInteractivity {
  const receiver = new FastifyReceiver({ onError: (err) => deps.log.error({ err: (err as Error).message }, 'slack listener failed') });
  const bolt = new App({
    token: deps.slack.botToken,
    signingSecret: deps.slack.signingSecret,
    receiver,
    deferInitialization: true,
    logger: boltLogger(deps.log),
    clientOptions: webClientOptions(deps.slack.apiUrl),
  });
  bolt.error(async (err) => {
    deps.log.error({ err: err.message, code: (err as { code?: string }).code }, 'slack interaction failed');
  });
  registerReviewHandlers(bolt, {
    temporal: deps.temporal,
    reviewerIds: deps.slack.reviewerIds,
    reviewChannel: deps.slack.reviewChannel,
    metrics: slackActionsCounter(deps.registry),
    log: deps.log,
    ...(deps.temporalTimeoutMs !== undefined ? { temporalTimeoutMs: deps.temporalTimeoutMs } : {}),
  });

  let ready: Promise<void> | undefined;
  const init = (): Promise<void> => {
    ready ??= bolt.init().catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };

  return {
    async dispatch(body, retry) {
      await init();
      return receiver.dispatch(body, retry);
    },
  };
}
