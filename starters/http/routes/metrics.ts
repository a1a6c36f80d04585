/**
 * Prometheus text: the app's registry, followed by the worker's Temporal SDK metrics (scraped from the worker's
 * own endpoint) so one scrape target shows both. Metric names do not overlap: ours are `onboarding_*`, the
 * SDK's `temporal_*`.
 */
import axios from 'axios';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';

async function workerMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await axios.get<string>(url, { timeout: 1_000, responseType: 'text', transformResponse: (d: string) => d });
    return res.data;
  } catch {
    return '# worker metrics unavailable\n';
  }
}

export function registerMetricsRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get('/metrics', async (_req, reply) => {
    const [own, worker] = await Promise.all([ctx.registry.metrics(), workerMetrics(ctx.workerMetricsUrl)]);
    return reply.type(ctx.registry.contentType).send(`${own}\n${worker}`);
  });
}
