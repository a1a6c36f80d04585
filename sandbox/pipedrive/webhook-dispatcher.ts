/**
 * Webhooks v2 delivery as Pipedrive documents it: one POST per change per matching webhook, Basic auth when set,
 * 10 s timeout, retries at 3/30/150 s (meta.attempt 1→4), and a 30-minute ban after 10 first-try failures during
 * which events are dropped. All durations are multiplied by the time scale so tests run in milliseconds.
 */
import { v4 as uuidv4 } from 'uuid';
import type { ChangeEvent } from './change-event';
import { nowIso } from './clock';
import type { Webhook } from './model';
import type { StateStore } from './state-store';

const TIMEOUT_MS = 10_000;
const RETRY_DELAYS_MS = [3_000, 30_000, 150_000];
const BAN_AFTER_FIRST_TRY_FAILURES = 10;
const BAN_MS = 30 * 60_000;
const LOG_LIMIT = 2_000;

export type DeliveryOutcome = 'delivered' | 'failed' | 'timeout' | 'dropped_banned';

export interface DeliveryRecord {
  seq: number;
  event_id: string;
  webhook_id: number;
  attempt: number;
  action: string;
  entity: string;
  entity_id: string;
  change_source: string;
  outcome: DeliveryOutcome;
  http_status: number | null;
  error: string | null;
  banned_webhook: boolean;
  at: string;
  duration_ms: number;
  body: WebhookBody;
}

export interface WebhookBody {
  meta: Record<string, unknown>;
  data: object | null;
  previous: object | null;
}

export class WebhookDispatcher {
  private readonly log: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly store: StateStore,
    private readonly timeScale: number,
    private readonly logger: (line: string) => void,
  ) {}

  publish(event: ChangeEvent): void {
    const eventId = uuidv4();
    for (const hook of this.store.state.webhooks.filter((w) => matches(w, event))) {
      void this.attempt(hook.id, event, eventId, 1);
    }
  }

  deliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  /** Forget history and pending retries (the admin reset). */
  clear(): void {
    this.cancelPending();
    this.log.length = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelPending();
  }

  private cancelPending(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inflight) controller.abort();
    this.inflight.clear();
  }

  private async attempt(webhookId: number, event: ChangeEvent, eventId: string, attempt: number): Promise<void> {
    const hook = this.store.state.webhooks.find((w) => w.id === webhookId);
    if (!hook || this.closed) return;
    const body = this.body(hook, event, eventId, attempt);
    const started = Date.now();
    if (this.isBanned(hook)) {
      this.record(hook, body, attempt, 'dropped_banned', null, 'webhook is banned', started);
      return;
    }
    const controller = new AbortController();
    this.inflight.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, TIMEOUT_MS * this.timeScale);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Pipedrive Webhooks',
      };
      if (hook.http_auth_user !== null || hook.http_auth_password !== null) {
        headers.authorization = `Basic ${Buffer.from(`${hook.http_auth_user ?? ''}:${hook.http_auth_password ?? ''}`).toString('base64')}`;
      }
      const response = await fetch(hook.subscription_url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (err) {
      error = timedOut
        ? `no response within ${TIMEOUT_MS * this.timeScale} ms`
        : err instanceof Error
          ? err.message
          : String(err);
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
    if (this.closed) return;
    const ok = status !== null && status >= 200 && status < 300;
    hook.last_delivery_time = nowIso();
    hook.last_http_status = status;
    if (ok) {
      this.record(hook, body, attempt, 'delivered', status, null, started);
      this.store.persist();
      return;
    }
    let banned = false;
    if (attempt === 1) {
      hook.first_try_failures += 1;
      if (hook.first_try_failures >= BAN_AFTER_FIRST_TRY_FAILURES) {
        hook.banned_until = new Date(Date.now() + BAN_MS * this.timeScale).toISOString();
        hook.first_try_failures = 0;
        banned = true;
        this.logger(
          `pipedrive-sim: webhook ${hook.id} banned until ${hook.banned_until} after ${BAN_AFTER_FIRST_TRY_FAILURES} first-try failures`,
        );
      }
    }
    this.store.persist();
    this.record(
      hook,
      body,
      attempt,
      timedOut ? 'timeout' : 'failed',
      status,
      error ?? `HTTP ${status}`,
      started,
      banned,
    );
    const delay = RETRY_DELAYS_MS[attempt - 1];
    if (delay === undefined) return;
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      void this.attempt(webhookId, event, eventId, attempt + 1);
    }, delay * this.timeScale);
    this.timers.add(retry);
  }

  private isBanned(hook: Webhook): boolean {
    if (hook.banned_until === null) return false;
    if (Date.parse(hook.banned_until) > Date.now()) return true;
    hook.banned_until = null;
    this.store.persist();
    return false;
  }

  private body(hook: Webhook, event: ChangeEvent, eventId: string, attempt: number): WebhookBody {
    const { company, users } = this.store.state;
    return {
      meta: {
        action: event.action,
        entity: event.entity,
        entity_id: String(event.entityId),
        id: eventId,
        company_id: String(company.id),
        correlation_id: event.actor.correlationId,
        is_bulk_edit: false,
        timestamp: event.timestamp,
        type: 'general',
        user_id: String(event.actor.userId),
        version: '2.0',
        webhook_id: String(hook.id),
        webhook_owner_id: String(hook.owner_id),
        change_source: event.actor.source,
        attempt,
        host: `${company.domain}.pipedrive.com`,
        permitted_user_ids: users.map((u) => String(u.id)),
      },
      data: event.data,
      previous: event.previous,
    };
  }

  private record(
    hook: Webhook,
    body: WebhookBody,
    attempt: number,
    outcome: DeliveryOutcome,
    status: number | null,
    error: string | null,
    started: number,
    banned = false,
  ): void {
    this.seq += 1;
    const meta = body.meta as Record<string, string>;
    this.log.push({
      seq: this.seq,
      event_id: String(meta.id),
      webhook_id: hook.id,
      attempt,
      action: String(meta.action),
      entity: String(meta.entity),
      entity_id: String(meta.entity_id),
      change_source: String(meta.change_source),
      outcome,
      http_status: status,
      error,
      banned_webhook: banned,
      at: nowIso(),
      duration_ms: Date.now() - started,
      body,
    });
    if (this.log.length > LOG_LIMIT) this.log.shift();
    // Only ids and outcomes: bodies carry customer data and the URL may carry a secret.
    this.logger(
      `pipedrive-sim: webhook ${hook.id} ${meta.entity}.${meta.action} #${meta.entity_id} attempt ${attempt} → ${outcome}${status ? ` ${status}` : ''}`,
    );
  }
}

const ACTION_ALIASES: Record<string, string> = { added: 'create', updated: 'change', deleted: 'delete' };

function matches(hook: Webhook, event: ChangeEvent): boolean {
  const action = ACTION_ALIASES[hook.event_action] ?? hook.event_action;
  return (
    (action === '*' || action === event.action) && (hook.event_object === '*' || hook.event_object === event.entity)
  );
}
