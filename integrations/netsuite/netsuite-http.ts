/**
 * The one door every NetSuite call goes through: take a slot of the account-wide semaphore, sign the exact URL,
 * send with a timeout, and turn any failure into a VendorError. The timeout starts once the slot is held, so time
 * spent queueing behind our own burst never counts as NetSuite being slow.
 */
import axios, { type AxiosInstance } from 'axios';
import { errorFromResponse, errorFromTransport } from './error-classification';
import { createTbaSigner, type RequestSigner, type TbaCredentials } from './oauth-signer';
import { restUrl, routeLabel, type QueryParams } from './request-url';
import { Semaphore } from './semaphore';

export interface NetSuiteHttpConfig extends TbaCredentials {
  /** Origin without `/services/rest`, e.g. `https://1234567-sb1.suitetalk.api.netsuite.com` or `http://127.0.0.1:4010`. */
  baseUrl: string;
  /** Our share of the account's concurrency limit (service tier + 10 per SuiteCloud Plus licence). */
  concurrencyLimit: number;
  /** Per request, once a slot is held. Default 30 s. */
  timeoutMs?: number;
  /** Called after every request (metrics). Gets the route with ids folded, never a body. */
  onRequest?: (event: NetSuiteRequestEvent) => void;
}

export interface NetSuiteRequestEvent {
  route: string;
  /** HTTP status, or `undefined` when no answer came. */
  status: number | undefined;
  queuedMs: number;
  durationMs: number;
}

export interface RequestOptions {
  query?: QueryParams;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses handed back to the caller instead of thrown (e.g. an async task's result, an IDEMPOTENCY_ERROR 400). */
  accept?: (status: number, body: unknown) => boolean;
}

export interface NetSuiteResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | undefined>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export class NetSuiteHttp {
  private readonly semaphore: Semaphore;
  private readonly sign: RequestSigner;
  private readonly axios: AxiosInstance;
  private readonly timeoutMs: number;

  constructor(private readonly config: NetSuiteHttpConfig) {
    this.semaphore = new Semaphore(config.concurrencyLimit);
    this.sign = createTbaSigner(config);
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.axios = axios.create({
      timeout: this.timeoutMs,
      // Statuses are classified here, not by axios; a redirect must never carry the Authorization header elsewhere.
      validateStatus: () => true,
      maxRedirects: 0,
      // Error bodies are read, and NetSuite's vendor media type (application/vnd.oracle.resource+json) is JSON.
      responseType: 'json',
      // ETIMEDOUT for timeouts; a non-JSON error page (a proxy's 502) stays a string instead of throwing.
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
    });
  }

  get inFlight(): number {
    return this.semaphore.inFlight;
  }

  get queued(): number {
    return this.semaphore.queued;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<NetSuiteResponse> {
    const what = `${method} ${path}`;
    const queuedAt = Date.now();
    return this.semaphore.run(async () => {
      const startedAt = Date.now();
      let status: number | undefined;
      try {
        const url = restUrl(this.config.baseUrl, path, options.query);
        const headers: Record<string, string> = { ...options.headers, Authorization: this.sign(method, url) };
        if (options.body !== undefined) headers['Content-Type'] = 'application/json';
        let response;
        try {
          response = await this.axios.request({
            method,
            url,
            headers,
            data: options.body === undefined ? undefined : JSON.stringify(options.body),
          });
        } catch (err) {
          throw errorFromTransport(what, err, this.timeoutMs);
        }
        status = response.status;
        const result: NetSuiteResponse = { status, body: response.data, headers: plainHeaders(response.headers) };
        if (status >= 200 && status < 300) return result;
        if (options.accept?.(status, result.body)) return result;
        throw errorFromResponse(what, result);
      } finally {
        try {
          this.config.onRequest?.({
            route: routeLabel(method, path),
            status,
            queuedMs: startedAt - queuedAt,
            durationMs: Date.now() - startedAt,
          });
        } catch {
          // A metrics hook must never turn a NetSuite success into a failure.
        }
      }
    });
  }
}

function plainHeaders(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === 'string') out[key.toLowerCase()] = value;
    else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(', ');
    else if (typeof value === 'number') out[key.toLowerCase()] = String(value);
  }
  return out;
}
