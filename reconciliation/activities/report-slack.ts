/**
 * The reconciliation report in Slack: a short Block Kit summary a billing lead reads without opening the file (rate
 * against threshold, counts per problem kind, the first few problems, where the full report is). Posting is best
 * effort: the report is already stored when this runs, so the workflow catches a Slack failure and reports it back.
 */
import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { log } from '@temporalio/activity';
import type { ReconciliationReport } from '../model/reconciliation';
import { escapeMrkdwn, type SlackMessage, type SlackMessageRef } from '../../integrations/slack';
import type { StoredReport } from './reconcile-activities';
import { classified } from '../../activities/to-activity-failure';

/** How many problems the message lists before pointing at the file. */
export const MAX_LISTED_PROBLEMS = 5;

export type ReportPostOutcome = { posted: true; channel: string; ts: string } | { posted: false; reason: string };

export interface ReportPostPort {
  postMessage(msg: SlackMessage): Promise<SlackMessageRef>;
}

const pct = (r: number): string => `${(r * 100).toFixed(2)}%`;

/** One line per problem, in the report's order: missing customers, customers without deal, mismatches, duplicates. */
export function problemLines(report: ReconciliationReport): string[] {
  return [
    ...report.missingCustomers.map((m) => `Signed deal ${m.dealId} (\`${m.externalId}\`) has no NetSuite customer`),
    ...report.customersWithoutDeal.map((c) => `Customer ${c.customerId} (\`${c.externalId}\`) has no signed deal`),
    ...report.fieldMismatches.map((m) => `Deal ${m.dealId} ↔ customer ${m.customerId}: ${m.fields.map((f) => f.field).join(', ')} differ`),
    ...report.duplicates.map((d) => `Duplicate ${d.kind === 'dealExternalId' ? 'External ID on deals' : d.kind} ${d.kind === 'email' ? '(an e-mail)' : `\`${d.key}\``}: customers [${d.customerIds.join(', ')}] deals [${d.dealIds.join(', ')}]`),
  ].map(escapeMrkdwn);
}

export function renderReconciliationSummary(
  report: ReconciliationReport,
  stored: StoredReport,
  extra: { workflowId?: string; onboardingsStarted?: number } = {},
): { text: string; blocks: KnownBlock[] } {
  const c = report.counts;
  const verdict = report.alert ? ':rotating_light: above threshold' : ':white_check_mark: within threshold';
  const text = `Reconciliation ${report.generatedAt.slice(0, 16).replace('T', ' ')} UTC: mismatch rate ${pct(report.mismatchRate)} (threshold ${pct(report.threshold)})${report.alert ? ' ALERT' : ''}`;
  const counts: SectionBlock = {
    type: 'section',
    fields: [
      `*Mismatch rate*\n${pct(report.mismatchRate)} (${c.withProblems} of ${c.compared}) — ${verdict} ${pct(report.threshold)}`,
      `*Signed deals / our customers*\n${c.signedDeals} / ${c.customers}`,
      `*Deals without a customer*\n${c.missingCustomers}`,
      `*Customers without a deal*\n${c.customersWithoutDeal}`,
      `*Field mismatches*\n${c.fieldMismatches}`,
      `*Duplicates*\n${c.duplicates}`,
    ].map((t) => ({ type: 'mrkdwn' as const, text: t })),
  };
  const lines = problemLines(report);
  const listed: SectionBlock = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text:
        lines.length === 0
          ? 'No problems found: both systems agree.'
          : `*First problems*\n${lines.slice(0, MAX_LISTED_PROBLEMS).map((l) => `• ${l}`).join('\n')}${lines.length > MAX_LISTED_PROBLEMS ? `\n…and ${lines.length - MAX_LISTED_PROBLEMS} more in the full report.` : ''}`,
    },
  };
  const where: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: [
          `Full report on the worker host: \`${escapeMrkdwn(stored.textPath)}\` (JSON: \`${escapeMrkdwn(stored.jsonPath)}\`)`,
          ...(extra.onboardingsStarted ? [`${extra.onboardingsStarted} missing onboarding(s) started`] : []),
          ...(extra.workflowId ? [`workflow \`${escapeMrkdwn(extra.workflowId)}\``] : []),
        ].join(' · '),
      },
    ],
  };
  return { text, blocks: [{ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } }, counts, listed, where] };
}

export interface ReconciliationReportSlackDeps {
  /** Absent when Slack is not configured: the activity then says so and posts nothing. */
  slack?: ReportPostPort;
  channel?: string;
}

export function createReconciliationReportActivities(deps: ReconciliationReportSlackDeps) {
  return {
    /** Throws classified vendor failures (a 429 is retried by the workflow's short policy, which then gives up). */
    postReconciliationReport: classified(
      async (report: ReconciliationReport, stored: StoredReport, extra: { workflowId?: string; onboardingsStarted?: number } = {}): Promise<ReportPostOutcome> => {
        if (!deps.slack || !deps.channel) return { posted: false, reason: 'Slack is not configured' };
        const { text, blocks } = renderReconciliationSummary(report, stored, extra);
        const ref = await deps.slack.postMessage({ channel: deps.channel, text, blocks });
        log.info('reconciliation report posted to Slack', { channel: ref.channel });
        return { posted: true, channel: ref.channel, ts: ref.ts };
      },
    ),
  };
}
export type ReconciliationReportActivities = ReturnType<typeof createReconciliationReportActivities>;
