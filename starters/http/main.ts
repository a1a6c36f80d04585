/**
 * HTTP app process, two listeners until SIGINT/SIGTERM: the public one on APP_HOST:APP_PORT (webhook, Slack,
 * probes) and the internal one on OPS_HOST:OPS_PORT (ops card, /metrics, probes). Both share one registry, so the
 * public listener's counters are scraped on the internal one.
 */
import { exitWithParent } from '../../runtime/exit-with-parent';
import { loadConfigOrExit } from '../../runtime/load-config';
import { createLogger } from '../../runtime/logger';
import { createRegistry } from '../../runtime/metrics';
import { connectClient } from '../../runtime/temporal-connection';
import { PipedriveClient } from '../../integrations/pipedrive';
import { registerPipedriveWebhook } from '../intake/webhook-registration';
import { buildOpsApp } from '../../ops/http/ops-app';
import { buildApp } from './app';
import type { AppContext } from './app-context';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger('app', config.logLevel);
  const { connection, client } = await connectClient(config);
  const pd = config.pipedrive;
  const pipedrive = pd
    ? new PipedriveClient({ apiUrl: pd.apiUrl, apiToken: pd.apiToken, timeoutMs: 4_000 })
    : undefined;
  const ctx: AppContext = {
    config,
    log,
    connection,
    client,
    registry: createRegistry(),
    workerMetricsUrl: `http://127.0.0.1:${config.worker.metricsPort}/metrics`,
    webhookIntake: { pipedrive },
  };
  const ops = buildOpsApp(ctx);
  const app = buildApp(ctx);
  // Internal first: once the public /readyz answers (what `npm start` waits for), /ops answers too.
  await ops.listen({ host: config.opsHttp.host, port: config.opsHttp.port });
  await app.listen({ host: config.app.host, port: config.app.port });
  if (pd && pipedrive) await registerPipedriveWebhook(pipedrive, pd, config.app.publicUrl, log);

  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, 'app stopping');
    await app.close();
    await ops.close();
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
