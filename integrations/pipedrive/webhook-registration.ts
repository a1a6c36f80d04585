/**
 * Which webhook subscriptions to keep, create and delete so exactly one `deal.change` v2 subscription with our
 * Basic-auth pair points at our URL. Pure: the client lists, this decides, the client applies.
 */
import type { V1Webhook } from './wire-types';

export interface WebhookSubscription {
  subscriptionUrl: string;
  user: string;
  password: string;
}

export const WEBHOOK_EVENT = { event_object: 'deal', event_action: 'change', version: '2.0' } as const;

export type WebhookPlan = { keep: number; remove: number[] } | { create: true; remove: number[] };

function sameEvent(w: V1Webhook): boolean {
  return (
    w.event_object === WEBHOOK_EVENT.event_object &&
    w.event_action === WEBHOOK_EVENT.event_action &&
    (w.version ?? '2.0') === WEBHOOK_EVENT.version
  );
}

/**
 * Identical = same URL, event, version and user, and the same password when Pipedrive shows it (a listing that
 * hides the password cannot prove it differs, so it is kept). Other deal subscriptions to our URL are replaced:
 * their credentials would be refused by the intake and count toward a ban.
 */
export function planWebhook(existing: readonly V1Webhook[], wanted: WebhookSubscription): WebhookPlan {
  const ours = existing.filter(
    (w) => w.subscription_url === wanted.subscriptionUrl && (w.event_object === 'deal' || w.event_object === '*'),
  );
  const identical = ours.find(
    (w) =>
      sameEvent(w) &&
      w.http_auth_user === wanted.user &&
      (w.http_auth_password === undefined || w.http_auth_password === wanted.password),
  );
  const remove = ours.filter((w) => w !== identical).map((w) => w.id);
  return identical ? { keep: identical.id, remove } : { create: true, remove };
}
