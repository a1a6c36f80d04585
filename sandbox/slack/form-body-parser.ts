/**
 * application/x-www-form-urlencoded bodies as flat string records (what WebClient sends; a repeated key keeps the
 * last value). Registered by hand so the simulator needs nothing beyond fastify itself.
 */
import type { FastifyInstance } from 'fastify';

export function registerFormBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
}
