/**
 * GET /ops: the health card a billing lead reads at a glance. This first version shows readiness and the number
 * of onboardings in each state (Temporal visibility counts); KPIs and thresholds join it with the reconciliation work.
 */
import type { FastifyInstance } from 'fastify';
import { ONBOARDING_STATES, type OnboardingState } from '../../../domain/states';
import type { AppContext } from '../app-context';
import { checkReadiness } from './health';

async function countByState(ctx: AppContext): Promise<Record<OnboardingState, number> | string> {
  try {
    const counts = await Promise.all(
      ONBOARDING_STATES.map(async (s) => [s, (await ctx.client.workflow.count(`OnboardingState = '${s}'`)).count] as const),
    );
    return Object.fromEntries(counts) as Record<OnboardingState, number>;
  } catch (err) {
    return `visibility query failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function registerOpsRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get('/ops', async (_req, reply) => {
    const [readiness, counts] = await Promise.all([checkReadiness(ctx), countByState(ctx)]);
    const rows =
      typeof counts === 'string'
        ? `<tr><td colspan="2">${escape(counts)}</td></tr>`
        : ONBOARDING_STATES.map((s) => `<tr><td>${s}</td><td class="n">${counts[s]}</td></tr>`).join('');
    const status = readiness.ready ? 'green' : 'red';
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Onboarding health</title>
<meta http-equiv="refresh" content="15">
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:44rem;color:#1d1d1f}.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%}
.green{background:#2e9d4a}.red{background:#d33}table{border-collapse:collapse;margin-top:1rem}td{padding:.25rem .8rem;border-bottom:1px solid #ddd}.n{text-align:right;font-variant-numeric:tabular-nums}</style></head>
<body><h1>Onboarding health</h1>
<p><span class="dot ${status}"></span> ${readiness.ready ? 'Ready' : 'Not ready'} · Temporal: ${escape(String(readiness.temporal))} · Worker: ${escape(typeof readiness.worker === 'string' ? readiness.worker : `${readiness.worker.livePollers} poller(s)`)}</p>
<p><a href="${escape(ctx.config.temporal.uiUrl)}/namespaces/${escape(ctx.config.temporal.namespace)}/workflows">Open the Temporal Web UI</a></p>
<table><thead><tr><th align="left">State</th><th>Onboardings</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
