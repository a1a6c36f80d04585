/**
 * Starts the KPI ledger shards (or hands them new settings) and reads their day buckets, summed, for `opsWatch`'s
 * tick. Free of the activity context: the worker's start-up and the `gatherOpsFacts` activity both use it.
 */
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { within } from '../../runtime/within';
import { firstLine } from '../../domain/first-line';
import type { LedgerShardsFacts } from '../model/facts';
import type { LedgerShardSettings, LedgerShardState } from '../model/ledger-shard-state';
import { mergeDays, type DayBucket } from '../model/ledger';
import {
  LEDGER_SHARD_TASK_TIMEOUT,
  ledgerSettingsSignal,
  ledgerShardQuery,
  OPS_LEDGER_ID_PREFIX,
  OPS_LEDGER_SHARDS,
  OPS_LEDGER_WORKFLOW_TYPE,
  opsLedgerShardId,
  type OpsLedgerShardWorkflow,
} from '../messages';

export interface LedgerShardsOptions {
  taskQueue: string;
  settings: LedgerShardSettings;
  idPrefix?: string;
  /**
   * Bound on each shard's query, so one stuck shard cannot stall the tick. Default 15 s: after a worker died
   * without a goodbye (kill -9), a query first waits out the dead worker's sticky queue (5 s) and then replays.
   */
  queryTimeoutMs?: number;
}

const ids = (prefix: string): string[] =>
  Array.from({ length: OPS_LEDGER_SHARDS }, (_, n) => opsLedgerShardId(n, prefix));

/** Signal-with-start on every shard: starts the missing ones, hands the running ones the settings. Idempotent. */
export async function ensureLedgerShards(client: Client, o: LedgerShardsOptions): Promise<string[]> {
  const prefix = o.idPrefix ?? OPS_LEDGER_ID_PREFIX;
  await Promise.all(
    ids(prefix).map((workflowId, shard) =>
      client.workflow.signalWithStart<OpsLedgerShardWorkflow, [LedgerShardSettings]>(OPS_LEDGER_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: o.taskQueue,
        workflowTaskTimeout: LEDGER_SHARD_TASK_TIMEOUT,
        args: [{ shard, settings: o.settings }],
        signal: ledgerSettingsSignal,
        signalArgs: [o.settings],
      }),
    ),
  );
  return ids(prefix);
}

/**
 * Starts the shards that are not running (a shard someone terminated comes back, empty); running ones are left as
 * they are: unlike `ensureLedgerShards`, nothing is written to their histories, so it can run at every tick.
 */
async function startMissingLedgerShards(client: Client, o: LedgerShardsOptions): Promise<string[]> {
  const shardIds = ids(o.idPrefix ?? OPS_LEDGER_ID_PREFIX);
  await Promise.all(
    shardIds.map((workflowId, shard) =>
      client.workflow.start<OpsLedgerShardWorkflow>(OPS_LEDGER_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: o.taskQueue,
        workflowTaskTimeout: LEDGER_SHARD_TASK_TIMEOUT,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        args: [{ shard, settings: o.settings }],
      }),
    ),
  );
  return shardIds;
}

/**
 * Every shard's buckets, summed by day; an error when any shard could not be read (a partial sum would look like a
 * quiet week and could close an alert).
 */
export async function readLedgerShards(
  client: Client,
  o: LedgerShardsOptions,
): Promise<{ facts: LedgerShardsFacts } | { error: string }> {
  try {
    const shardIds = await startMissingLedgerShards(client, o);
    const timeout = o.queryTimeoutMs ?? 15_000;
    // Settled, not raced: every shard's query runs its course (and re-homes a stale sticky queue) even when one fails.
    const settled = await Promise.allSettled(
      shardIds.map((id) =>
        within(client.workflow.getHandle(id).query<LedgerShardState>(ledgerShardQuery), timeout, `ledger shard ${id}`),
      ),
    );
    const failed = settled.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length > 0) throw new Error(`${failed.length} of ${shardIds.length}: ${failed[0]}`);
    const states = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    return {
      facts: {
        shards: states.length,
        days: states.reduce((days: DayBucket[], s) => mergeDays(days, s.days), []),
        openDeals: states.reduce((n, s) => n + s.openDeals, 0),
      },
    };
  } catch (err) {
    return { error: `ledger shards unreadable: ${firstLine(err)}` };
  }
}
