/** Simulator-only controls outside /services/rest: fault injection, counters, reset. Unauthenticated, loopback only. */
import type { ConcurrencyGate } from './concurrency-gate';
import type { RecordContext } from './customer-record';
import { performRecordWrite } from './record-routes';
import type { FaultInjector } from './faults';
import { CONTENT_TYPE, parseJsonBody, type SimResponse } from './http-io';
import { NetSuiteError } from './netsuite-error';
import type { OAuthVerifier } from './oauth-verifier';
import { isPlainObject } from './record-fields';
import { INTEGRATION_ROLE, rolePermissionLevels, setRolePermissions } from './role-permissions';
import type { SimStats } from './stats';
import type { NetSuiteStore } from './store';
import type { FaultPatch } from './types';

export interface AdminDeps {
  faults: FaultInjector;
  stats: SimStats;
  gate: ConcurrencyGate;
  verifier: OAuthVerifier;
  store: NetSuiteStore;
  /** For `POST /__sim/customers/bulk` (the server's pipeline deps carry it). */
  recordContext?: (base: string) => RecordContext;
}

/** At most this many customers per bulk request (a body of a few MB). */
const MAX_BULK_CUSTOMERS = 10_000;

function json(body: unknown, status = 200): SimResponse {
  return { status, body, contentType: CONTENT_TYPE.json };
}

export function handleAdminRequest(
  deps: AdminDeps,
  method: string,
  path: string,
  query: URLSearchParams,
  rawBody: string,
): SimResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /__sim/health':
      return json({ ok: true });
    case 'GET /__sim/faults':
      return json(deps.faults.current());
    case 'PUT /__sim/faults':
    case 'PATCH /__sim/faults': {
      const patch = parseJsonBody(rawBody);
      if (!isPlainObject(patch))
        throw new NetSuiteError(400, 'INVALID_CONTENT', 'Expected a JSON object of fault settings.');
      return json(deps.faults.update(patch as FaultPatch));
    }
    case 'GET /__sim/role/permissions':
      return json({ role: INTEGRATION_ROLE, levels: rolePermissionLevels(deps.store.db) });
    case 'PUT /__sim/role/permissions': {
      // A role lacking write (e.g. {"LIST_CUSTJOB": "view"}) for doctor's permission checks (role-permissions.ts).
      const levels = parseJsonBody(rawBody);
      if (!isPlainObject(levels))
        throw new NetSuiteError(400, 'INVALID_CONTENT', 'Expected a JSON object of permission levels by permkey.');
      return json({ role: INTEGRATION_ROLE, levels: setRolePermissions(deps.store.db, levels) });
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
    case 'POST /__sim/customers/bulk': {
      // Seeds many customers at once (reconciliation at scale, bench/chaos/r9-reconciliation-scale.ts): each goes
      // through the same validation as a REST create, all in one transaction, with none of the REST path's per-request costs.
      const body = parseJsonBody(rawBody);
      const list = isPlainObject(body) && Array.isArray(body.customers) ? body.customers : undefined;
      if (!list || list.length > MAX_BULK_CUSTOMERS || !deps.recordContext)
        throw new NetSuiteError(
          400,
          'INVALID_CONTENT',
          `Expected {"customers": [customer bodies]} with at most ${MAX_BULK_CUSTOMERS}.`,
        );
      const ctx = deps.recordContext('http://127.0.0.1');
      const ids = deps.store.db.transaction(() =>
        list.map((c) => {
          const created = performRecordWrite(ctx, {
            method: 'POST',
            segments: ['customer'],
            query: new URLSearchParams(),
            body: c,
          });
          return (
            String(created.headers?.Location ?? '')
              .split('/')
              .pop() ?? ''
          );
        }),
      )();
      return json({ created: ids.length, ids });
    }
    default:
      throw new NetSuiteError(404, 'NONEXISTENT_ID', `No simulator admin route ${route}.`);
  }
}
