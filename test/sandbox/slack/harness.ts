/** Shared by the Slack simulator tests: admin-route calls, a Bolt app on a free loopback port, a review card. */
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { RunningSlackSimulator } from '../../../sandbox/slack';

export async function simPost<T = Record<string, unknown>>(
  sim: RunningSlackSimulator,
  path: string,
  body: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

export async function simGet<T = Record<string, unknown>>(sim: RunningSlackSimulator, path: string): Promise<T> {
  const res = await fetch(`${sim.url}${path}`);
  return (await res.json()) as T;
}

export function webClient(sim: RunningSlackSimulator, token = sim.stackEntry.botToken): WebClient {
  return new WebClient(token, {
    slackApiUrl: sim.stackEntry.url,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
}

export interface RunningBolt {
  app: App;
  eventsUrl: string;
  stop(): Promise<void>;
}

/** A Bolt app in HTTP mode whose WebClient talks to the simulator; the simulator's interactivity URL points at it. */
export async function startBolt(sim: RunningSlackSimulator, register: (app: App) => void): Promise<RunningBolt> {
  const app = new App({
    token: sim.stackEntry.botToken,
    signingSecret: sim.stackEntry.signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: sim.stackEntry.url, retryConfig: { retries: 0 } },
  });
  register(app);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo | string | null };
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  sim.setInteractivityUrl(eventsUrl);
  return { app, eventsUrl, stop: () => app.stop() as Promise<void> };
}

export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A review card like the product posts: a summary section and approve/cancel buttons. */
export function reviewCardBlocks(dealId: string) {
  return [
    {
      type: 'section',
      block_id: 'summary',
      text: { type: 'mrkdwn', text: `*Deal ${dealId}* needs review: tax id missing` },
    },
    {
      type: 'actions',
      block_id: `review:${dealId}`,
      elements: [
        {
          type: 'button',
          action_id: 'review_retry',
          text: { type: 'plain_text', text: 'Retry' },
          value: `retry:${dealId}`,
          style: 'primary',
        },
        {
          type: 'button',
          action_id: 'review_fix',
          text: { type: 'plain_text', text: 'Apply fix…' },
          value: `fix:${dealId}`,
        },
        {
          type: 'button',
          action_id: 'review_cancel',
          text: { type: 'plain_text', text: 'Cancel' },
          value: `cancel:${dealId}`,
          style: 'danger',
        },
      ],
    },
  ];
}
