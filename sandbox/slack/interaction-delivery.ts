/**
 * Delivers an interaction payload to the app exactly as Slack does: form-encoded `payload=<json>` with the
 * content type byte-for-byte `application/x-www-form-urlencoded` (Bolt compares it exactly), signed with v0.
 * Forgery options let tests prove the app refuses bad signatures and stale timestamps.
 */
import { signSlackRequest } from './slack-signature';
import type { JsonObject } from './types';

export interface Forgery {
  /** Sign with this secret instead of the real one. */
  signWith?: string;
  /** Shift X-Slack-Request-Timestamp by this many seconds (negative = in the past). */
  timestampSkewSec?: number;
}

export interface DeliveryResult {
  status: number;
  body: string;
  /** The answer parsed as JSON, when it is JSON (e.g. a view_submission response_action). */
  json?: unknown;
  durationMs: number;
  /** Slack shows the user an error when the app takes longer than 3 s to answer. */
  ackedInTime: boolean;
}

const SLACK_ACK_DEADLINE_MS = 3000;
/** Longer than Slack's 3 s so a slow app is reported (ackedInTime:false) rather than cut off. */
const DELIVERY_TIMEOUT_MS = 10_000;

export async function deliverInteraction(
  url: string,
  payload: JsonObject,
  signingSecret: string,
  forgery: Forgery = {},
): Promise<DeliveryResult> {
  const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000) + (forgery.timestampSkewSec ?? 0);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signSlackRequest(forgery.signWith ?? signingSecret, timestamp, rawBody),
    },
    body: rawBody,
    redirect: 'manual',
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  });
  const body = await response.text();
  const durationMs = Math.round(performance.now() - started);
  const result: DeliveryResult = {
    status: response.status,
    body,
    durationMs,
    ackedInTime: durationMs <= SLACK_ACK_DEADLINE_MS,
  };
  if (body) {
    try {
      result.json = JSON.parse(body);
    } catch {
      // Not JSON: plain text acks are fine.
    }
  }
  return result;
}
