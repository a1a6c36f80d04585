/**
 * The worker for the `ops` task queue: ops-watch and its activities, on a workflow thread and cache of their own, so
 * a burst of onboardings neither queues ops-watch's workflow tasks behind theirs nor evicts it (P4 at 3,000 parked:
 * 14 minutes without a task while 5,700 signals piled up, when it shared the `onboarding` queue).
 */
import { processDataConverter } from '../runtime/payload-codec';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUES } from '../domain/temporal-names';
import { OPS_LEDGER_SHARDS } from './messages';

/**
 * How long one activation may run. A run that could not hand over during a burst receives every signal buffered
 * meanwhile in one activation: P4 at 10,000 parked reached ~10,000 events, its catch-up ran past the SDK's 5 s and
 * failed, retried with still more signals, and could never succeed. The thread is ops-watch's alone, so a long
 * activation holds up nothing else. The SDK honours the option but leaves it out of WorkerOptions' type.
 */
export const OPS_ISOLATE_EXECUTION_TIMEOUT = '2 minutes';

export function createOpsWorker(o: {
  connection: NativeConnection;
  namespace: string;
  workflowBundle: WorkerOptions['workflowBundle'];
  activities: object;
  taskQueue?: string;
}): Promise<Worker> {
  const untyped: object = { isolateExecutionTimeout: OPS_ISOLATE_EXECUTION_TIMEOUT };
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue ?? TASK_QUEUES.ops,
    workflowBundle: o.workflowBundle,
    // ops-watch and every ledger shard stay cached: a shard evicted mid-stream replays before it can hand over.
    maxCachedWorkflows: OPS_LEDGER_SHARDS + 4,
    maxConcurrentWorkflowTaskExecutions: 2,
    maxConcurrentActivityTaskExecutions: 4,
    activities: o.activities,
    // ops-watch reads onboardings' KPI events: the same payload codec as every worker (runtime/payload-codec.ts).
    dataConverter: processDataConverter(),
    shutdownGraceTime: '10s',
    ...untyped,
  });
}
