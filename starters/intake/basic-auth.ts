/**
 * The webhook's Basic auth (Pipedrive webhooks carry no signature, only the http_auth pair we registered). Compared
 * in constant time: both sides are hashed to equal-length digests before crypto.timingSafeEqual, and user and
 * password are both always compared, so neither the length nor which part was wrong leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  user: string;
  password: string;
}

/** `Authorization: Basic base64(user:password)` → the pair; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function isAuthorized(header: string | undefined, expected: BasicCredentials): boolean {
  const given = parseBasicAuth(header) ?? { user: '', password: '' };
  const userOk = safeEqual(given.user, expected.user);
  const passwordOk = safeEqual(given.password, expected.password);
  return userOk && passwordOk && expected.password !== '';
}
