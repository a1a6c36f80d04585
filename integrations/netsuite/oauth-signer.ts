/**
 * OAuth 1.0a Token-Based Authentication as NetSuite requires it: HMAC-SHA256 (HMAC-SHA1 ended with 2023.1),
 * realm = account id, key = consumerSecret&tokenSecret. The base string covers the method, the URL and its query
 * parameters but not the JSON body, so the caller must sign exactly the URL it sends, query included and encoded once
 * (signing a decoded URL and sending an encoded one, or encoding twice, is the classic "Invalid login attempt").
 */
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';

export interface TbaCredentials {
  /** Account id as the OAuth realm wants it: uppercase with underscore, e.g. `1234567_SB1`. */
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

/** Returns the `Authorization` header value for one request; each call gets a fresh nonce and timestamp. */
export type RequestSigner = (method: string, url: string) => string;

export function createTbaSigner(credentials: TbaCredentials): RequestSigner {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    realm: credentials.accountId,
    signature_method: 'HMAC-SHA256',
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
  const token = { key: credentials.tokenId, secret: credentials.tokenSecret };
  return (method, url) => oauth.toHeader(oauth.authorize({ url, method: method.toUpperCase() }, token)).Authorization;
}
