/** Identifier formats Slack uses, so apps that parse or log them see familiar shapes. */
import { randomBytes } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function slackId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += UPPER_ALNUM[b % UPPER_ALNUM.length];
  return out;
}

/** "<digits>.<digits>.<32 hex>" like real trigger ids. */
export function triggerId(nowMs: number): string {
  return `${Math.floor(nowMs)}.${TEAM_NUMBER}.${randomBytes(16).toString('hex')}`;
}
const TEAM_NUMBER = '1700000000001';

export function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('hex')}`;
}

/**
 * Message timestamps are Slack's "seconds.microseconds" strings, and unique per workspace here: each new one is
 * max(now, previous + 1 µs), so two posts in the same microsecond still sort.
 */
export function nextTs(lastMicros: number, nowMs: number): { ts: string; micros: number } {
  const micros = Math.max(Math.floor(nowMs * 1000), lastMicros + 1);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, '0');
  return { ts: `${seconds}.${fraction}`, micros };
}

/** Sorts and compares "seconds.micros" strings numerically without float rounding. */
export function tsToMicros(ts: string): number {
  const [s = '0', f = '0'] = ts.split('.');
  return Number(s) * 1_000_000 + Number(f.padEnd(6, '0').slice(0, 6));
}
