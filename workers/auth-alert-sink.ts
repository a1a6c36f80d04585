import type { AlertSink } from '../activities/auth-alert-activities';
import { sendPagerDutyEvent } from '../integrations/pagerduty/events-v2';
import type { Config } from '../runtime/config';

/**
 * Systemic auth failures (docs/architecture.md#failures: review, and page on-call) page on-call too, under one dedup key, so a
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
          summary:
            'Onboarding: a vendor rejected our credentials or permissions; every onboarding will fail the same way',
          source: config.app.publicUrl,
          severity: 'critical',
          class: 'auth',
          custom_details: { externalId: event.externalId, codes: event.codes },
        },
      });
    },
  };
}
