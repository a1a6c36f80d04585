/**
 * Optional authentication on the internal listener (OPS_BEARER_TOKEN and/or OPS_BASIC_USER + OPS_BASIC_PASSWORD),
 * in the two forms a Prometheus scrape config sends (`authorization: { credentials }` / `bearer_token`, and
 * `basic_auth`) and a browser can be asked for (Basic). Compared in constant time as the webhook's Basic pair is
 * (starters/intake/basic-auth.ts). The probes stay open, as on the public listener, for load balancers and kubelets.
 */
import type { FastifyInstance } from 'fastify';
import type { OpsHttpConfig } from '../../runtime/config';
import { isAuthorized, safeEqual } from '../../starters/intake/basic-auth';

const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

export function opsAuthorized(header: string | undefined, auth: NonNullable<OpsHttpConfig['auth']>): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  const bearerOk = auth.bearerToken !== undefined && bearer !== undefined && safeEqual(bearer, auth.bearerToken);
  const basicOk = auth.basic !== undefined && isAuthorized(header, auth.basic);
  return bearerOk || basicOk;
}

/** Every route but the probes (and the 404, so the routes are not listed to a stranger) asks for the credentials. */
export function addOpsAuth(app: FastifyInstance, auth: OpsHttpConfig['auth']): void {
  if (!auth) return;
  const challenges = [
    ...(auth.basic ? ['Basic realm="onboarding-ops", charset="UTF-8"'] : []),
    ...(auth.bearerToken ? ['Bearer realm="onboarding-ops"'] : []),
  ];
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return undefined;
    // A browser's CORS preflight (the Web UI asking for /codec/*) never carries credentials; it answers nothing.
    if (request.method === 'OPTIONS') return undefined;
    if (opsAuthorized(request.headers.authorization, auth)) return undefined;
    return reply
      .code(401)
      .header('www-authenticate', challenges)
      .send({
        error: 'unauthorized',
        message: `Credentials missing or wrong for the internal listener (${auth.basic ? 'Basic' : ''}${auth.basic && auth.bearerToken ? ' or ' : ''}${auth.bearerToken ? 'Bearer' : ''})`,
      });
  });
}
