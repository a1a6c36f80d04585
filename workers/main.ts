/**
 * Worker process: polls the `onboarding` task queue (workflows and their light activities). The Temporal SDK's
 * own metrics are served on WORKER_METRICS_PORT for the app's /metrics to include. SIGINT/SIGTERM drain the
 * worker (the SDK installs those handlers) before the process exits.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { TASK_QUEUES } from '../domain/temporal-names';
import { exitWithParent } from '../runtime/exit-with-parent';
import { loadConfigOrExit } from '../runtime/load-config';
import { createLogger } from '../runtime/logger';
import { temporalTls } from '../runtime/temporal-connection';
import { temporalLoggerFrom } from './runtime-logger';

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
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: TASK_QUEUES.onboarding,
    workflowsPath: require.resolve('../workflows'),
    shutdownGraceTime: '10s',
  });
  exitWithParent(() => worker.shutdown());
  log.info({ taskQueue: TASK_QUEUES.onboarding, metricsPort: config.worker.metricsPort }, 'worker polling');
  await worker.run();
  await connection.close();
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
