/**
 * views.open / views.push / views.update. A trigger_id is usable once, and only for triggerTtlMs after the
 * interaction that issued it (Slack: 3 s; the simulator is more lenient by default, see README).
 */
import { randomBytes } from 'node:crypto';
import { slackId } from './ids';
import { optJsonObject, optString, reqString, type Args } from './method-args';
import type { MethodContext, SlackMethod } from './method-context';
import { APP_ID, BOT, TEAM } from './seed';
import { SlackApiError } from './slack-api-error';
import type { JsonObject, StoredView } from './types';

function exchangeTrigger(args: Args, ctx: MethodContext): string {
  const id = reqString(args, 'trigger_id');
  const trigger = ctx.store.data.triggers.find((t) => t.id === id);
  if (!trigger) throw new SlackApiError('invalid_trigger_id');
  if (trigger.exchanged) throw new SlackApiError('exchanged_trigger_id');
  if (ctx.nowMs() - trigger.issuedAtMs > ctx.triggerTtlMs) throw new SlackApiError('expired_trigger_id');
  trigger.exchanged = true;
  return trigger.user_id;
}

function viewArg(args: Args): JsonObject {
  const view = optJsonObject(args, 'view', 'invalid_arguments');
  if (!view || view.type !== 'modal' || typeof view.title !== 'object' || !Array.isArray(view.blocks)) {
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] view must be a modal with a title and blocks'] },
    });
  }
  return view;
}

function newHash(nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}.${randomBytes(4).toString('hex')}`;
}

export function renderView(
  id: string,
  view: JsonObject,
  nowMs: number,
  links: { root: string; previous: string | null },
): JsonObject {
  return {
    id,
    team_id: TEAM.id,
    type: 'modal',
    private_metadata: '',
    callback_id: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    ...view,
    state: { values: {} },
    hash: newHash(nowMs),
    previous_view_id: links.previous,
    root_view_id: links.root,
    app_id: APP_ID,
    app_installed_team_id: TEAM.id,
    bot_id: BOT.botId,
  };
}

function openView(args: Args, ctx: MethodContext, previous: StoredView | undefined): Record<string, unknown> {
  const view = viewArg(args);
  const user_id = exchangeTrigger(args, ctx);
  const id = slackId('V');
  const now = ctx.nowMs();
  const rendered = renderView(id, view, now, {
    root: previous ? String(previous.view.root_view_id) : id,
    previous: previous ? previous.id : null,
  });
  ctx.store.data.views.push({ id, user_id, status: 'open', view: rendered, openedAtMs: now });
  ctx.store.commit();
  return { ok: true, view: rendered };
}

function findView(args: Args, ctx: MethodContext): StoredView {
  const viewId = optString(args, 'view_id');
  const externalId = optString(args, 'external_id');
  const view = ctx.store.data.views.find(
    (v) => (viewId !== undefined && v.id === viewId) || (externalId !== undefined && v.view.external_id === externalId),
  );
  if (!view) throw new SlackApiError('not_found');
  return view;
}

const open: SlackMethod = (args, ctx) => openView(args, ctx, undefined);

const push: SlackMethod = (args, ctx) => {
  const openViews = ctx.store.data.views.filter((v) => v.status === 'open');
  return openView(args, ctx, openViews[openViews.length - 1]);
};

const update: SlackMethod = (args, ctx) => {
  const stored = findView(args, ctx);
  const hash = optString(args, 'hash');
  if (hash !== undefined && hash !== stored.view.hash) throw new SlackApiError('hash_conflict');
  stored.view = renderView(stored.id, viewArg(args), ctx.nowMs(), {
    root: String(stored.view.root_view_id),
    previous: (stored.view.previous_view_id as string | null) ?? null,
  });
  ctx.store.commit();
  return { ok: true, view: stored.view };
};

export const viewMethods: Record<string, SlackMethod> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
};
