/**
 * `doctor`'s Slack and Temporal checks. Slack: the bot token (auth.test) and its scopes, the review channel, every
 * reviewer. Temporal: reachable, the namespace, and the four search attributes the product's queries use; `--fix`
 * adds missing search attributes (the only Temporal change doctor makes).
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import { SlackClient } from '../../integrations/slack';
import { fail, pass, warn, type DoctorReport } from './doctor-report';

const { IndexedValueType } = temporal.api.enums.v1;

/** What the product calls: posting and updating cards, reading channels and users, user groups for reviewers. */
export const SLACK_SCOPES = ['chat:write', 'channels:read', 'users:read', 'users:read.email', 'usergroups:read'];

export interface SlackDoctorContext {
  apiUrl: string;
  botToken: string;
  reviewChannel: string;
  reviewerIds: string[];
}

export async function slackChecks(report: DoctorReport, ctx: SlackDoctorContext): Promise<void> {
  const slack = new SlackClient({ apiUrl: ctx.apiUrl, botToken: ctx.botToken });
  const auth = await report.check(
    'bot token (auth.test) and scopes',
    async () => {
      const res = await slack.web.auth.test();
      const scopes = String((res.response_metadata as { scopes?: string[] } | undefined)?.scopes?.join(',') ?? '')
        .split(',')
        .filter(Boolean);
      const lacking = scopes.length ? SLACK_SCOPES.filter((s) => !scopes.includes(s)) : [];
      if (lacking.length)
        return fail(
          `bot ${String(res.user)} lacks ${lacking.join(', ')}`,
          `Add the scope(s) under OAuth & Permissions in the Slack app and reinstall it.`,
        );
      return pass(
        `bot ${String(res.user)} in ${String(res.team)}${scopes.length ? '' : ' (scopes not reported: check the app has ' + SLACK_SCOPES.join(', ') + ')'}`,
      );
    },
    "Set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-…).",
  );
  if (auth.status === 'fail') {
    report.skip(`review channel ${ctx.reviewChannel}`, 'no working token');
    report.skip('reviewers', 'no working token');
    return;
  }
  await report.check(
    `review channel ${ctx.reviewChannel}`,
    async () => {
      const res = await slack.web.conversations.info({ channel: ctx.reviewChannel });
      const channel = res.channel as { name?: string; is_member?: boolean; is_archived?: boolean } | undefined;
      if (channel?.is_archived)
        return fail(`#${channel.name} is archived`, 'Unarchive it or set SLACK_REVIEW_CHANNEL to another channel id.');
      if (channel?.is_member === false)
        return fail(`the bot is not in #${channel.name}`, `Invite the bot: /invite @<bot> in #${channel.name}.`);
      return pass(`#${channel?.name ?? ctx.reviewChannel}`);
    },
    'Set SLACK_REVIEW_CHANNEL to the id (C…) of a channel the bot is in.',
  );
  await report.check('reviewers', async () => {
    if (ctx.reviewerIds.length === 0)
      return warn(
        'SLACK_REVIEWER_IDS is empty: anyone in the channel may decide',
        "List the reviewers' user ids (U…) in SLACK_REVIEWER_IDS, or groups in SLACK_REVIEWER_GROUPS.",
      );
    const bad: string[] = [];
    for (const id of ctx.reviewerIds) {
      const res = await slack.web.users.info({ user: id }).catch(() => undefined);
      const user = res?.user as { deleted?: boolean } | undefined;
      if (!user || user.deleted) bad.push(id);
    }
    if (bad.length)
      return fail(
        `unknown or deactivated: ${bad.join(', ')}`,
        'Fix SLACK_REVIEWER_IDS: each must be an active member (U…).',
      );
    return pass(`${ctx.reviewerIds.length} reviewer(s) found`);
  });
}

export async function temporalChecks(
  report: DoctorReport,
  connect: () => Promise<Connection>,
  namespace: string,
  fix: boolean,
): Promise<void> {
  let connection: Connection | undefined;
  const reach = await report.check(
    'Temporal reachable',
    async () => {
      connection = await connect();
      const info = await connection.workflowService.getSystemInfo({});
      return pass(`server ${info.serverVersion || '(version not reported)'}`);
    },
    'Check TEMPORAL_ADDRESS (host:port), TLS (TEMPORAL_TLS, certificate paths) or TEMPORAL_API_KEY; with npm start the embedded server must be running.',
  );
  try {
    if (reach.status === 'fail' || !connection) {
      report.skip(`namespace ${namespace}`, 'Temporal not reachable');
      report.skip('search attributes', 'Temporal not reachable');
      return;
    }
    const c = connection;
    const ns = await report.check(
      `namespace ${namespace}`,
      async () => {
        const d = await c.workflowService.describeNamespace({ namespace });
        const days = Number(d.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
        return pass(`retention ${days} day(s)`);
      },
      `Create the namespace (temporal operator namespace create ${namespace}) or set TEMPORAL_NAMESPACE.`,
    );
    if (ns.status === 'fail') {
      report.skip('search attributes', 'no namespace');
      return;
    }
    await report.check(`search attributes ${Object.keys(SEARCH_ATTRIBUTES).join(', ')}`, async () => {
      const listed = await c.operatorService.listSearchAttributes({ namespace });
      const have = listed.customAttributes ?? {};
      const absent = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in have));
      const wrongType = Object.keys(SEARCH_ATTRIBUTES).filter(
        (name) => name in have && have[name] !== IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );
      if (wrongType.length)
        return fail(
          `${wrongType.join(', ')} not of type Keyword`,
          'Remove and re-add them as Keyword (temporal operator search-attribute remove/create).',
        );
      if (absent.length === 0) return pass();
      if (fix) {
        await c.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(absent.map((n) => [n, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
        });
        return { status: 'pass', fixed: `added ${absent.join(', ')} (Keyword)` };
      }
      return fail(
        `missing ${absent.join(', ')}`,
        `Run doctor --fix, or: ${absent.map((n) => `temporal operator search-attribute create --namespace ${namespace} --name ${n} --type Keyword`).join(' && ')}`,
      );
    });
  } finally {
    await connection?.close();
  }
}
