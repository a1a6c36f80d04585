/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): `trigger` opens an incident under a dedup key, `resolve` with the same
 * key closes it. Repeating an event with the same key is harmless on PagerDuty's side, so activity retries are safe.
 * Failures come back classified: 400 (invalid event or routing key) never succeeds on retry; 429 and 5xx do.
 */
import axios from 'axios';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE } from '../../domain/failure-types';
import { parseRetryAfter } from '../vendor-error';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyTarget {
  url: string;
  routingKey: string;
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEvent {
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  /** Required for `trigger`. */
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: Array<{ href: string; text?: string }>;
}

export async function sendPagerDutyEvent(
  target: PagerDutyTarget,
  event: PagerDutyEvent,
  timeoutMs = 10_000,
): Promise<{ dedupKey: string }> {
  try {
    const res = await axios.post<{ status?: string; dedup_key?: string }>(
      target.url,
      { routing_key: target.routingKey, ...event },
      { timeout: timeoutMs, headers: { 'content-type': 'application/json' } },
    );
    return { dedupKey: res.data.dedup_key ?? event.dedup_key };
  } catch (err) {
    if (!axios.isAxiosError(err) || !err.response) {
      throw ApplicationFailure.create({ type: FAILURE.transient, message: `pagerduty: ${(err as Error).message}` });
    }
    const status = err.response.status;
    const body = err.response.data as { message?: string; errors?: string[] } | undefined;
    const message = `pagerduty: HTTP ${status} ${body?.message ?? ''} ${(body?.errors ?? []).join('; ')}`.trim();
    if (status === 429 || status >= 500) {
      const retryAfter = parseRetryAfter(err.response.headers['retry-after'] as string | undefined);
      throw ApplicationFailure.create({
        type: FAILURE.transient,
        message,
        ...(retryAfter !== undefined ? { nextRetryDelay: retryAfter } : {}),
      });
    }
    throw ApplicationFailure.create({
      type: status === 401 || status === 403 ? FAILURE.auth : FAILURE.validation,
      message,
      nonRetryable: true,
    });
  }
}
