/**
 * Starts the singleton `ops-watch` workflow and its KPI ledger shards, or hands them the current settings when they
 * already run: signal-with-start is idempotent, so every worker (and every restart) calls it, and the last worker
 * to start wins on settings.
 */
import type { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../domain/temporal-names';
import type { Config } from '../runtime/config';
import { ensureLedgerShards } from './activities/ledger-shards';
import { ledgerShardSettings, type OpsWatchSettings } from './model/ops-watch-state';
import {
  OPS_WATCH_TASK_TIMEOUT,
  OPS_WATCH_WORKFLOW_ID,
  OPS_WATCH_WORKFLOW_TYPE,
  opsSettingsSignal,
  type OpsWatchWorkflow,
} from './messages';

export function opsWatchSettings(config: Config): OpsWatchSettings {
  return {
    tickMs: config.ops.tickMs,
    customerSlaMs: config.ops.customerSlaMs,
    thresholds: config.ops.thresholds,
    ...(config.slack && config.ops.reviewDigestMin > 0 ? { reviewDigestMin: config.ops.reviewDigestMin } : {}),
  };
}

export async function ensureOpsWatch(
  client: Client,
  settings: OpsWatchSettings,
  opts: { workflowId?: string; taskQueue?: string } = {},
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = opts.workflowId ?? OPS_WATCH_WORKFLOW_ID;
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.ops;
  // The shards first: onboardings already running report to them.
  await ensureLedgerShards(client, { taskQueue, settings: ledgerShardSettings(settings) });
  const handle = await client.workflow.signalWithStart<OpsWatchWorkflow, [OpsWatchSettings]>(OPS_WATCH_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    workflowTaskTimeout: OPS_WATCH_TASK_TIMEOUT,
    args: [{ settings }],
    signal: opsSettingsSignal,
    signalArgs: [settings],
  });
  return { workflowId, runId: handle.signaledRunId };
}
