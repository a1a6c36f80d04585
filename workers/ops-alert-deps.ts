/** Where `opsWatch`'s alerts go, from config: the billing lead in Slack, on-call through the Events v2 webhook. */
import type { AlertSink, OpsAlertDeps } from '../activities/alert-activities';
import { sendPagerDutyEvent } from '../activities/alert-pagerduty';
import { SlackClient } from '../integrations/slack';
import type { Config } from '../runtime/config';

export function opsAlertDeps(config: Config): OpsAlertDeps {
  return {
    opsUrl: config.app.publicUrl,
    ...(config.slack && config.ops.billingLead
      ? { slack: { client: new SlackClient({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken }), billingLead: config.ops.billingLead } }
      : {}),
    ...(config.ops.alertWebhook ? { pagerDuty: config.ops.alertWebhook } : {}),
  };
}

/**
 * Systemic auth failures (DESIGN.md §2: "REVIEW + alert on-call") page on-call too, under one dedup key, so a
 * burst of onboardings failing on the same credentials is one incident, not one per deal.
 */
export function authAlertSink(config: Config): AlertSink | undefined {
  const target = config.ops.alertWebhook;
  if (!target) return undefined;
  return {
    async alert(event) {
      await sendPagerDutyEvent(target, {
        event_action: 'trigger',
        dedup_key: 'onboarding-auth',
        payload: {
          summary: 'Onboarding: a vendor rejected our credentials or permissions; every onboarding will fail the same way',
          source: config.app.publicUrl,
          severity: 'critical',
          class: 'auth',
          custom_details: { externalId: event.externalId, codes: event.codes },
        },
      });
    },
  };
}
