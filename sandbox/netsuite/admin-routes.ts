/** Simulator-only controls outside /services/rest: fault injection, counters, reset. Unauthenticated, loopback only. */
import type { ConcurrencyGate } from './concurrency-gate';
import type { FaultInjector } from './faults';
import { CONTENT_TYPE, parseJsonBody, type SimResponse } from './http-io';
import { NetSuiteError } from './netsuite-error';
import type { OAuthVerifier } from './oauth-verifier';
import { isPlainObject } from './record-fields';
import type { SimStats } from './stats';
import type { NetSuiteStore } from './store';
import type { FaultPatch } from './types';

export interface AdminDeps {
  faults: FaultInjector;
  stats: SimStats;
  gate: ConcurrencyGate;
  verifier: OAuthVerifier;
  store: NetSuiteStore;
}

function json(body: unknown, status = 200): SimResponse {
  return { status, body, contentType: CONTENT_TYPE.json };
}

export function handleAdminRequest(deps: AdminDeps, method: string, path: string, query: URLSearchParams, rawBody: string): SimResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /__sim/health':
      return json({ ok: true });
    case 'GET /__sim/faults':
      return json(deps.faults.current());
    case 'PUT /__sim/faults':
    case 'PATCH /__sim/faults': {
      const patch = parseJsonBody(rawBody);
      if (!isPlainObject(patch)) throw new NetSuiteError(400, 'INVALID_CONTENT', 'Expected a JSON object of fault settings.');
      return json(deps.faults.update(patch as FaultPatch));
    }
    case 'GET /__sim/stats':
      return json(deps.stats.snapshot(deps.gate));
    case 'POST /__sim/reset': {
      deps.faults.reset();
      deps.stats.reset();
      deps.gate.resetPeak();
      deps.verifier.forgetNonces();
      const wipe = query.get('data') === 'true';
      if (wipe) deps.store.wipeData();
      return json({ reset: true, dataWiped: wipe });
    }
    default:
      throw new NetSuiteError(404, 'NONEXISTENT_ID', `No simulator admin route ${route}.`);
  }
}
