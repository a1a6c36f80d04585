/** The fixed sandbox workspace: one team, a bot, two channels and three people (fake names, fake addresses). */

export const TEAM = { id: 'T0SANDBOX', name: 'Acme Sandbox', domain: 'acme-sandbox' } as const;
export const APP_ID = 'A0SANDBOX';
export const BOT = {
  userId: 'U0SANDBOT',
  botId: 'B0SANDBOT',
  name: 'onboarding-bot',
  realName: 'Onboarding Bot',
} as const;

export interface SeedChannel {
  id: string;
  name: string;
}
export const CHANNELS: readonly SeedChannel[] = [
  { id: 'C0REVIEW', name: 'onboarding-review' },
  { id: 'C0ESCAL', name: 'billing-escalations' },
];
export const REVIEW_CHANNEL_ID = 'C0REVIEW';

export interface SeedUser {
  id: string;
  name: string;
  realName: string;
  isBot: boolean;
  isReviewer: boolean;
}
export const USERS: readonly SeedUser[] = [
  { id: 'U0REVIEWER1', name: 'rita.reviewer', realName: 'Rita Reviewer', isBot: false, isReviewer: true },
  { id: 'U0REVIEWER2', name: 'bea.billing', realName: 'Bea Billing', isBot: false, isReviewer: true },
  { id: 'U0OUTSIDER', name: 'otto.outsider', realName: 'Otto Outsider', isBot: false, isReviewer: false },
  { id: BOT.userId, name: BOT.name, realName: BOT.realName, isBot: true, isReviewer: false },
];
export const REVIEWER_IDS = USERS.filter((u) => u.isReviewer).map((u) => u.id);

/** Accepts an id (C0REVIEW), a name (onboarding-review) or a #name, as chat.postMessage does. */
export function findChannel(ref: string | undefined): SeedChannel | undefined {
  if (!ref) return undefined;
  const name = ref.startsWith('#') ? ref.slice(1) : ref;
  return CHANNELS.find((c) => c.id === ref || c.name === name);
}

export function findUser(id: string | undefined): SeedUser | undefined {
  return id ? USERS.find((u) => u.id === id) : undefined;
}

/** Addresses live under the reserved .example domain (the Pipedrive sandbox's users share it: `bea.billing@…`). */
export function userEmail(u: SeedUser): string {
  return `${u.name}@${TEAM.domain}.example`;
}

/** The users.info shape. */
export function renderUser(u: SeedUser): Record<string, unknown> {
  const [first = '', last = ''] = u.realName.split(' ');
  return {
    id: u.id,
    team_id: TEAM.id,
    name: u.name,
    deleted: false,
    real_name: u.realName,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    is_admin: false,
    is_owner: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: 1700000000,
    profile: {
      real_name: u.realName,
      real_name_normalized: u.realName,
      display_name: u.realName,
      display_name_normalized: u.realName,
      first_name: first,
      last_name: last,
      title: u.isReviewer ? 'Billing operations' : '',
      email: u.isBot ? undefined : userEmail(u),
      ...(u.isBot ? { bot_id: BOT.botId, api_app_id: APP_ID } : {}),
      image_48: 'https://a.slack-edge.com/80588/img/avatars/ava_0001-48.png',
      team: TEAM.id,
    },
  };
}

export function renderChannel(c: SeedChannel): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_private: false,
    is_archived: false,
    is_general: false,
    is_member: true,
    created: 1700000000,
    creator: 'U0REVIEWER1',
    context_team_id: TEAM.id,
  };
}
