/** `npm run cli -- reconcile [--start-missing] [--json]`: runs the `reconcile` workflow now, waits, prints its summary. */
import type { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../../domain/temporal-names';
import { liveWorkflowPollers } from '../../runtime/worker-presence';
import { reconcile, type ReconciliationSummary } from '../../reconciliation/workflows/reconcile';

export class NoWorkerError extends Error {}

export interface ReconcileCommandOptions {
  namespace: string;
  startMissing: boolean;
  taskQueue?: string;
}

export async function runReconcileCommand(
  client: Client,
  opts: ReconcileCommandOptions,
): Promise<ReconciliationSummary & { workflowId: string }> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.onboarding;
  // Waiting on a queue nobody polls would hang: say so at once instead.
  if ((await liveWorkflowPollers(client, taskQueue, opts.namespace)) === 0) {
    throw new NoWorkerError(
      `no worker is polling task queue "${taskQueue}": start the stack (npm start) or a worker, then run reconcile again`,
    );
  }
  const workflowId = `reconcile-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const summary = await client.workflow.execute(reconcile, {
    workflowId,
    taskQueue,
    args: [{ startMissing: opts.startMissing }],
    // The activities retry transient vendor failures for minutes; an hour means something is stuck.
    workflowExecutionTimeout: '1 hour',
  });
  return { workflowId, ...summary };
}

export function formatReconcileSummary(s: ReconciliationSummary & { workflowId: string }): string {
  const pct = (r: number): string => `${(r * 100).toFixed(2)}%`;
  const c = s.counts;
  const lines = [
    `reconciliation ${s.workflowId} at ${s.generatedAt}`,
    `  mismatch rate ${pct(s.mismatchRate)} (${c.withProblems} of ${c.compared} records; threshold ${pct(s.threshold)})${s.alert ? '  ALERT' : ''}`,
    `  signed deals ${c.signedDeals} · our customers ${c.customers} · other customers with an externalId ${c.foreignCustomers}`,
    `  missing customers ${c.missingCustomers} · customers without deal ${c.customersWithoutDeal} · field mismatches ${c.fieldMismatches} · duplicates ${c.duplicates}`,
  ];
  if (s.startedOnboardings) {
    const started = s.startedOnboardings.filter((o) => o.outcome === 'started');
    lines.push(
      `  onboardings started ${started.length} (already known to Temporal ${s.startedOnboardings.length - started.length})`,
    );
    for (const o of started) lines.push(`    deal ${o.dealId} → ${o.externalId}`);
  } else if (s.onboardings) {
    // Runs after the reconcile-paged patch return counts; each deal is listed in the report.
    lines.push(
      `  onboardings started ${s.onboardings.started} (already known to Temporal ${s.onboardings.alreadyKnown}; each listed in the report)`,
    );
  }
  lines.push(`  report ${s.report.textPath}`, `         ${s.report.jsonPath}`);
  if (s.slack)
    lines.push(
      s.slack.posted ? `  posted to Slack channel ${s.slack.channel}` : `  not posted to Slack: ${s.slack.reason}`,
    );
  return `${lines.join('\n')}\n`;
}
