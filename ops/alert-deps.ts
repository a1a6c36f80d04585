/** Where `opsWatch`'s alerts go, from config: the billing lead in Slack, on-call through the Events v2 webhook. */
import type { OpsAlertDeps } from './activities/alerts';
import { SlackClient } from '../integrations/slack';
import type { Config } from '../runtime/config';

export function opsAlertDeps(config: Config): OpsAlertDeps {
  return {
    opsUrl: config.app.publicUrl,
    ...(config.slack && config.ops.billingLead
      ? {
          slack: {
            client: new SlackClient({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken }),
            billingLead: config.ops.billingLead,
          },
        }
      : {}),
    ...(config.ops.alertWebhook ? { pagerDuty: config.ops.alertWebhook } : {}),
  };
}
