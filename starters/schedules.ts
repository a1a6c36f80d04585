/**
 * Temporal Schedules the product relies on, created or brought up to date at worker start: idempotent, so every
 * worker (and every restart) can call it. Today one: `reconciliation-daily`, the guide's nightly reconciliation.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { TASK_QUEUES } from '../domain/temporal-names';
import { reconcile, type ReconcileInput } from '../reconciliation/workflows/reconcile';

export const RECONCILIATION_SCHEDULE_ID = 'reconciliation-daily';
/** 06:00 UTC every day: before billing ops start their day in Europe, after the US day has closed. */
export const DEFAULT_RECONCILIATION_CRON = '0 6 * * *';

export interface ReconciliationScheduleOptions {
  scheduleId?: string;
  /** Standard 5-field cron, evaluated in UTC. */
  cron?: string;
  taskQueue?: string;
  args?: ReconcileInput;
}

export interface EnsuredSchedule {
  scheduleId: string;
  outcome: 'created' | 'updated';
}

/**
 * Creates the schedule, or, when it exists, rewrites its spec, action and policies to these (state is kept: a
 * schedule an operator paused stays paused across worker restarts). Overlap SKIP: a run still going when the next
 * is due is never doubled. Catch-up window one day: after an outage the missed run happens once, not never.
 */
export async function ensureReconciliationSchedule(
  client: Client,
  opts: ReconciliationScheduleOptions = {},
): Promise<EnsuredSchedule> {
  const scheduleId = opts.scheduleId ?? RECONCILIATION_SCHEDULE_ID;
  const spec: ScheduleSpec = { cronExpressions: [opts.cron ?? DEFAULT_RECONCILIATION_CRON], timezone: 'UTC' };
  const action: ScheduleOptionsStartWorkflowAction<typeof reconcile> = {
    type: 'startWorkflow',
    workflowType: reconcile,
    // The server appends the scheduled time: reconcile-<schedule id>-<time>.
    workflowId: `reconcile-${scheduleId}`,
    taskQueue: opts.taskQueue ?? TASK_QUEUES.onboarding,
    args: [opts.args ?? {}],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return { scheduleId, outcome: 'created' };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  return { scheduleId, outcome: 'updated' };
}
