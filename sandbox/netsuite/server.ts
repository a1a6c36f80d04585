/**
 * The request pipeline: admin routes; then for /services/rest: OAuth check, fault decision, concurrency slot,
 * injected latency/timeout/5xx, dispatch to records, SuiteQL, async jobs or governance.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdminRequest } from './admin-routes';
import type { AsyncJobRunner } from './async-jobs';
import type { ConcurrencyGate } from './concurrency-gate';
import type { RecordContext } from './customer-record';
import type { FaultInjector } from './faults';
import { errorResponse, parseJsonBody, readBody, sendResponse, type SimResponse } from './http-io';
import { concurrencyLimitExceeded, NetSuiteError, unexpectedError } from './netsuite-error';
import type { OAuthVerifier } from './oauth-verifier';
import { handleRecordRequest } from './record-routes';
import { routeKey } from './route-key';
import type { SimStats } from './stats';
import type { NetSuiteStore } from './store';
import { runSuiteQl } from './suiteql';

export interface PipelineDeps {
  store: NetSuiteStore;
  verifier: OAuthVerifier;
  gate: ConcurrencyGate;
  faults: FaultInjector;
  stats: SimStats;
  jobs: AsyncJobRunner;
  recordContext: (base: string) => RecordContext;
  log: (line: string) => void;
  /** Resolves after ms, or at once when the simulator closes. */
  sleep: (ms: number) => Promise<void>;
  isClosed: () => boolean;
}

const REST_PREFIX = '/services/rest/';
const ASYNC_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function decodeSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function preferences(req: IncomingMessage): string[] {
  const header = req.headers.prefer;
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined.split(',').map((p) => p.trim().toLowerCase());
}

function dispatch(
  deps: PipelineDeps,
  req: IncomingMessage,
  segments: string[],
  query: URLSearchParams,
  rawBody: string,
  base: string,
): SimResponse {
  const method = req.method ?? 'GET';
  const [area, version, ...rest] = segments;
  if (area === 'record' && version === 'v1') {
    const body = method === 'GET' || method === 'DELETE' ? undefined : parseJsonBody(rawBody);
    if (ASYNC_METHODS.has(method) && preferences(req).includes('respond-async')) {
      const key = req.headers['x-netsuite-idempotency-key'];
      return deps.jobs.submit(
        { method, path: rest.join('/'), query: query.toString(), body, base },
        Array.isArray(key) ? key[0] : key,
      );
    }
    return handleRecordRequest(deps.recordContext(base), { method, segments: rest, query, body });
  }
  if (area === 'query' && version === 'v1' && rest.join('/') === 'suiteql') {
    if (method !== 'POST') throw new NetSuiteError(405, 'INVALID_METHOD', 'SuiteQL queries are sent with POST.');
    const prefer = req.headers.prefer;
    return runSuiteQl(
      deps.store.db,
      parseJsonBody(rawBody),
      query,
      base,
      Array.isArray(prefer) ? prefer.join(',') : prefer,
    );
  }
  if (area === 'async' && version === 'v1') return deps.jobs.handle(method, rest, base);
  if (area === 'system' && version === 'v1' && rest.join('/') === 'governanceLimits' && method === 'GET') {
    return {
      status: 200,
      body: {
        accountConcurrencyLimit: deps.gate.limit,
        accountFreeConcurrencySlots: Math.max(0, deps.gate.limit - deps.gate.inFlight),
        integrationConcurrencyLimit: deps.gate.limit,
        integrationFreeConcurrencySlots: Math.max(0, deps.gate.limit - deps.gate.inFlight),
      },
    };
  }
  throw new NetSuiteError(404, 'NONEXISTENT_ID', `The resource ${segments.join('/')} does not exist.`, {
    errorUrl: segments.join('/'),
  });
}

export function createRequestListener(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(deps, req, res).catch((err: unknown) => {
      deps.log(`netsuite-sim internal error: ${(err as Error).message}`);
      sendResponse(res, errorResponse(unexpectedError(500, randomUUID())));
    });
  };
}

async function handle(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const path = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
  let rawBody: string;
  try {
    rawBody = await readBody(req);
  } catch (err) {
    if (err instanceof NetSuiteError) sendResponse(res, errorResponse(err));
    return;
  }

  if (path.startsWith('/__sim/')) {
    sendResponse(
      res,
      guarded(() => handleAdminRequest(deps, method, path, query, rawBody)),
    );
    return;
  }
  if (!path.startsWith(REST_PREFIX)) {
    sendResponse(res, errorResponse(new NetSuiteError(404, 'NONEXISTENT_ID', 'Only /services/rest/ is served here.')));
    return;
  }
  const segments = decodeSegments(path.slice(REST_PREFIX.length));
  const route = routeKey(segments);
  const finish = (response: SimResponse | 'dropped') => {
    const status = response === 'dropped' ? 'dropped' : response.status;
    deps.stats.count(method, route, status);
    deps.log(`netsuite-sim ${method} ${route} ${status} ${Date.now() - started}ms`);
    if (response !== 'dropped') sendResponse(res, response);
  };

  try {
    deps.verifier.verify({ method, host: req.headers.host ?? '', rawUrl, authorization: req.headers.authorization });
  } catch (err) {
    deps.stats.authFailures += 1;
    finish(errorResponse(err as NetSuiteError));
    return;
  }

  const decision = deps.faults.decide();
  if (decision.action.kind === 'throttle' || !deps.gate.tryAcquire()) {
    deps.stats.throttled += 1;
    finish(withHeaders(errorResponse(concurrencyLimitExceeded()), deps.faults.retryAfterHeader(429)));
    return;
  }
  try {
    if (decision.latencyMs > 0) await deps.sleep(decision.latencyMs);
    if (decision.action.kind === 'timeout') {
      deps.stats.injectedTimeouts += 1;
      await deps.sleep(decision.action.afterMs);
      req.socket.destroy();
      finish('dropped');
      return;
    }
    if (deps.isClosed()) {
      req.socket.destroy();
      return;
    }
    if (decision.action.kind === 'error') {
      deps.stats.injectedErrors += 1;
      const status = decision.action.status;
      finish(withHeaders(errorResponse(unexpectedError(status, randomUUID())), deps.faults.retryAfterHeader(status)));
      return;
    }
    const response = guarded(() => dispatch(deps, req, segments, query, rawBody, `http://${req.headers.host ?? ''}`));
    if (decision.action.kind === 'dropAfterHandling') {
      deps.stats.injectedDrops += 1;
      req.socket.destroy();
      finish('dropped');
      return;
    }
    finish(response);
  } finally {
    deps.gate.release();
  }
}

function withHeaders(response: SimResponse, headers: Record<string, string>): SimResponse {
  return { ...response, headers: { ...response.headers, ...headers } };
}

function guarded(run: () => SimResponse): SimResponse {
  try {
    return run();
  } catch (err) {
    if (err instanceof NetSuiteError) return errorResponse(err);
    throw err;
  }
}
