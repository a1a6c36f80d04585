/**
 * The few Slack Web API calls the product makes, over the official WebClient. Retries are Temporal's job (one
 * policy for every vendor), so the client itself never retries and never waits out a rate limit: a 429 comes back at
 * once as a transient VendorError carrying Slack's Retry-After. Free of Temporal, so the app and the CLI use it too.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import { LogLevel, WebClient } from '@slack/web-api';
import { toSlackVendorError } from './slack-error';

export interface SlackClientOptions {
  /** Web API base, e.g. `https://slack.com/api/` or the simulator's `http://127.0.0.1:4030/api/`. */
  apiUrl: string;
  botToken: string;
  /** Per-call timeout; default 10 s. */
  timeoutMs?: number;
}

export interface SlackMessageRef {
  channel: string;
  ts: string;
}

export interface SlackMessage {
  channel: string;
  /** Fallback text for notifications and clients that cannot render blocks. */
  text: string;
  blocks?: KnownBlock[];
  threadTs?: string;
}

/** WebClient options shared by this client and the Bolt app: Temporal retries, not the client. */
export function webClientOptions(apiUrl: string, timeoutMs = 10_000) {
  return {
    slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
  };
}

export class SlackClient {
  readonly web: WebClient;

  constructor(opts: SlackClientOptions) {
    // Failures surface as VendorError to the caller; the client's own console warnings would only duplicate them.
    this.web = new WebClient(opts.botToken, {
      ...webClientOptions(opts.apiUrl, opts.timeoutMs),
      logLevel: LogLevel.ERROR,
    });
  }

  async postMessage(msg: SlackMessage): Promise<SlackMessageRef> {
    const res = await this.call('chat.postMessage', () =>
      this.web.chat.postMessage({
        channel: msg.channel,
        text: msg.text,
        ...(msg.blocks ? { blocks: msg.blocks } : {}),
        ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return { channel: String(res.channel ?? msg.channel), ts: String(res.ts) };
  }

  /** Replaces a message's text and blocks in place. */
  async updateMessage(ref: SlackMessageRef, text: string, blocks: KnownBlock[]): Promise<void> {
    await this.call('chat.update', () => this.web.chat.update({ channel: ref.channel, ts: ref.ts, text, blocks }));
  }

  /** A message only `user` sees. */
  async postEphemeral(channel: string, user: string, text: string): Promise<void> {
    await this.call('chat.postEphemeral', () => this.web.chat.postEphemeral({ channel, user, text }));
  }

  async openView(triggerId: string, view: ModalView): Promise<{ viewId: string }> {
    const res = await this.call('views.open', () => this.web.views.open({ trigger_id: triggerId, view }));
    return { viewId: String(res.view?.id ?? '') };
  }

  /** Members (user ids) of a user group; `usergroups.users.list` needs the `usergroups:read` scope. */
  async usergroupMembers(usergroupId: string): Promise<string[]> {
    const res = await this.call('usergroups.users.list', () =>
      this.web.usergroups.users.list({ usergroup: usergroupId }),
    );
    return (res.users ?? []).map(String);
  }

  /** The workspace member with this e-mail, or undefined when there is none (`users_not_found`). */
  async lookupUserByEmail(email: string): Promise<string | undefined> {
    try {
      const res = await this.web.users.lookupByEmail({ email });
      return res.user?.id ?? undefined;
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') return undefined;
      throw toSlackVendorError(err, 'users.lookupByEmail');
    }
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toSlackVendorError(err, method);
    }
  }
}
