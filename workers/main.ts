/**
 * Worker process: polls the `onboarding` task queue (workflows, Pipedrive and alert activities), the `netsuite`
 * queue (NetSuite activities; the client's semaphore keeps requests within the account's concurrency budget) and the
 * `ops` queue (ops-watch and its activities, on a workflow thread and cache of their own). The Temporal SDK's
 * own metrics are served on WORKER_METRICS_PORT for the app's /metrics to include. SIGINT/SIGTERM drain the
 * worker (the SDK installs those handlers) before the process exits.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { TASK_QUEUES } from '../domain/temporal-names';
import { createWorkerActivities } from './activity-dependencies';
import { exitWithParent } from '../runtime/exit-with-parent';
import type { Config } from '../runtime/config';
import { loadConfigOrExit } from '../runtime/load-config';
import { createLogger, type Logger } from '../runtime/logger';
import { processDataConverter } from '../runtime/payload-codec';
import { connectClient, temporalTls } from '../runtime/temporal-connection';
import { ensureReconciliationSchedule } from '../starters/schedules';
import { ensureOpsWatch, opsWatchSettings } from '../ops/start-ops-watch';
import { OnboardingStarter } from '../starters/start-onboarding';
import { heartbeatWhileRunning } from './heartbeat-interceptor';
import { IdleRecycleDecision, RECYCLE_EXIT_CODE, recycleIdleMs } from './idle-recycle';
import { createOpsWorker } from '../ops/worker';
import { breakerReportsSettled } from '../ops/activities/vendor-outages';
import { temporalLoggerFrom } from './runtime-logger';
import { cachedWorkflowBundle } from './workflow-bundle';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger('worker', config.logLevel);
  Runtime.install({
    logger: temporalLoggerFrom(log),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${config.worker.metricsPort}` } } },
  });
  const connection = await NativeConnection.connect({
    address: config.temporal.address,
    tls: temporalTls(config.temporal),
    apiKey: config.temporal.apiKey,
  });
  // A client connection for what workers start themselves: reconciliation's missing onboardings and the schedules.
  const { connection: clientConnection, client } = await connectClient(config);
  const starter = new OnboardingStarter(clientConnection, config.temporal.namespace, {
    reviewEscalationAfterMs: config.onboarding.reviewEscalationAfterMs,
    vendorOutageReviewAfterMs: config.onboarding.vendorOutageReviewAfterMs,
  });
  const activities = createWorkerActivities(config, {
    starter,
    client,
    // KPI signals from local activities (workflows/kpi-delivery.ts) over the workers' own Rust-core connection.
    kpiClient: new Client({ connection, namespace: config.temporal.namespace, dataConverter: processDataConverter() }),
    // What an operator sees in the worker's log when a vendor goes down or comes back (docs/vendor-outages.md).
    onBreakerTransition: (t) =>
      t.state === 'open'
        ? log.warn(t, `${t.vendor} is down: circuit open, onboardings meeting it wait in WAITING_FOR_VENDOR`)
        : log.info(t, `${t.vendor} is back: circuit closed`),
  });
  // One bundle for both workflow workers, built in a child process and cached under DATA_DIR (webpack in this
  // process kept ~90 MB of RSS: workers/workflow-bundle.ts), unless the launcher prebuilt it.
  const workflowBundle = { codePath: config.worker.workflowBundlePath ?? (await prebuiltBundle(config.dataDir, log)) };
  const onboarding = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: TASK_QUEUES.onboarding,
    workflowBundle,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    activities: activities.onboarding,
    dataConverter: processDataConverter(),
    interceptors: { activity: [heartbeatWhileRunning] },
    shutdownGraceTime: '10s',
  });
  const netsuite = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: TASK_QUEUES.netsuite,
    activities: activities.netsuite,
    // The budget plus NETSUITE_QUEUED_ACTIVITIES waiting in the client's semaphore: with only the budget, every freed
    // slot stayed idle for a completion and a poll round trip (P3 C=5, L=500 ms: 88.7% of C).
    maxConcurrentActivityTaskExecutions: activities.netsuiteActivitySlots,
    dataConverter: processDataConverter(),
    interceptors: { activity: [heartbeatWhileRunning] },
    shutdownGraceTime: '10s',
  });
  const ops = await createOpsWorker({
    connection,
    namespace: config.temporal.namespace,
    workflowBundle,
    activities: activities.ops,
  });
  // Idempotent: every worker start re-applies the schedule's spec and policies (an operator's pause is kept).
  await ensureReconciliationSchedule(client, { cron: config.reconciliation.cron }).then(
    (s) =>
      log.info(
        { scheduleId: s.scheduleId, outcome: s.outcome, cron: config.reconciliation.cron },
        'reconciliation schedule in place',
      ),
    (err: unknown) =>
      log.error({ err }, 'could not create or update the reconciliation schedule; onboardings are not affected'),
  );
  // Idempotent too: starts the singleton ops-watch, or hands the running one this worker's settings.
  await ensureOpsWatch(client, opsWatchSettings(config)).then(
    (w) => log.info({ workflowId: w.workflowId, tickMs: config.ops.tickMs }, 'ops-watch running'),
    (err: unknown) =>
      log.error({ err }, 'could not start ops-watch; onboardings are not affected, KPIs and alerts are'),
  );
  const workers = [onboarding, netsuite, ops];
  const shutdownAll = (): void => {
    // A worker already stopping refuses shutdown(); thrown from a timer or signal handler it would end the process.
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  exitWithParent(shutdownAll);
  const recycled = watchForIdleRecycle(config.worker, workers, shutdownAll, log);
  log.info(
    {
      taskQueues: [TASK_QUEUES.onboarding, TASK_QUEUES.netsuite, TASK_QUEUES.ops],
      metricsPort: config.worker.metricsPort,
    },
    'worker polling',
  );
  // One worker failing stops the others, so the process exits for its supervisor instead of running half a worker.
  const runs = await Promise.allSettled(
    workers.map((w) =>
      w.run().catch((err: unknown) => {
        shutdownAll();
        throw err;
      }),
    ),
  );
  recycled.stop();
  const failed = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed && !recycled.happened) throw failed.reason;
  // Stopping for a fresh process is the decision already taken: a worker that stopped untidily still gets replaced.
  if (failed) log.warn({ err: failed.reason }, 'a worker stopped with an error while recycling');
  await breakerReportsSettled();
  await connection.close();
  await clientConnection.close();
  log.info(recycled.happened ? 'worker stopped for a fresh process (recycled)' : 'worker stopped');
  if (recycled.happened) process.exitCode = RECYCLE_EXIT_CODE;
}

async function prebuiltBundle(dataDir: string, log: Logger): Promise<string> {
  const bundle = await cachedWorkflowBundle(require.resolve('../workflows'), dataDir);
  log.info({ source: bundle.source, seconds: Math.round(bundle.seconds * 10) / 10 }, 'workflow bundle ready');
  return bundle.codePath;
}

/** Samples the SDK workers every 2 s; when the policy says so, stops them (main then exits with RECYCLE_EXIT_CODE). */
function watchForIdleRecycle(
  settings: Config['worker'],
  workers: Worker[],
  shutdownAll: () => void,
  log: Logger,
): { stop(): void; readonly happened: boolean } {
  const state = { happened: false, stop: () => undefined as void };
  if (settings.recycleGrowthMb === 0 || !settings.supervised) {
    if (settings.recycleGrowthMb > 0)
      log.info(
        { growthMb: settings.recycleGrowthMb },
        'idle recycling off: no supervisor to restart this worker (set WORKER_SUPERVISED=true under systemd, Kubernetes, …)',
      );
    return state;
  }
  const decision = new IdleRecycleDecision(
    { growthMb: settings.recycleGrowthMb, idleMs: recycleIdleMs(settings.idleGcSeconds) },
    process.memoryUsage.rss(),
  );
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilisation = performance.eventLoopUtilization(now, elu).utilization;
    elu = now;
    const inFlight = workers.reduce((n, w) => {
      const s = w.getStatus();
      return n + s.numInFlightWorkflowActivations + s.numInFlightActivities;
    }, 0);
    const verdict = decision.observe({ inFlight, utilisation, rssBytes: process.memoryUsage.rss() }, Date.now());
    if (verdict.kind === 'baseline')
      log.info(
        { baselineMb: verdict.baselineMb, growthMb: settings.recycleGrowthMb },
        'idle RSS settled: recycling only past this baseline plus WORKER_RECYCLE_GROWTH_MB',
      );
    if (verdict.kind !== 'recycle') return;
    clearInterval(timer);
    state.happened = true;
    log.info(
      { rssMb: verdict.rssMb, baselineMb: verdict.baselineMb, growthMb: settings.recycleGrowthMb },
      'idle more than WORKER_RECYCLE_GROWTH_MB above its settled baseline: stopping for a fresh process',
    );
    shutdownAll();
  }, 2_000);
  timer.unref();
  state.stop = () => clearInterval(timer);
  return state;
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
