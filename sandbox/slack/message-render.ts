/** Turns stored messages into the objects Slack returns, with thread fields derived from the stored replies. */
import { APP_ID, BOT, TEAM } from './seed';
import { tsToMicros } from './ids';
import type { StoredMessage } from './types';

const BOT_PROFILE = {
  id: BOT.botId,
  app_id: APP_ID,
  name: BOT.realName,
  deleted: false,
  team_id: TEAM.id,
  icons: { image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png' },
};

export function repliesOf(all: readonly StoredMessage[], parent: StoredMessage): StoredMessage[] {
  return all
    .filter((m) => m.channel === parent.channel && m.thread_ts === parent.ts && m.ts !== parent.ts)
    .sort(byTsAscending);
}

export function byTsAscending(a: { ts: string }, b: { ts: string }): number {
  return tsToMicros(a.ts) - tsToMicros(b.ts);
}

export function isTopLevel(m: StoredMessage): boolean {
  return m.thread_ts === undefined || m.thread_ts === m.ts;
}

export function renderMessage(m: StoredMessage, all: readonly StoredMessage[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'message',
    text: m.text,
    user: m.user,
    ...(m.user === BOT.userId ? { bot_id: BOT.botId, app_id: APP_ID, bot_profile: BOT_PROFILE } : {}),
    team: TEAM.id,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.attachments ? { attachments: m.attachments } : {}),
    ts: m.ts,
    ...(m.edited ? { edited: m.edited } : {}),
  };
  if (!isTopLevel(m) && m.thread_ts) {
    out.thread_ts = m.thread_ts;
    const parent = all.find((p) => p.channel === m.channel && p.ts === m.thread_ts);
    if (parent) out.parent_user_id = parent.user;
    return out;
  }
  const replies = repliesOf(all, m);
  const last = replies[replies.length - 1];
  if (last) {
    const users = [...new Set(replies.map((r) => r.user))];
    Object.assign(out, {
      thread_ts: m.ts,
      reply_count: replies.length,
      reply_users_count: users.length,
      latest_reply: last.ts,
      reply_users: users,
      is_locked: false,
      subscribed: false,
    });
  }
  return out;
}
