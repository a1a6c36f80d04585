/**
 * The activities the onboarding workflow calls, split by the task queue that serves them: light Pipedrive, billing
 * rule, NetSuite read (local activities), alert and review activities on the workflow's queue; NetSuite calls on the
 * `netsuite` queue. The worker process and the tests compose them here, so a test runs exactly the wiring production
 * runs.
 */
import { createAlertActivities, type AlertSink } from './auth-alert-activities';
import {
  billingRuleActivities,
  createNetSuiteActivities,
  netsuiteReadActivities,
  type NetSuiteActivityOptions,
} from './netsuite-activities';
import { createPipedriveActivities } from './pipedrive-activities';
import type { NetSuitePort, PipedrivePort } from '../domain/vendor-ports';
import type { KpiLedgerPort } from '../ops/model/ledger';
import { createKpiDeliveryActivities } from './kpi-delivery-activities';
import type { ReviewActivities, ReviewCardUpdateActivities } from './slack-review-activities';

export interface OnboardingActivityDeps {
  pipedrive: PipedrivePort;
  netsuite: NetSuitePort;
  netsuiteOptions: NetSuiteActivityOptions;
  /** Review cards; without them a review still waits for its signal (CLI, Web UI). */
  review?: ReviewActivities & Partial<ReviewCardUpdateActivities>;
  alerts?: AlertSink;
  /** KPI events to the ledger shards (workflows/kpi-delivery.ts); without it those go by signal command. */
  kpiLedger?: KpiLedgerPort;
}

export function createOnboardingActivities(deps: OnboardingActivityDeps) {
  const netsuite = createNetSuiteActivities(deps.netsuite, deps.netsuiteOptions);
  const review = deps.review;
  return {
    onboarding: {
      ...createPipedriveActivities(deps.pipedrive),
      ...billingRuleActivities(netsuite),
      ...netsuiteReadActivities(netsuite),
      ...createAlertActivities(deps.alerts),
      ...(deps.kpiLedger ? createKpiDeliveryActivities(deps.kpiLedger) : {}),
      // Bound explicitly: a class implementing ReviewActivities keeps its methods on the prototype, which a spread drops.
      ...(review
        ? {
            postReviewCard: review.postReviewCard.bind(review),
            recordReviewDecision: review.recordReviewDecision.bind(review),
            escalateReview: review.escalateReview.bind(review),
            ...(review.updateReviewCard ? { updateReviewCard: review.updateReviewCard.bind(review) } : {}),
          }
        : {}),
    },
    netsuite,
  };
}
