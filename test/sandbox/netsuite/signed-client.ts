/** Test-side NetSuite caller: axios + oauth-1.0a signed exactly as ehmad11/netsuite-rest signs, with knobs to break it. */
import { createHmac } from 'node:crypto';
import axios, { type AxiosResponse } from 'axios';
import OAuth from 'oauth-1.0a';
import type { NetSuiteCredentials } from '../../../sandbox/netsuite';

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides applied to the signer, to prove each auth failure. */
  signer?: Partial<NetSuiteCredentials> & { signatureMethod?: string; timestamp?: number; nonce?: string };
  /** A ready Authorization header (replays). */
  authorization?: string;
}

export type Stack = { url: string } & NetSuiteCredentials;

export function signRequest(stack: Stack, method: string, url: string, signer: CallOptions['signer'] = {}): string {
  const creds = { ...stack, ...signer };
  const oauth = new OAuth({
    consumer: { key: creds.consumerKey, secret: creds.consumerSecret },
    realm: creds.accountId,
    signature_method: signer.signatureMethod ?? 'HMAC-SHA256',
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
  const data = oauth.authorize({ url, method }, { key: creds.tokenId, secret: creds.tokenSecret });
  if (signer.timestamp !== undefined || signer.nonce !== undefined) {
    // Re-sign with the forced values so only the timestamp/nonce is wrong, not the signature.
    const forced = {
      ...data,
      oauth_timestamp: signer.timestamp ?? data.oauth_timestamp,
      oauth_nonce: signer.nonce ?? data.oauth_nonce,
    };
    const { oauth_signature: _ignored, ...unsigned } = forced;
    forced.oauth_signature = oauth.getSignature({ url, method }, creds.tokenSecret, unsigned as OAuth.Authorization);
    return oauth.toHeader(forced).Authorization;
  }
  return oauth.toHeader(data).Authorization;
}

export async function callNetSuite(
  stack: Stack,
  method: string,
  pathAndQuery: string,
  options: CallOptions = {},
): Promise<AxiosResponse> {
  const url = `${stack.url}/services/rest/${pathAndQuery}`;
  const authorization = options.authorization ?? signRequest(stack, method, url, options.signer);
  return axios.request({
    url,
    method,
    data: options.body === undefined ? undefined : JSON.stringify(options.body),
    headers: { Authorization: authorization, 'Content-Type': 'application/json', ...options.headers },
    validateStatus: () => true,
  });
}

export function idFromLocation(location: unknown): string {
  const text = String(location);
  return text.slice(text.lastIndexOf('/') + 1);
}

export async function admin(stack: Stack, method: string, path: string, body?: unknown): Promise<AxiosResponse> {
  return axios.request({ url: `${stack.url}/__sim/${path}`, method, data: body, validateStatus: () => true });
}

export function firstError(response: AxiosResponse): Record<string, unknown> {
  return (response.data as { 'o:errorDetails': Array<Record<string, unknown>> })['o:errorDetails'][0] ?? {};
}
