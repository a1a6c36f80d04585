/**
 * PagerDuty Events API v2 request rules the receiver enforces, as PagerDuty documents them: `routing_key` (the
 * integration key), `event_action` trigger | acknowledge | resolve, `dedup_key` ≤ 255 characters (required to
 * acknowledge or resolve), and for a trigger a `payload` with `summary` (≤ 1024), `source` and `severity`.
 */
export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export interface ValidEvent {
  event_action: (typeof EVENT_ACTIONS)[number];
  dedup_key?: string;
  payload?: { summary: string; source: string; severity: (typeof SEVERITIES)[number]; [k: string]: unknown };
  [k: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The errors PagerDuty would list; empty when the event is valid. */
export function eventErrors(body: unknown, routingKey: string): string[] {
  if (!isObject(body)) return ['Event object is not a JSON object'];
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || body.routing_key.length === 0)
    errors.push("'routing_key' is missing or blank");
  else if (body.routing_key !== routingKey) errors.push("'routing_key' is invalid");
  const action = body.event_action;
  if (typeof action !== 'string' || !(EVENT_ACTIONS as readonly string[]).includes(action))
    errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  if (
    body.dedup_key !== undefined &&
    (typeof body.dedup_key !== 'string' || body.dedup_key.length === 0 || body.dedup_key.length > 255)
  ) {
    errors.push("'dedup_key' must be a non-empty string of at most 255 characters");
  }
  if ((action === 'acknowledge' || action === 'resolve') && body.dedup_key === undefined)
    errors.push(`'dedup_key' is required to ${action} an alert`);
  if (action === 'trigger') {
    const p = body.payload;
    if (!isObject(p)) errors.push("'payload' is missing or not an object");
    else {
      if (typeof p.summary !== 'string' || p.summary.length === 0) errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
      if (typeof p.source !== 'string' || p.source.length === 0) errors.push("'payload.source' is missing or blank");
      if (typeof p.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(p.severity))
        errors.push("'payload.severity' must be one of critical, error, warning, info");
      if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp))))
        errors.push("'payload.timestamp' is not an ISO 8601 date");
      if (p.custom_details !== undefined && !isObject(p.custom_details) && typeof p.custom_details !== 'string')
        errors.push("'payload.custom_details' must be an object");
    }
  }
  return errors;
}
