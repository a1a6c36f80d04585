/** Runs the two workers of an onboarding (its own queue and the paired NetSuite queue) around `fn`, then stops them. */
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createKpiDeliveryActivities } from '../../activities/kpi-delivery-activities';
import { clientKpiLedger } from '../../ops/activities/ledger-signal';
import type { createOnboardingActivities } from '../../activities/onboarding-activities';
import { netsuiteTaskQueueFor } from '../../domain/temporal-names';
import { processDataConverter } from '../../runtime/payload-codec';
import { heartbeatWhileRunning } from '../../workers/heartbeat-interceptor';

export interface WorkerEnv {
  nativeConnection: NativeConnection;
  namespace: string;
  workflowBundle: { code: string };
}

export async function runOnboardingWorkers<T>(
  env: WorkerEnv,
  taskQueue: string,
  activities: ReturnType<typeof createOnboardingActivities>,
  fn: () => Promise<T>,
): Promise<T> {
  // As the production worker: activities heartbeat, which their stubs' heartbeatTimeout expects.
  const common = {
    connection: env.nativeConnection,
    namespace: env.namespace,
    dataConverter: processDataConverter(),
    interceptors: { activity: [heartbeatWhileRunning] },
  };
  const onboarding = await Worker.create({
    ...common,
    taskQueue,
    workflowBundle: env.workflowBundle,
    // As the production worker: KPI events go to the ledger shards through the worker's own connection.
    activities: {
      ...createKpiDeliveryActivities(
        clientKpiLedger(
          new Client({
            connection: env.nativeConnection,
            namespace: env.namespace,
            dataConverter: processDataConverter(),
          }),
        ),
      ),
      ...activities.onboarding,
    },
  });
  const netsuite = await Worker.create({
    ...common,
    taskQueue: netsuiteTaskQueueFor(taskQueue),
    activities: activities.netsuite,
  });
  return netsuite.runUntil(onboarding.runUntil(fn()));
}
