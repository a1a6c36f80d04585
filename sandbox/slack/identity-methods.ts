/** auth.test and users.info: who the bot is and who the people are. */
import { optString } from './method-args';
import type { SlackMethod } from './method-context';
import { BOT, TEAM, findUser, renderUser } from './seed';
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

export const identityMethods: Record<string, SlackMethod> = {
  'auth.test': authTest,
  'users.info': usersInfo,
};
