/**
 * GET /ops: the health card a billing lead reads at a glance (the guide's four signals against their thresholds,
 * 7-day trends, the review queue with links, the last reconciliation, open alerts, readiness and counts by state).
 * GET /ops.json: the same figures for tools and tests. KPIs come from the `ops-watch` workflow's query, the review
 * queue and the counts from visibility.
 */
import type { FastifyInstance } from 'fastify';
import { firstLine } from '../../domain/first-line';
import { ONBOARDING_STATES, type OnboardingState } from '../../domain/states';
import type { AppContext } from '../../starters/http/app-context';
import { renderOpsCard } from './ops-card-html';
import { opsCardSourceFor } from './ops-card-data';
import { checkReadiness } from '../../starters/http/routes/health';

async function countByState(ctx: AppContext): Promise<Record<OnboardingState, number> | string> {
  try {
    const counts = await Promise.all(
      ONBOARDING_STATES.map(
        async (s) => [s, (await ctx.client.workflow.count(`OnboardingState = '${s}'`)).count] as const,
      ),
    );
    return Object.fromEntries(counts) as Record<OnboardingState, number>;
  } catch (err) {
    return `visibility query failed: ${firstLine(err)}`;
  }
}

export function registerOpsRoute(app: FastifyInstance, ctx: AppContext): void {
  const source = opsCardSourceFor(ctx.client);
  app.get('/ops', async (_req, reply) => {
    const [readiness, countsByState, view] = await Promise.all([checkReadiness(ctx), countByState(ctx), source.view()]);
    const html = renderOpsCard(view, {
      readiness,
      countsByState,
      temporalUiUrl: ctx.config.temporal.uiUrl,
      namespace: ctx.config.temporal.namespace,
      ...(ctx.config.pipedrive
        ? { pipedriveBaseUrl: `https://${ctx.config.pipedrive.companyDomain}.pipedrive.com` }
        : {}),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
  app.get('/ops.json', async (_req, reply) => {
    const [readiness, countsByState, view] = await Promise.all([checkReadiness(ctx), countByState(ctx), source.view()]);
    return reply.header('cache-control', 'no-store').send({ ...view, readiness, countsByState });
  });
}
