/**
 * `npm run cli -- backfill [--dry-run] [--json]`: starts the `backfill` workflow under its fixed ID, or attaches to
 * the one already running (conflict policy USE_EXISTING), shows its progress from the `backfillProgress` query (a
 * bar on stderr when that is a terminal, a line per page otherwise), waits for the end and prints the summary.
 * Ctrl-C stops only the CLI: the workflow goes on, and running the command again attaches to it.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '../../domain/temporal-names';
import { liveWorkflowPollers } from '../../runtime/worker-presence';
import {
  backfill,
  backfillProgressQuery,
  BACKFILL_DRY_RUN_WORKFLOW_ID,
  BACKFILL_WORKFLOW_ID,
  MAX_LISTED,
  type BackfillState,
} from '../../backfill/workflows/backfill';
import { NoWorkerError } from './reconcile-command';

export interface BackfillCommandOptions {
  namespace: string;
  dryRun: boolean;
  taskQueue?: string;
  pageSize?: number;
  /** Where progress goes (stderr); a TTY gets a redrawn bar. */
  progress?: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean };
  pollMs?: number;
}

export type BackfillCommandResult = BackfillState & { workflowId: string; attached: boolean };

export async function runBackfillCommand(client: Client, opts: BackfillCommandOptions): Promise<BackfillCommandResult> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.onboarding;
  if ((await liveWorkflowPollers(client, taskQueue, opts.namespace)) === 0) {
    throw new NoWorkerError(
      `no worker is polling task queue "${taskQueue}": start the stack (npm start) or a worker, then run backfill again`,
    );
  }
  const workflowId = opts.dryRun ? BACKFILL_DRY_RUN_WORKFLOW_ID : BACKFILL_WORKFLOW_ID;
  const requestId = randomUUID();
  const handle = await client.workflow.start(backfill, {
    workflowId,
    taskQueue,
    args: [{ dryRun: opts.dryRun, requestId, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) }],
    // A running backfill is joined, not duplicated; a finished one may be run again (every step is idempotent).
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  const out = opts.progress;
  let lastLine = '';
  const show = (s: BackfillState): void => {
    if (!out) return;
    const line = progressLine(s);
    if (out.isTTY) out.write(`\r${progressBar(s)} ${line}\x1b[K`);
    else if (line !== lastLine) out.write(`${line}\n`);
    lastLine = line;
  };
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  while (!finished) {
    try {
      show(await handle.query(backfillProgressQuery));
    } catch {
      // Between continue-as-new runs the query may find no run to answer: the next poll will.
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, opts.pollMs ?? 1000))]);
  }
  const final = await result;
  show(final);
  if (out?.isTTY) out.write('\n');
  // USE_EXISTING hands back the running execution and ignores our arguments: a run that carries another request id
  // (or none, from before request ids) was started by someone else. Start times cannot tell: after continue-as-new the
  // current run is younger than this call.
  return { ...final, workflowId, attached: final.requestId !== requestId };
}

export function progressBar(s: BackfillState, width = 30): string {
  const ratio = s.total === 0 ? (s.done ? 1 : 0) : Math.min(1, s.totals.dealsSeen / s.total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%`;
}

export function progressLine(s: BackfillState): string {
  const t = s.totals;
  // A paged backfill learns the number of deals at its last page: '?' until then.
  const of = s.total > 0 || s.done ? String(s.total) : '?';
  return `backfill${s.dryRun ? ' (dry run)' : ''}: ${t.dealsSeen}/${of} deals · matched ${t.matchedByExternalId + t.matchedByEmail + t.matchedByCompanyName} · onboardings ${t.onboardingsStarted} · duplicates ${t.suspectedDuplicates}${s.done ? ' · done' : ''}`;
}

export function formatBackfillSummary(r: BackfillCommandResult): string {
  const t = r.totals;
  const would = r.dryRun ? 'would be ' : '';
  const lines = [
    `backfill ${r.workflowId}${r.dryRun ? ' (dry run: nothing was changed)' : ''}${r.attached ? ' (attached to the run in progress)' : ''}, started ${r.startedAt}`,
    `  deals seen ${t.dealsSeen} of ${r.total}`,
    `  matched by externalId ${t.matchedByExternalId} · by email ${t.matchedByEmail} · by company ${t.matchedByCompanyName}`,
    `  external ids ${would}written: NetSuite ${t.netsuiteExternalIdsWritten} · Pipedrive ${t.pipedriveExternalIdsWritten}`,
    `  onboardings ${would}started ${t.onboardingsStarted}${r.dryRun ? '' : ` (already known to Temporal ${t.onboardingsAlreadyKnown})`}`,
    `  suspected duplicates listed ${t.suspectedDuplicates} · conflicts ${t.conflicts}${t.writeFailures ? ` · refused writes ${t.writeFailures}` : ''}`,
  ];
  if (r.report)
    lines.push(
      `  every deal and what it ${r.dryRun ? 'would get' : 'got'} (one JSON line a deal, on the worker's host): ${r.report.path}`,
    );
  if (r.actions.length) {
    lines.push('', r.dryRun ? 'What it would do:' : 'What it did:');
    for (const a of r.actions) {
      if (a.action === 'write-netsuite-external-id')
        lines.push(`  deal ${a.dealId}: set externalId ${a.externalId} on NetSuite customer ${a.customerId}`);
      else if (a.action === 'write-pipedrive-external-id')
        lines.push(`  deal ${a.dealId}: set its External ID field to ${a.externalId}`);
      else lines.push(`  deal ${a.dealId}: start onboarding ${a.externalId}${a.outcome ? ` (${a.outcome})` : ''}`);
    }
  }
  if (r.suspectedDuplicates.length) {
    lines.push('', 'Suspected duplicates (left untouched, for review):');
    for (const d of r.suspectedDuplicates) {
      lines.push(
        `  deal ${d.dealId} (${d.externalId}): customers ${d.customers.map((c) => `${c.id}${c.externalId ? ` [${c.externalId}]` : ''} by ${c.matchedOn.join('+')}`).join(', ')}`,
      );
    }
  }
  if (r.conflicts.length) {
    lines.push('', 'Conflicts (left untouched, for review):');
    for (const c of r.conflicts)
      lines.push(
        `  deal ${c.dealId} (${c.externalId}) ↔ customer ${c.customerId} [${c.customerExternalId ?? ''}]: ${c.reason}`,
      );
  }
  if (r.writeFailures.length) {
    lines.push('', 'Refused writes:');
    for (const f of r.writeFailures)
      lines.push(
        `  ${f.system} deal ${f.dealId} ${f.externalId}${f.customerId ? ` customer ${f.customerId}` : ''}: ${f.error}`,
      );
  }
  if ([r.actions, r.suspectedDuplicates, r.conflicts, r.writeFailures].some((l) => l.length >= MAX_LISTED)) {
    lines.push(
      '',
      `Each list above shows its first ${MAX_LISTED} entries; the counts are exact. Run backfill again after dealing with them: it lists the rest.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
