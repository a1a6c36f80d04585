/** POST /__sim/click: a user presses a button on a stored message; Slack's block_actions request reaches the app. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { triggerId } from './ids';
import { deliverInteraction, type DeliveryResult } from './interaction-delivery';
import { blockActionsPayload, findButton, type ClickedButton } from './interaction-payloads';
import { renderMessage } from './message-render';
import { findChannel, findUser } from './seed';
import { AdminError, pruneHistory, type SimContext } from './sim-context';
import type { JsonObject } from './types';

export const clickInput = z.object({
  channel: z.string().min(1),
  message_ts: z.string().min(1),
  action_id: z.string().min(1),
  user_id: z.string().min(1),
  value: z.string().optional(),
  block_id: z.string().optional(),
  signWith: z.string().optional(),
  timestampSkewSec: z.number().optional(),
});
export type ClickInput = z.infer<typeof clickInput>;

export interface ClickOutcome extends DeliveryResult {
  trigger_id: string;
  response_url: string;
  payload: JsonObject;
}

export async function simulateClick(
  ctx: SimContext,
  input: ClickInput,
  interactivityUrl: string | undefined,
): Promise<ClickOutcome> {
  const channel = findChannel(input.channel);
  if (!channel) throw new AdminError(404, 'channel_not_found');
  const user = findUser(input.user_id);
  if (!user) throw new AdminError(404, 'user_not_found');
  checkDeliverable(ctx, interactivityUrl, input);
  const data = ctx.store.data;
  const stored = data.messages.find((m) => m.channel === channel.id && m.ts === input.message_ts);
  const ephemeral = stored
    ? undefined
    : data.ephemerals.find((e) => e.channel === channel.id && e.message_ts === input.message_ts);
  if (!stored && !ephemeral) throw new AdminError(404, 'message_not_found');

  const found = findButton((stored ?? ephemeral)?.blocks, input.action_id);
  const button: ClickedButton = {
    action_id: input.action_id,
    block_id: input.block_id ?? found?.block_id ?? '',
    text: found?.text ?? input.action_id,
    value: input.value ?? found?.value,
  };
  const now = ctx.nowMs();
  const trigger = { id: triggerId(now), user_id: user.id, issuedAtMs: now, exchanged: false };
  const grantId = randomBytes(12).toString('hex');
  data.triggers.push(trigger);
  data.responseUrls.push({
    id: grantId,
    channel: channel.id,
    message_ts: input.message_ts,
    user_id: user.id,
    is_ephemeral: !stored,
    issuedAtMs: now,
    uses: 0,
  });
  pruneHistory(ctx);
  ctx.store.commit();

  const response_url = `${ctx.baseUrl()}/__sim/response/${grantId}`;
  const payload = blockActionsPayload({
    user,
    channel,
    message_ts: input.message_ts,
    message: stored ? (renderMessage(stored, data.messages) as JsonObject) : undefined,
    button,
    verificationToken: data.verificationToken,
    trigger_id: trigger.id,
    response_url,
    action_ts: ctx.store.newTs(now),
  });
  const forged = input.signWith !== undefined || input.timestampSkewSec !== undefined;
  const result = await deliverOrFail(ctx, interactivityUrl, payload, data.signingSecret, input);
  data.deliveries.push({
    type: 'block_actions',
    atMs: now,
    status: result.status,
    durationMs: result.durationMs,
    forged,
  });
  ctx.store.commit();
  ctx.log(
    `click action_id=${input.action_id} user=${user.id} -> ${result.status} in ${result.durationMs} ms${forged ? ' (forged)' : ''}`,
  );
  return { ...result, trigger_id: trigger.id, response_url, payload };
}

type ForgeryInput = { signWith?: string | undefined; timestampSkewSec?: number | undefined };

/** Fails before anything is recorded when the interaction has nowhere to go. */
export function checkDeliverable(ctx: SimContext, interactivityUrl: string | undefined, forgery: ForgeryInput): void {
  if (ctx.store.data.socketMode) {
    // Socket Mode envelopes are not signed: the socket itself is the authentication.
    if (forgery.signWith !== undefined || forgery.timestampSkewSec !== undefined)
      throw new AdminError(400, 'forgery_needs_http', 'signature forgeries apply to HTTP delivery only');
    if (ctx.socket.openConnections === 0)
      throw new AdminError(
        409,
        'no_socket_connection',
        'socket mode is on but no app has connected (apps.connections.open)',
      );
    return;
  }
  if (!interactivityUrl)
    throw new AdminError(409, 'no_interactivity_url', 'PUT /__sim/config {interactivityUrl} first');
}

/** Over the app's Socket Mode connection when socket mode is on, else a signed POST to the interactivity URL. */
export async function deliverOrFail(
  ctx: SimContext,
  url: string | undefined,
  payload: JsonObject,
  secret: string,
  forgery: ForgeryInput,
): Promise<DeliveryResult> {
  try {
    if (ctx.store.data.socketMode) return await ctx.socket.deliver(payload);
    if (!url) throw new Error('no interactivity URL');
    return await deliverInteraction(url, payload, secret, {
      ...(forgery.signWith !== undefined ? { signWith: forgery.signWith } : {}),
      ...(forgery.timestampSkewSec !== undefined ? { timestampSkewSec: forgery.timestampSkewSec } : {}),
    });
  } catch (err) {
    throw new AdminError(502, 'delivery_failed', err instanceof Error ? err.message : String(err));
  }
}
