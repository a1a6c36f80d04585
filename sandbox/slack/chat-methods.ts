/** chat.postMessage, chat.update, chat.delete, chat.postEphemeral. */
import { optJsonArray, optString, reqString, type Args } from './method-args';
import type { MethodContext, SlackMethod } from './method-context';
import { renderMessage } from './message-render';
import { BOT, findChannel, findUser } from './seed';
import { SlackApiError } from './slack-api-error';
import type { StateStore } from './state-store';
import type { StoredMessage } from './types';

function channelArg(args: Args): string {
  const channel = findChannel(optString(args, 'channel'));
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel.id;
}

function content(args: Args): Pick<StoredMessage, 'text' | 'blocks' | 'attachments'> {
  const blocks = optJsonArray(args, 'blocks', 'invalid_blocks_format');
  const attachments = optJsonArray(args, 'attachments', 'invalid_attachments');
  const text = optString(args, 'text');
  if (text === undefined && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
  return { text: text ?? '', ...(blocks ? { blocks } : {}), ...(attachments ? { attachments } : {}) };
}

export function findMessage(ctx: MethodContext, channel: string, ts: string): StoredMessage | undefined {
  return ctx.store.data.messages.find((m) => m.channel === channel && m.ts === ts);
}

/** A thread_ts naming no top-level message is refused (a simulator choice, see README) so a wrong ts fails loudly. */
const postMessage: SlackMethod = (args, ctx) => {
  const channel = channelArg(args);
  const body = content(args);
  const threadTs = optString(args, 'thread_ts');
  if (threadTs !== undefined) {
    const parent = findMessage(ctx, channel, threadTs);
    if (!parent) throw new SlackApiError('thread_not_found');
    if (parent.thread_ts && parent.thread_ts !== parent.ts) throw new SlackApiError('thread_not_found');
  }
  const message: StoredMessage = {
    channel,
    ts: ctx.store.newTs(ctx.nowMs()),
    user: BOT.userId,
    ...body,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  ctx.store.data.messages.push(message);
  ctx.store.commit();
  return { ok: true, channel, ts: message.ts, message: renderMessage(message, ctx.store.data.messages) };
};

const update: SlackMethod = (args, ctx) => {
  const channel = channelArg(args);
  const ts = reqString(args, 'ts', 'message_not_found');
  const message = findMessage(ctx, channel, ts);
  if (!message) throw new SlackApiError('message_not_found');
  if (message.user !== BOT.userId) throw new SlackApiError('cant_update_message');
  const blocks = optJsonArray(args, 'blocks', 'invalid_blocks_format');
  const attachments = optJsonArray(args, 'attachments', 'invalid_attachments');
  const text = optString(args, 'text');
  if (text === undefined && blocks === undefined && attachments === undefined) throw new SlackApiError('no_text');
  // Like Slack: fields not sent are kept, so a text-only update leaves the blocks in place.
  if (text !== undefined) message.text = text;
  if (blocks !== undefined) message.blocks = blocks;
  if (attachments !== undefined) message.attachments = attachments;
  message.edited = { user: BOT.userId, ts: ctx.store.newTs(ctx.nowMs()) };
  ctx.store.commit();
  return { ok: true, channel, ts, text: message.text, message: renderMessage(message, ctx.store.data.messages) };
};

const remove: SlackMethod = (args, ctx) => {
  const channel = channelArg(args);
  const ts = reqString(args, 'ts', 'message_not_found');
  const message = findMessage(ctx, channel, ts);
  if (!message) throw new SlackApiError('message_not_found');
  deleteMessage(ctx.store, message);
  return { ok: true, channel, ts };
};

export function deleteMessage(store: StateStore, message: StoredMessage): void {
  store.data.messages = store.data.messages.filter((m) => m !== message);
  store.commit();
}

const postEphemeral: SlackMethod = (args, ctx) => {
  const channel = channelArg(args);
  const user = findUser(optString(args, 'user'));
  if (!user) throw new SlackApiError('user_not_found');
  const body = content(args);
  const threadTs = optString(args, 'thread_ts');
  const message_ts = ctx.store.newTs(ctx.nowMs());
  ctx.store.data.ephemerals.push({
    channel,
    user: user.id,
    message_ts,
    text: body.text,
    ...(body.blocks ? { blocks: body.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    source: 'chat.postEphemeral',
  });
  ctx.store.commit();
  return { ok: true, message_ts };
};

export const chatMethods: Record<string, SlackMethod> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': remove,
  'chat.postEphemeral': postEphemeral,
};
