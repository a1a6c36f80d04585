/**
 * POST /__sim/submit-view: the user presses Submit on a modal opened with views.open. The app's answer is applied
 * as Slack applies it: empty ack closes the modal, response_action errors keeps it open, update/push/clear act.
 */
import { z } from 'zod';
import { slackId, triggerId } from './ids';
import type { DeliveryResult } from './interaction-delivery';
import { viewSubmissionPayload } from './interaction-payloads';
import { findUser } from './seed';
import { AdminError, pruneHistory, type SimContext } from './sim-context';
import { checkDeliverable, deliverOrFail } from './simulated-click';
import type { JsonObject, StoredView } from './types';
import { renderView } from './view-methods';

const jsonObject = z.record(z.string(), z.any());

export const submitViewInput = z.object({
  view_id: z.string().min(1),
  user_id: z.string().optional(),
  values: z.record(z.string(), z.record(z.string(), jsonObject)).default({}),
  signWith: z.string().optional(),
  timestampSkewSec: z.number().optional(),
});
export type SubmitViewInput = z.infer<typeof submitViewInput>;

export interface SubmitViewOutcome extends DeliveryResult {
  trigger_id: string;
  view_status: StoredView['status'];
  payload: JsonObject;
}

export async function simulateViewSubmission(
  ctx: SimContext,
  input: SubmitViewInput,
  interactivityUrl: string | undefined,
): Promise<SubmitViewOutcome> {
  const data = ctx.store.data;
  const stored = data.views.find((v) => v.id === input.view_id);
  if (!stored) throw new AdminError(404, 'view_not_found');
  if (stored.status !== 'open') throw new AdminError(409, 'view_not_open');
  const userId = input.user_id ?? stored.user_id;
  const user = findUser(userId);
  if (!user) throw new AdminError(404, 'user_not_found');
  // In Slack only the person the modal was opened for can submit it.
  if (user.id !== stored.user_id) throw new AdminError(409, 'view_user_mismatch');
  checkDeliverable(ctx, interactivityUrl, input);

  const now = ctx.nowMs();
  const trigger = { id: triggerId(now), user_id: user.id, issuedAtMs: now, exchanged: false };
  data.triggers.push(trigger);
  pruneHistory(ctx);
  const values = input.values as JsonObject;
  stored.view = { ...stored.view, state: { values } };
  ctx.store.commit();

  const payload = viewSubmissionPayload({
    user,
    view: stored.view,
    values,
    verificationToken: data.verificationToken,
    trigger_id: trigger.id,
  });
  const forged = input.signWith !== undefined || input.timestampSkewSec !== undefined;
  const result = await deliverOrFail(ctx, interactivityUrl, payload, data.signingSecret, input);
  if (result.status >= 200 && result.status < 300) applyResponseAction(ctx, stored, result.json);
  data.deliveries.push({
    type: 'view_submission',
    atMs: now,
    status: result.status,
    durationMs: result.durationMs,
    forged,
  });
  ctx.store.commit();
  ctx.log(
    `submit-view view=${stored.id} user=${user.id} -> ${result.status} in ${result.durationMs} ms${forged ? ' (forged)' : ''}`,
  );
  return { ...result, trigger_id: trigger.id, view_status: stored.status, payload };
}

function applyResponseAction(ctx: SimContext, stored: StoredView, answer: unknown): void {
  const action = isObject(answer) ? answer.response_action : undefined;
  const view = isObject(answer) && isObject(answer.view) ? (answer.view as JsonObject) : undefined;
  const now = ctx.nowMs();
  const root = String(stored.view.root_view_id ?? stored.id);
  switch (action) {
    case 'errors':
      return;
    case 'update':
      if (view)
        stored.view = renderView(stored.id, view, now, {
          root,
          previous: (stored.view.previous_view_id as string | null) ?? null,
        });
      return;
    case 'push':
      if (view) {
        const id = slackId('V');
        ctx.store.data.views.push({
          id,
          user_id: stored.user_id,
          status: 'open',
          view: renderView(id, view, now, { root, previous: stored.id }),
          openedAtMs: now,
        });
      }
      return;
    case 'clear':
      for (const v of ctx.store.data.views) if (String(v.view.root_view_id) === root) v.status = 'closed';
      return;
    default:
      stored.status = 'closed';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
