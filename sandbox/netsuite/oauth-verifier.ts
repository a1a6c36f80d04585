/**
 * OAuth 1.0a Token-Based Authentication as NetSuite checks it (HMAC-SHA256, realm = account id).
 * The signature base string follows RFC 5849 §3.4.1 the way the npm `oauth-1.0a` library builds it:
 * method, the URL the client called (http + Host header + path, no query) and the sorted query + oauth_* params.
 * The JSON body is never part of it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidLogin } from './netsuite-error';
import type { NetSuiteCredentials } from './types';

export const TIMESTAMP_WINDOW_SECONDS = 300;

export interface SignedRequest {
  method: string;
  host: string;
  /** Path and query exactly as received on the request line. */
  rawUrl: string;
  authorization: string | undefined;
}

export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `OAuth realm="…", oauth_consumer_key="…"` → decoded key/value map; null when it is not an OAuth header. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | null {
  if (!header || !/^OAuth\s/i.test(header)) return null;
  const params = new Map<string, string>();
  const pattern = /([A-Za-z0-9_%.-]+)\s*=\s*"([^"]*)"/g;
  for (const match of header.slice(6).matchAll(pattern)) {
    const [, key, value] = match;
    if (key !== undefined && value !== undefined) params.set(safeDecode(key), safeDecode(value));
  }
  return params;
}

export function signatureBaseString(method: string, baseUrl: string, params: Array<[string, string]>): string {
  const normalized = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode(baseUrl)}&${percentEncode(normalized)}`;
}

export function hmacSha256Signature(baseString: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac('sha256', `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`)
    .update(baseString)
    .digest('base64');
}

function queryParams(rawUrl: string): Array<[string, string]> {
  const q = rawUrl.indexOf('?');
  if (q < 0) return [];
  return rawUrl
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))];
    });
}

function baseUrlOf(host: string, rawUrl: string): string {
  const path = rawUrl.split('?')[0] ?? '/';
  return `http://${host.toLowerCase().replace(/:80$/, '')}${path}`;
}

function sameString(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export interface OAuthVerifier {
  /** Throws the 401 INVALID_LOGIN NetSuiteError on any failure; the reason goes to `onReject` only (never to the client). */
  verify(request: SignedRequest): void;
  forgetNonces(): void;
}

export function createOAuthVerifier(
  credentials: NetSuiteCredentials,
  onReject: (reason: string) => void = () => {},
  now: () => number = Date.now,
): OAuthVerifier {
  // nonce → when the simulator first saw it. A nonce can only be replayed while its timestamp is inside the ±window,
  // so remembering it for two windows from first sight is enough. Map order is insertion order: prune from the front.
  const seenNonces = new Map<string, number>();

  function prune(nowSec: number): void {
    for (const [nonce, seenAt] of seenNonces) {
      if (nowSec - seenAt <= 2 * TIMESTAMP_WINDOW_SECONDS) break;
      seenNonces.delete(nonce);
    }
  }

  function reject(reason: string): never {
    onReject(reason);
    throw invalidLogin(credentials.accountId);
  }

  return {
    forgetNonces: () => seenNonces.clear(),
    verify(request) {
      const params = parseOAuthHeader(request.authorization);
      if (!params) reject('missing OAuth Authorization header');
      if (params.get('realm') !== credentials.accountId) reject('realm is not the account id');
      if (params.get('oauth_consumer_key') !== credentials.consumerKey) reject('unknown consumer key');
      if (params.get('oauth_token') !== credentials.tokenId) reject('unknown token');
      if (params.get('oauth_signature_method') !== 'HMAC-SHA256') reject('signature method is not HMAC-SHA256');
      if (params.get('oauth_version') !== '1.0') reject('oauth_version is not 1.0');
      const timestamp = Number(params.get('oauth_timestamp'));
      const nowSec = Math.floor(now() / 1000);
      if (!Number.isInteger(timestamp) || Math.abs(nowSec - timestamp) > TIMESTAMP_WINDOW_SECONDS)
        reject('timestamp outside the window');
      const nonce = params.get('oauth_nonce');
      if (!nonce) reject('missing nonce');
      const signature = params.get('oauth_signature');
      if (!signature) reject('missing signature');

      const signed: Array<[string, string]> = [...queryParams(request.rawUrl)];
      for (const [key, value] of params)
        if (key.startsWith('oauth_') && key !== 'oauth_signature') signed.push([key, value]);
      const base = signatureBaseString(request.method, baseUrlOf(request.host, request.rawUrl), signed);
      const expected = hmacSha256Signature(base, credentials.consumerSecret, credentials.tokenSecret);
      if (!sameString(expected, signature)) reject('signature mismatch');

      prune(nowSec);
      const nonceKey = `${params.get('oauth_token')}:${nonce}`;
      if (seenNonces.has(nonceKey)) reject('nonce reused');
      seenNonces.set(nonceKey, nowSec);
    },
  };
}
