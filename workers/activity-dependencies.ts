/** Builds the vendor clients from config and the activities over them. One NetSuite client per process: its
 * semaphore is what keeps this worker inside the account's concurrency budget. */
import type { Client } from '@temporalio/client';
import { createOpsAlertActivities } from '../ops/activities/alerts';
import { createBackfillActivities, createBackfillNetSuiteActivities } from '../backfill/activities/backfill-activities';
import { createBackfillPageActivities } from '../backfill/activities/backfill-page';
import { createOnboardingActivities } from '../activities/onboarding-activities';
import { createOpsFactsActivities } from '../ops/activities/gather-facts';
import {
  createReconciliationActivities,
  createReconciliationNetSuiteActivities,
  type OnboardingStartPort,
} from '../reconciliation/activities/reconcile-activities';
import { createReconciliationReportActivities } from '../reconciliation/activities/report-slack';
import { createReconciliationRunActivities } from '../reconciliation/activities/reconcile-run';
import { createSlackReviewActivities } from '../activities/slack-review-activities';
import { SlackReviewNotifier } from '../activities/slack-review-notifier';
import type { Config } from '../runtime/config';
import { opsAlertDeps } from '../ops/alert-deps';
import { authAlertSink } from './auth-alert-sink';
import { NetSuiteClient } from '../integrations/netsuite';
import { ShadowLedger } from '../integrations/netsuite/shadow-ledger';
import { ShadowNetSuitePort } from '../integrations/netsuite/shadow-netsuite-port';
import { PipedriveClient } from '../integrations/pipedrive';
import { SlackClient, netsuiteUiBaseUrl } from '../integrations/slack';
import { Context } from '@temporalio/activity';
import {
  createVendorHealth,
  guarded,
  setProcessVendorHealth,
  type BreakerTransition,
  type VendorHealth,
} from '../integrations/vendor-health';
import { reportBreakerTransition } from '../ops/activities/vendor-outages';
import { clientKpiLedger } from '../ops/activities/ledger-signal';

/** `starter`: OnboardingStarter over a client connection, for reconciliation's "start missing onboardings";
 * `client`: for `opsWatch`'s facts (review queue and last reconciliation from visibility). */
export function createWorkerActivities(
  config: Config,
  deps: {
    starter?: OnboardingStartPort;
    client?: Client;
    onBreakerTransition?: (t: BreakerTransition) => void;
    opsWatchWorkflowId?: string;
    /** For KPI events to the ledger shards (default `client`): one over the worker's native connection is cheaper. */
    kpiClient?: Client;
  } = {},
) {
  const missing = (['pipedrive', 'netsuite'] as const).filter((v) => config[v] === undefined);
  if (missing.length) {
    throw new Error(
      `the worker needs ${missing.join(' and ')} credentials: set them (see .env.example) or run the whole stack with \`npm start\`, which provides the sandbox simulators`,
    );
  }
  const ns = config.netsuite!;
  const rawNetsuite = new NetSuiteClient({
    baseUrl: ns.baseUrl,
    accountId: ns.accountId,
    consumerKey: ns.consumerKey,
    consumerSecret: ns.consumerSecret,
    tokenId: ns.tokenId,
    tokenSecret: ns.tokenSecret,
    concurrencyLimit: ns.concurrencyLimit,
  });
  const rawPipedrive = new PipedriveClient({ apiUrl: config.pipedrive!.apiUrl, apiToken: config.pipedrive!.apiToken });
  // One breaker per vendor for every activity of this process (integrations/vendor-health.ts); transitions go to
  // ops-watch, which opens one incident per outage and wakes the waiting onboardings when it ends.
  const probeSlack = config.slack
    ? new SlackClient({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken, timeoutMs: 5_000 })
    : undefined;
  const health: VendorHealth = createVendorHealth(
    {
      netsuite: () => rawNetsuite.listRecordIds('customer', 1),
      pipedrive: () => rawPipedrive.ping(),
      slack: async () => (probeSlack ? probeSlack.web.auth.test() : undefined),
    },
    {
      onTransition: (t) => {
        deps.onBreakerTransition?.(t);
        if (deps.client) void reportBreakerTransition(deps.client, t, deps.opsWatchWorkflowId);
      },
    },
  );
  setProcessVendorHealth(health);
  // Who called, for the breakers' "degraded for many callers" (a deal failing alone is not the vendor's trouble).
  const caller = (): string | undefined => {
    try {
      return Context.current().info.workflowExecution?.workflowId;
    } catch {
      return undefined;
    }
  };
  const netsuite = guarded(rawNetsuite, health.netsuite, caller);
  const pipedrive = guarded(rawPipedrive, health.pipedrive, caller);
  // Shadow mode decorates the port, not the workflow: NetSuite writes are recorded under DATA_DIR/shadow, reads are real.
  const shadow = config.shadowMode ? new ShadowNetSuitePort(netsuite, ShadowLedger.open(config.dataDir)) : undefined;
  const onboardingNetSuite = shadow ?? netsuite;
  // Review cards in Slack when Slack is configured (`npm start` configures its simulator when no workspace is set).
  const review = config.slack
    ? createSlackReviewActivities(
        guarded(
          SlackReviewNotifier.fromConfig(
            config.slack,
            {
              pipedriveBaseUrl: `https://${config.pipedrive!.companyDomain}.pipedrive.com`,
              netsuiteBaseUrl: netsuiteUiBaseUrl(ns.accountId),
            },
            { dealOwnerEmail: (userId) => pipedrive.getUserEmail(userId) },
          ),
          health.slack,
          caller,
        ),
      )
    : undefined;
  // Systemic auth failures page on-call when an alert webhook is configured (the sandbox's receiver included).
  const alerts = authAlertSink(config);
  const kpiClient = deps.kpiClient ?? deps.client;
  const onboarding = createOnboardingActivities({
    pipedrive,
    netsuite: onboardingNetSuite,
    netsuiteOptions: {
      asyncUpserts: ns.asyncUpserts,
      defaultInvoiceDelayDays: config.onboarding.invoiceDelayDays,
      referenceDataTtlMs: 5 * 60_000,
    },
    ...(review ? { review } : {}),
    ...(alerts ? { alerts } : {}),
    ...(kpiClient ? { kpiLedger: clientKpiLedger(kpiClient) } : {}),
  });
  // Review digests go to the review channel, beside the cards they sum up.
  const reviewDigests = config.slack
    ? {
        slack: {
          client: new SlackClient({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken }),
          channel: config.slack.reviewChannel,
        },
      }
    : undefined;
  const ops = {
    ...(deps.client ? createOpsFactsActivities(deps.client, reviewDigests ? { reviewDigests } : {}) : {}),
    ...createOpsAlertActivities(opsAlertDeps(config)),
  };
  const backfillNetSuite = {
    suiteqlAll: <T>(q: string) => netsuite.suiteqlAll<T>(q),
    setCustomerExternalId: (id: string, eid: string, owner?: string) =>
      (shadow ?? netsuite).setCustomerExternalId(id, eid, owner),
  };
  return {
    vendorHealth: health,
    netsuiteActivitySlots: ns.concurrencyLimit + ns.queuedActivities,
    ops,
    onboarding: {
      ...onboarding.onboarding,
      // Also here: an ops-watch run started before the ops queue existed runs on this queue until it hands over.
      ...ops,
      ...createReconciliationActivities(
        { pipedrive, ...(deps.starter ? { starter: deps.starter } : {}) },
        { dataDir: config.dataDir },
      ),
      ...createBackfillActivities({ pipedrive, ...(deps.starter ? { starter: deps.starter } : {}) }),
      ...createReconciliationReportActivities(
        config.slack
          ? {
              slack: new SlackClient({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken }),
              channel: config.reconciliation.slackChannel ?? config.slack.reviewChannel,
            }
          : {},
      ),
    },
    netsuite: {
      ...onboarding.netsuite,
      ...createReconciliationNetSuiteActivities(netsuite),
      // The reconciliation at any size: pages both vendors into a scratch file on this host (reconcile-run.ts).
      ...createReconciliationRunActivities(
        { pipedrive, netsuite, ...(deps.starter ? { starter: deps.starter } : {}) },
        { dataDir: config.dataDir },
      ),
      // The backfill's externalId writes are NetSuite writes too: in shadow mode they go to the ledger.
      ...createBackfillNetSuiteActivities(backfillNetSuite),
      // The backfill at any size: a page of deals end to end, the per-deal lines in a report on this host (backfill-page.ts).
      ...createBackfillPageActivities(
        { pipedrive, netsuite: backfillNetSuite, ...(deps.starter ? { starter: deps.starter } : {}) },
        { dataDir: config.dataDir },
      ),
    },
  };
}
