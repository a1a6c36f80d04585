/** conversations.history, conversations.replies, conversations.info. */
import { optBool, optInt, optString, reqString, type Args } from './method-args';
import type { SlackMethod } from './method-context';
import { byTsAscending, isTopLevel, renderMessage, repliesOf } from './message-render';
import { findChannel, renderChannel } from './seed';
import { SlackApiError } from './slack-api-error';
import { tsToMicros } from './ids';
import type { StoredMessage } from './types';

const MAX_LIMIT = 999;

/** Cursors look like Slack's: base64 of "next_ts:<ts>", the ts of the first message of the next page. */
function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}
function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith('next_ts:')) throw new SlackApiError('invalid_cursor');
  return tsToMicros(decoded.slice('next_ts:'.length));
}

function channelArg(args: Args): string {
  const channel = findChannel(optString(args, 'channel'));
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel.id;
}

function inWindow(args: Args): (m: StoredMessage) => boolean {
  const oldest = optString(args, 'oldest');
  const latest = optString(args, 'latest');
  const inclusive = optBool(args, 'inclusive');
  const lo = oldest === undefined ? -Infinity : tsToMicros(oldest);
  const hi = latest === undefined ? Infinity : tsToMicros(latest);
  return (m) => {
    const t = tsToMicros(m.ts);
    return inclusive ? t >= lo && t <= hi : t > lo && t < hi;
  };
}

function page(sorted: StoredMessage[], args: Args, newestFirst: boolean): { items: StoredMessage[]; next: string } {
  const limit = Math.min(optInt(args, 'limit', 100), MAX_LIMIT);
  const from = decodeCursor(optString(args, 'cursor'));
  const start =
    from === undefined
      ? 0
      : sorted.findIndex((m) => (newestFirst ? tsToMicros(m.ts) <= from : tsToMicros(m.ts) >= from));
  const rest = start < 0 ? [] : sorted.slice(start);
  const items = rest.slice(0, limit);
  const following = rest[limit];
  return { items, next: following ? encodeCursor(following.ts) : '' };
}

const history: SlackMethod = (args, ctx) => {
  const channel = channelArg(args);
  const all = ctx.store.data.messages;
  const sorted = all
    .filter((m) => m.channel === channel && isTopLevel(m))
    .filter(inWindow(args))
    .sort((a, b) => byTsAscending(b, a));
  const { items, next } = page(sorted, args, true);
  return {
    ok: true,
    messages: items.map((m) => renderMessage(m, all)),
    has_more: next !== '',
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: next },
  };
};

const replies: SlackMethod = (args, ctx) => {
  const channel = channelArg(args);
  const ts = reqString(args, 'ts', 'thread_not_found');
  const all = ctx.store.data.messages;
  const hit = all.find((m) => m.channel === channel && m.ts === ts);
  if (!hit) throw new SlackApiError('thread_not_found');
  // Asking with a reply's ts returns its whole thread, as Slack does.
  const parent = isTopLevel(hit) ? hit : all.find((m) => m.channel === channel && m.ts === hit.thread_ts);
  if (!parent) throw new SlackApiError('thread_not_found');
  const thread = [parent, ...repliesOf(all, parent)].filter(inWindow(args));
  const { items, next } = page(thread, args, false);
  return {
    ok: true,
    messages: items.map((m) => renderMessage(m, all)),
    has_more: next !== '',
    response_metadata: { next_cursor: next },
  };
};

const info: SlackMethod = (args) => {
  const channel = findChannel(optString(args, 'channel'));
  if (!channel) throw new SlackApiError('channel_not_found');
  return { ok: true, channel: renderChannel(channel) };
};

export const conversationMethods: Record<string, SlackMethod> = {
  'conversations.history': history,
  'conversations.replies': replies,
  'conversations.info': info,
};
