/** Liveness and readiness. Ready means Temporal answers and a worker polls the onboarding queue. */
import type { FastifyInstance } from 'fastify';
import { firstLine } from '../../../domain/first-line';
import { TASK_QUEUES } from '../../../domain/temporal-names';
import { liveWorkflowPollers } from '../../../runtime/worker-presence';
import type { AppContext } from '../app-context';

export interface Readiness {
  ready: boolean;
  temporal: 'ok' | string;
  worker: { taskQueue: string; livePollers: number } | string;
}

export async function checkReadiness(ctx: AppContext): Promise<Readiness> {
  const namespace = ctx.config.temporal.namespace;
  try {
    await ctx.connection.workflowService.getSystemInfo({});
  } catch (err) {
    return { ready: false, temporal: `unreachable: ${firstLine(err)}`, worker: 'unknown' };
  }
  try {
    const livePollers = await liveWorkflowPollers(ctx.client, TASK_QUEUES.onboarding, namespace);
    return {
      ready: livePollers > 0,
      temporal: 'ok',
      worker:
        livePollers > 0
          ? { taskQueue: TASK_QUEUES.onboarding, livePollers }
          : `no worker polls task queue ${TASK_QUEUES.onboarding}`,
    };
  } catch (err) {
    return { ready: false, temporal: 'ok', worker: `describeTaskQueue failed: ${firstLine(err)}` };
  }
}

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const readiness = await checkReadiness(ctx);
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
}
