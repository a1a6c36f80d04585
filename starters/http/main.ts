/** HTTP app process: serves the routes of DESIGN.md §4 on APP_HOST:APP_PORT until SIGINT/SIGTERM. */
import { exitWithParent } from '../../runtime/exit-with-parent';
import { loadConfigOrExit } from '../../runtime/load-config';
import { createLogger } from '../../runtime/logger';
import { createRegistry } from '../../runtime/metrics';
import { connectClient } from '../../runtime/temporal-connection';
import { PipedriveClient } from '../../integrations/pipedrive';
import { registerPipedriveWebhook } from '../intake/webhook-registration';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger('app', config.logLevel);
  const { connection, client } = await connectClient(config);
  const pd = config.pipedrive;
  const pipedrive = pd ? new PipedriveClient({ apiUrl: pd.apiUrl, apiToken: pd.apiToken, timeoutMs: 4_000 }) : undefined;
  const app = buildApp({
    config,
    log,
    connection,
    client,
    registry: createRegistry(),
    workerMetricsUrl: `http://127.0.0.1:${config.worker.metricsPort}/metrics`,
    webhookIntake: { pipedrive },
  });
  await app.listen({ host: config.app.host, port: config.app.port });
  if (pd && pipedrive) await registerPipedriveWebhook(pipedrive, pd, config.app.publicUrl, log);

  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, 'app stopping');
    await app.close();
    await connection.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  exitWithParent(() => void stop('parent gone'));
}

main().catch((err: unknown) => {
  process.stderr.write(`app failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
