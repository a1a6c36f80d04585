/**
 * An outage of the API (for R8, bench/chaos/r8-vendor-outage.ts): while on, every `/v1` and `/api/v2` request answers
 * 503 as Pipedrive's edge does during an incident. Admin routes (`/__sim/…`, how benchmarks drive deals) and webhook
 * deliveries keep working, so deals still reach the app and only the integration's own calls fail.
 */
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './api-auth';
import { errorBody } from './envelope';

export function registerOutage(app: FastifyInstance): { set(on: boolean): void } {
  let on = false;
  app.addHook('onRequest', async (request, reply) => {
    if (on && isApiPath(request.url)) return reply.code(503).send(errorBody('Service Unavailable'));
    return undefined;
  });
  return {
    set(value: boolean) {
      on = value;
    },
  };
}
