/** Is a worker polling this task queue? Temporal itself is the source of truth: no side channel to the worker. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * A live worker long-polls without pause, so its last access is at most one poll timeout (about a minute) old.
 * Anything older belongs to a worker that is gone.
 */
const LIVE_POLLER_WINDOW_MS = 75_000;

export async function liveWorkflowPollers(client: Client, taskQueue: string, namespace: string): Promise<number> {
  const response = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const now = Date.now();
  return (response.pollers ?? []).filter((p) => {
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    return now - seconds * 1000 <= LIVE_POLLER_WINDOW_MS;
  }).length;
}
