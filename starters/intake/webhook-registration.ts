/**
 * On app start: make sure Pipedrive delivers deal changes to this app (one `deal.change` v2 webhook with our Basic-auth
 * pair at `<APP_PUBLIC_URL>/webhooks/pipedrive`) and warm the lookups the intake needs, so the first delivery is fast.
 * Failures are logged, never fatal: the app still serves, and the next start tries again.
 */
import type { PipedriveConfig } from '../../runtime/config';
import type { Logger } from '../../runtime/logger';
import type { PipedriveClient } from '../../integrations/pipedrive';
import { PIPEDRIVE_WEBHOOK_PATH } from '../http/routes/pipedrive-webhook';
import { loadIntakeFacts } from './intake-facts';

export async function registerPipedriveWebhook(
  client: PipedriveClient,
  pd: PipedriveConfig,
  publicUrl: string,
  log: Logger,
): Promise<string | undefined> {
  const subscriptionUrl = `${publicUrl.replace(/\/+$/, '')}${PIPEDRIVE_WEBHOOK_PATH}`;
  try {
    const webhookId = await client.ensureWebhook({
      subscriptionUrl,
      user: pd.webhookUser,
      password: pd.webhookPassword,
    });
    log.info({ webhookId, subscriptionUrl }, 'pipedrive webhook registered');
    await loadIntakeFacts(client).catch((err: Error) =>
      log.warn({ err: err.message }, 'pipedrive intake lookups could not be warmed'),
    );
    return webhookId;
  } catch (err) {
    log.error(
      { err: (err as Error).message, subscriptionUrl },
      'pipedrive webhook registration failed; deals will not reach this app until it succeeds',
    );
    return undefined;
  }
}
