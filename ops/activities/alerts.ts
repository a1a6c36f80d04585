import { log } from '@temporalio/activity';
import type { SlackClient } from '../../integrations/slack';
import type { AlertAction } from '../model/alerts';
import type { OutageAlertAction } from '../model/vendor-outages';
import {
  sendPagerDutyEvent,
  type PagerDutySeverity,
  type PagerDutyTarget,
} from '../../integrations/pagerduty/events-v2';
import { classified } from '../../activities/to-activity-failure';

/**
 * The health card's alerts (`opsWatch`): one Slack message to the billing lead and one PagerDuty Events v2 event per
 * trigger or resolve. Each returns how it went (`sent`, `skipped: …`) for the alert's record; a failure throws so
 * Temporal retries it. PagerDuty dedups by key; a Slack post retried after a lost answer may repeat once.
 */
export interface OpsAlertDeps {
  slack?: { client: Pick<SlackClient, 'postMessage'>; billingLead: string };
  pagerDuty?: PagerDutyTarget;
  /** PagerDuty's `source` and the card's link: the app's public URL. */
  opsUrl: string;
}

const severityFor = (kind: AlertAction['kind'] | OutageAlertAction['kind']): PagerDutySeverity =>
  kind === 'reviewAge' ? 'warning' : 'error';

export function createOpsAlertActivities(deps: OpsAlertDeps) {
  return {
    notifyBillingLead: classified(async (a: AlertAction | OutageAlertAction): Promise<string> => {
      if (!deps.slack) return 'skipped: Slack not configured';
      const icon = a.action === 'trigger' ? ':red_circle:' : ':large_green_circle:';
      const text = `${icon} ${a.summary}\nSince ${a.at} · <${deps.opsUrl}/ops|Open the ops health card>`;
      const ref = await deps.slack.client.postMessage({ channel: deps.slack.billingLead, text });
      log.info('alert told to the billing lead', { kind: a.kind, action: a.action, dedupKey: a.dedupKey, ts: ref.ts });
      return 'sent';
    }),
    pageOnCall: async (a: AlertAction | OutageAlertAction): Promise<string> => {
      if (!deps.pagerDuty) return 'skipped: no alert webhook configured';
      await sendPagerDutyEvent(deps.pagerDuty, {
        event_action: a.action,
        dedup_key: a.dedupKey,
        ...(a.action === 'trigger'
          ? {
              payload: {
                summary: a.summary.slice(0, 1024),
                source: deps.opsUrl,
                severity: severityFor(a.kind),
                timestamp: a.at,
                component: 'onboarding-orchestrator',
                class: a.kind,
                custom_details: {
                  kind: a.kind,
                  value: a.value,
                  threshold: a.threshold,
                  ...('vendor' in a ? { vendor: a.vendor } : {}),
                  opsCard: `${deps.opsUrl}/ops`,
                },
              },
              links: [{ href: `${deps.opsUrl}/ops`, text: 'Ops health card' }],
            }
          : {}),
      });
      log.info('alert sent to on-call', { kind: a.kind, action: a.action, dedupKey: a.dedupKey });
      return 'sent';
    },
  };
}
export type OpsAlertActivities = ReturnType<typeof createOpsAlertActivities>;
