/**
 * Prometheus text: the app's registry (with the health card's gauges, computed from ops-watch at scrape time),
 * followed by the worker's metrics (Temporal SDK `temporal_*` and the workflow meter's per-process `onboarding_*`
 * histograms, scraped from the worker's own endpoint) so one scrape target shows both.
 */
import axios from 'axios';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../starters/http/app-context';
import { opsCardSourceFor } from './ops-card-data';
import { registerOpsGauges } from './ops-metrics';

async function workerMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await axios.get<string>(url, {
      timeout: 1_000,
      responseType: 'text',
      transformResponse: (d: string) => d,
    });
    return res.data;
  } catch {
    return '# worker metrics unavailable\n';
  }
}

export function registerMetricsRoute(app: FastifyInstance, ctx: AppContext): void {
  const source = opsCardSourceFor(ctx.client);
  registerOpsGauges(ctx.registry, () => source.view());
  app.get('/metrics', async (_req, reply) => {
    const [own, worker] = await Promise.all([ctx.registry.metrics(), workerMetrics(ctx.workerMetricsUrl)]);
    return reply.type(ctx.registry.contentType).send(`${own}\n${worker}`);
  });
}
