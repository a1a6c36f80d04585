/**
 * The reconciliation report in Slack: a short Block Kit summary a billing lead reads without opening the file (rate
 * against threshold, counts per problem kind, the first few problems, where the full report is). Posting is best
 * effort: the report is already stored when this runs, so the workflow catches a Slack failure and reports it back.
 */
import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { log } from '@temporalio/activity';
import type { DuplicateGroup, FieldMismatch, ReconciliationReport } from '../model/reconciliation';
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

/** Each problem kind's Slack line (escaped), shared by the in-memory report and the one streamed from the scratch file. */
export const problemLine = {
  missingCustomer: (m: ReconciliationReport['missingCustomers'][number]): string =>
    escapeMrkdwn(`Signed deal ${m.dealId} (\`${m.externalId}\`) has no NetSuite customer`),
  customerWithoutDeal: (c: ReconciliationReport['customersWithoutDeal'][number]): string =>
    escapeMrkdwn(`Customer ${c.customerId} (\`${c.externalId}\`) has no signed deal`),
  fieldMismatch: (m: FieldMismatch): string =>
    escapeMrkdwn(`Deal ${m.dealId} ↔ customer ${m.customerId}: ${m.fields.map((f) => f.field).join(', ')} differ`),
  duplicate: (d: DuplicateGroup): string =>
    escapeMrkdwn(
      `Duplicate ${d.kind === 'dealExternalId' ? 'External ID on deals' : d.kind} ${d.kind === 'email' ? '(an e-mail)' : `\`${d.key}\``}: customers [${d.customerIds.join(', ')}] deals [${d.dealIds.join(', ')}]`,
    ),
};

/** One line per problem, in the report's order: missing customers, customers without deal, mismatches, duplicates. */
export function problemLines(report: ReconciliationReport): string[] {
  return [
    ...report.missingCustomers.map(problemLine.missingCustomer),
    ...report.customersWithoutDeal.map(problemLine.customerWithoutDeal),
    ...report.fieldMismatches.map(problemLine.fieldMismatch),
    ...report.duplicates.map(problemLine.duplicate),
  ];
}

/**
 * What the Slack summary needs from a report: its figures and its first few problem lines. Small whatever the
 * report's size, so it can travel as an activity argument where the report itself must not.
 */
export interface ReportDigest extends Pick<
  ReconciliationReport,
  'generatedAt' | 'threshold' | 'mismatchRate' | 'alert' | 'counts'
> {
  /** The first MAX_LISTED_PROBLEMS problem lines, escaped for mrkdwn. */
  firstProblems: string[];
  /** Every problem line the report holds. */
  problemCount: number;
}

export function digestOf(report: ReconciliationReport): ReportDigest {
  const lines = problemLines(report);
  const { generatedAt, threshold, mismatchRate, alert, counts } = report;
  return {
    generatedAt,
    threshold,
    mismatchRate,
    alert,
    counts,
    firstProblems: lines.slice(0, MAX_LISTED_PROBLEMS),
    problemCount: lines.length,
  };
}

export function renderReconciliationSummary(
  reportOrDigest: ReconciliationReport | ReportDigest,
  stored: StoredReport,
  extra: { workflowId?: string; onboardingsStarted?: number } = {},
): { text: string; blocks: KnownBlock[] } {
  const report = 'problemCount' in reportOrDigest ? reportOrDigest : digestOf(reportOrDigest);
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
  const lines = report.firstProblems.slice(0, MAX_LISTED_PROBLEMS);
  const listed: SectionBlock = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text:
        report.problemCount === 0
          ? 'No problems found: both systems agree.'
          : `*First problems*\n${lines.map((l) => `• ${l}`).join('\n')}${report.problemCount > MAX_LISTED_PROBLEMS ? `\n…and ${report.problemCount - MAX_LISTED_PROBLEMS} more in the full report.` : ''}`,
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
  return {
    text,
    blocks: [{ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } }, counts, listed, where],
  };
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
      async (
        report: ReconciliationReport,
        stored: StoredReport,
        extra: { workflowId?: string; onboardingsStarted?: number } = {},
      ): Promise<ReportPostOutcome> => {
        if (!deps.slack || !deps.channel) return { posted: false, reason: 'Slack is not configured' };
        const { text, blocks } = renderReconciliationSummary(report, stored, extra);
        const ref = await deps.slack.postMessage({ channel: deps.channel, text, blocks });
        log.info('reconciliation report posted to Slack', { channel: ref.channel });
        return { posted: true, channel: ref.channel, ts: ref.ts };
      },
    ),

    /** The same summary from a digest (runs after the `reconcile-paged` patch: the report itself never travels). */
    postReconciliationDigest: classified(
      async (
        digest: ReportDigest,
        stored: StoredReport,
        extra: { workflowId?: string; onboardingsStarted?: number } = {},
      ): Promise<ReportPostOutcome> => {
        if (!deps.slack || !deps.channel) return { posted: false, reason: 'Slack is not configured' };
        const { text, blocks } = renderReconciliationSummary(digest, stored, extra);
        const ref = await deps.slack.postMessage({ channel: deps.channel, text, blocks });
        log.info('reconciliation report posted to Slack', { channel: ref.channel });
        return { posted: true, channel: ref.channel, ts: ref.ts };
      },
    ),
  };
}
export type ReconciliationReportActivities = ReturnType<typeof createReconciliationReportActivities>;
