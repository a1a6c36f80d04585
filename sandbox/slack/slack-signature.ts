/** Slack's v0 request signature: hex HMAC-SHA256(signingSecret, "v0:<ts>:<raw body>"). */
import { createHmac } from 'node:crypto';

export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}
