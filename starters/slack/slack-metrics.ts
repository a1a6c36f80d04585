/** `onboarding_slack_actions_total{action,outcome}` on the app registry (get-or-create: tests share registries). */
import { Counter, type Registry } from 'prom-client';

export const SLACK_ACTIONS_COUNTER = 'onboarding_slack_actions_total';

export type SlackActionOutcome =
  /** The decision reached the workflow. */
  | 'signalled'
  /** The "Fix fields…" modal was opened. */
  | 'modal_opened'
  /** The clicker is not a reviewer: refused, and the refusal recorded on the workflow. */
  | 'refused'
  /** The onboarding is finished or no longer in review: nothing to do. */
  | 'closed'
  /** The button or modal did not carry what we expect. */
  | 'invalid'
  /** Refused before Bolt saw it: bad or stale signature (label action="none"). */
  | 'unverified'
  | 'error';

export function slackActionsCounter(registry: Registry): Counter<'action' | 'outcome'> {
  return (
    (registry.getSingleMetric(SLACK_ACTIONS_COUNTER) as Counter<'action' | 'outcome'> | undefined) ??
    new Counter({
      name: SLACK_ACTIONS_COUNTER,
      help: 'Review decisions pressed in Slack, by action and outcome',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    })
  );
}
