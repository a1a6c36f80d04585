/** Builds block_actions and view_submission payloads in the shape Slack sends (bolt-js src/types/*). */
import { APP_ID, TEAM, type SeedChannel, type SeedUser } from './seed';
import type { Json, JsonObject } from './types';

export function payloadUser(u: SeedUser): JsonObject {
  return { id: u.id, username: u.name, name: u.name, team_id: TEAM.id };
}

const TEAM_REF = { id: TEAM.id, domain: TEAM.domain };

export interface ClickedButton {
  action_id: string;
  block_id: string;
  text: string;
  value: string | undefined;
}

/** Finds the button by action_id in actions blocks and section accessories, for its real text, value and block_id. */
export function findButton(blocks: readonly Json[] | undefined, actionId: string): ClickedButton | undefined {
  for (const block of blocks ?? []) {
    if (!isObject(block)) continue;
    const candidates = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    for (const el of candidates) {
      if (!isObject(el) || el.action_id !== actionId) continue;
      const text = isObject(el.text) && typeof el.text.text === 'string' ? el.text.text : actionId;
      return {
        action_id: actionId,
        block_id: typeof block.block_id === 'string' ? block.block_id : '',
        text,
        value: typeof el.value === 'string' ? el.value : undefined,
      };
    }
  }
  return undefined;
}

export function blockActionsPayload(p: {
  user: SeedUser;
  channel: SeedChannel;
  message_ts: string;
  /** undefined for an ephemeral message: Slack sends no message body then. */
  message: JsonObject | undefined;
  button: ClickedButton;
  verificationToken: string;
  trigger_id: string;
  response_url: string;
  action_ts: string;
}): JsonObject {
  const action: JsonObject = {
    action_id: p.button.action_id,
    block_id: p.button.block_id,
    text: { type: 'plain_text', text: p.button.text, emoji: true },
    type: 'button',
    action_ts: p.action_ts,
  };
  if (p.button.value !== undefined) action.value = p.button.value;
  return {
    type: 'block_actions',
    user: payloadUser(p.user),
    api_app_id: APP_ID,
    token: p.verificationToken,
    container: {
      type: 'message',
      message_ts: p.message_ts,
      channel_id: p.channel.id,
      is_ephemeral: p.message === undefined,
    },
    trigger_id: p.trigger_id,
    team: TEAM_REF,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: p.channel.id, name: p.channel.name },
    ...(p.message ? { message: p.message } : {}),
    state: { values: {} },
    response_url: p.response_url,
    actions: [action],
  };
}

export function viewSubmissionPayload(p: {
  user: SeedUser;
  view: JsonObject;
  values: JsonObject;
  verificationToken: string;
  trigger_id: string;
}): JsonObject {
  return {
    type: 'view_submission',
    team: TEAM_REF,
    user: payloadUser(p.user),
    api_app_id: APP_ID,
    token: p.verificationToken,
    trigger_id: p.trigger_id,
    view: { ...p.view, state: { values: p.values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
