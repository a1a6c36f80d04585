/**
 * auth.test, users.info and users.lookupByEmail: who the bot is and who the people are; usergroups.list and
 * usergroups.users.list over the groups seeded through `PUT /__sim/usergroups/:id`; apps.connections.open (app-level
 * token) hands out a Socket Mode URL.
 */
import { optString, reqString } from './method-args';
import type { SlackMethod } from './method-context';
import { BOT, TEAM, USERS, findUser, renderUser, userEmail } from './seed';
import { SlackApiError } from './slack-api-error';

const authTest: SlackMethod = () => ({
  ok: true,
  url: `https://${TEAM.domain}.slack.com/`,
  team: TEAM.name,
  user: BOT.name,
  team_id: TEAM.id,
  user_id: BOT.userId,
  bot_id: BOT.botId,
  is_enterprise_install: false,
});

const usersInfo: SlackMethod = (args) => {
  const user = findUser(optString(args, 'user'));
  if (!user) throw new SlackApiError('user_not_found');
  return { ok: true, user: renderUser(user) };
};

const usersLookupByEmail: SlackMethod = (args) => {
  const email = reqString(args, 'email').toLowerCase();
  const user = USERS.find((u) => !u.isBot && userEmail(u) === email);
  if (!user) throw new SlackApiError('users_not_found');
  return { ok: true, user: renderUser(user) };
};

const usergroupsList: SlackMethod = (args, ctx) => ({
  ok: true,
  usergroups: (ctx.store.data.usergroups ?? []).map((g) => ({
    id: g.id,
    team_id: TEAM.id,
    is_usergroup: true,
    name: g.name,
    handle: g.handle,
    user_count: g.users.length,
    ...(optString(args, 'include_users') === 'true' ? { users: g.users } : {}),
  })),
});

const usergroupsUsersList: SlackMethod = (args, ctx) => {
  const id = reqString(args, 'usergroup');
  const group = (ctx.store.data.usergroups ?? []).find((g) => g.id === id);
  if (!group) throw new SlackApiError('no_such_subteam');
  return { ok: true, users: [...group.users] };
};

const appsConnectionsOpen: SlackMethod = (_args, ctx) => {
  if (!ctx.socket) throw new SlackApiError('internal_error');
  return { ok: true, url: ctx.socket.issueUrl() };
};

export const identityMethods: Record<string, SlackMethod> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'users.lookupByEmail': usersLookupByEmail,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupsUsersList,
  'apps.connections.open': appsConnectionsOpen,
};

/** Methods that take the app-level token (xapp-…) instead of the bot token, as on Slack. */
export const APP_TOKEN_METHODS: ReadonlySet<string> = new Set(['apps.connections.open']);
