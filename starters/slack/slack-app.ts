/**
 * The Bolt app behind `POST /slack/events`: Bolt routes actions and views to the review listeners; our fastify
 * route is its receiver. Bolt initialises lazily (its `auth.test`) on the first interaction and again after a failed
 * attempt, so a Slack outage at start-up neither crashes the app nor poisons every later click.
 *
 * In Socket Mode (SLACK_SOCKET_MODE=true, for teams without a public URL) the same listeners run under Bolt's
 * SocketModeReceiver: the app opens the WebSocket itself (`apps.connections.open` with the app-level token) and
 * Slack delivers the clicks over it; the SDK reconnects on its own when the socket drops.
 */
import { App, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import type { Registry } from 'prom-client';
import { ReviewerDirectory, SlackClient, webClientOptions } from '../../integrations/slack';
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

/** Reviewers for the click handlers: listed ids plus user-group members, over the bot token. */
export function reviewerDirectory(slack: SlackConfig, log: Logger): ReviewerDirectory {
  return new ReviewerDirectory({
    client: new SlackClient({ apiUrl: slack.apiUrl, botToken: slack.botToken }),
    reviewerIds: slack.reviewerIds,
    reviewerGroups: slack.reviewerGroups ?? [],
    onGroupError: (group, err) =>
      log.warn(
        { group, err: (err as Error).message },
        'could not read a reviewer user group; its members cannot decide until it can be read',
      ),
  });
}

function boltApp(deps: SlackAppDeps, receiver: Receiver): App {
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
    reviewers: reviewerDirectory(deps.slack, deps.log),
    reviewChannel: deps.slack.reviewChannel,
    metrics: slackActionsCounter(deps.registry),
    log: deps.log,
    ...(deps.temporalTimeoutMs !== undefined ? { temporalTimeoutMs: deps.temporalTimeoutMs } : {}),
  });
  return bolt;
}

export function createSlackInteractivity(deps: SlackAppDeps): SlackInteractivity {
  const receiver = new FastifyReceiver({
    onError: (err) => deps.log.error({ err: (err as Error).message }, 'slack listener failed'),
  });
  const bolt = boltApp(deps, receiver);

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

export interface SlackSocketMode {
  /** Resolves once Slack said hello on the socket (or rejects when the app token is refused). */
  connected: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the review listeners over Socket Mode. Never throws: a refused token or an unreachable Slack is logged
 * (the SDK keeps retrying recoverable failures), so the HTTP app still starts and serves everything else.
 */
export function startSlackSocketMode(deps: SlackAppDeps & { appToken: string }): SlackSocketMode {
  // The socket client logs whole envelopes at debug level (they carry what reviewers typed): keep debug out.
  const logger = { ...boltLogger(deps.log), debug: () => undefined };
  const receiver = new SocketModeReceiver({
    appToken: deps.appToken,
    logger,
    installerOptions: { clientOptions: webClientOptions(deps.slack.apiUrl) },
  });
  const bolt = boltApp(deps, receiver);
  let stopped = false;
  const connected = (async () => {
    await bolt.init();
    if (stopped) return;
    await bolt.start();
    deps.log.info('slack socket mode connected');
  })();
  connected.catch((err: unknown) =>
    deps.log.error({ err: (err as Error).message }, 'slack socket mode could not connect'),
  );
  return {
    connected,
    async stop() {
      stopped = true;
      await bolt
        .stop()
        .catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'slack socket mode stop failed'));
    },
  };
}
