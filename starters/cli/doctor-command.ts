/**
 * `npm run cli -- doctor [--json] [--fix]`: the go-live preflight. With the configured credentials (or, with none, the
 * running sandbox's from DATA_DIR/stack.json) it checks what the mapping template and the flows need, one line per
 * check as it finishes, and exits 1 when anything fails. Read-only, except `--fix`: missing Pipedrive custom fields the
 * template names and missing Temporal search attributes are created, each listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeMapping } from '../../domain/mapping/active-mapping';
import type { Config } from '../../runtime/config';
import { mappingFileFrom } from '../../runtime/mapping-loader';
import { connectClient } from '../../runtime/temporal-connection';
import { NetSuiteClient } from '../../integrations/netsuite';
import { PIPEDRIVE_WEBHOOK_PATH } from '../http/routes/pipedrive-webhook';
import { netsuiteChecks } from './doctor-netsuite';
import { pipedriveChecks, type PipedriveFindings } from './doctor-pipedrive';
import { DoctorReport, pass, type CheckResult } from './doctor-report';
import { slackChecks, temporalChecks } from './doctor-slack-temporal';

interface SandboxStack {
  app?: { url: string };
  pipedrive?: { url: string; apiToken: string };
  netsuite?: {
    url: string;
    accountId: string;
    consumerKey: string;
    consumerSecret: string;
    tokenId: string;
    tokenSecret: string;
  };
  slack?: { url: string; botToken: string; reviewChannel: string; reviewerIds: string[] };
}

function sandboxStack(dataDir: string): SandboxStack | undefined {
  const file = join(dataDir, 'stack.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SandboxStack) : undefined;
}

export interface DoctorOutcome {
  ok: boolean;
  mappingFile: string;
  mappingHash: string;
  results: CheckResult[];
}

export async function runDoctor(
  config: Config,
  opts: { fix: boolean; out: { write(s: string): unknown }; env?: NodeJS.ProcessEnv },
): Promise<DoctorOutcome> {
  const report = new DoctorReport(opts.out);
  const mapping = activeMapping();
  const mappingFile = mappingFileFrom(opts.env ?? process.env);
  const stack = sandboxStack(config.dataDir);
  const sandbox = (vendor: string) =>
    `no ${vendor} credentials in the environment: checked the running sandbox (${join(config.dataDir, 'stack.json')})`;

  report.section('Mapping template');
  await report.check(mappingFile, async () =>
    pass(`valid (${mapping.company ? `${mapping.company}, ` : ''}hash ${mapping.hash})`),
  );

  report.section('Pipedrive');
  const pd = config.pipedrive
    ? { apiUrl: config.pipedrive.apiUrl, apiToken: config.pipedrive.apiToken }
    : stack?.pipedrive
      ? { apiUrl: stack.pipedrive.url, apiToken: stack.pipedrive.apiToken }
      : undefined;
  let findings: PipedriveFindings | undefined;
  if (!pd) {
    report.add({
      group: 'Pipedrive',
      title: 'credentials',
      status: 'fail',
      detail: 'none set, and no sandbox running',
      fix: 'Set PIPEDRIVE_API_TOKEN, PIPEDRIVE_COMPANY_DOMAIN, PIPEDRIVE_WEBHOOK_USER and PIPEDRIVE_WEBHOOK_PASSWORD (or run npm start for the sandbox).',
      ms: 0,
    });
  } else {
    if (!config.pipedrive) opts.out.write(`  (${sandbox('Pipedrive')})\n`);
    const publicUrl = config.pipedrive ? config.app.publicUrl : (stack?.app?.url ?? config.app.publicUrl);
    findings = await pipedriveChecks(
      report,
      { ...pd, publicUrl, webhookPath: PIPEDRIVE_WEBHOOK_PATH, fix: opts.fix },
      mapping,
    );
  }

  report.section('NetSuite');
  const ns = config.netsuite ?? (stack?.netsuite ? { ...stack.netsuite, baseUrl: stack.netsuite.url } : undefined);
  if (!ns) {
    report.add({
      group: 'NetSuite',
      title: 'credentials',
      status: 'fail',
      detail: 'none set, and no sandbox running',
      fix: 'Set NETSUITE_ACCOUNT_ID, NETSUITE_CONSUMER_KEY, NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID and NETSUITE_TOKEN_SECRET.',
      ms: 0,
    });
  } else {
    if (!config.netsuite) opts.out.write(`  (${sandbox('NetSuite')})\n`);
    const client = new NetSuiteClient({
      baseUrl: ns.baseUrl,
      accountId: ns.accountId,
      consumerKey: ns.consumerKey,
      consumerSecret: ns.consumerSecret,
      tokenId: ns.tokenId,
      tokenSecret: ns.tokenSecret,
      concurrencyLimit: 2,
    });
    await netsuiteChecks(report, client, mapping, findings, { roleId: (opts.env ?? process.env).NETSUITE_ROLE_ID });
  }

  report.section('Slack');
  const sl = config.slack
    ? {
        apiUrl: config.slack.apiUrl,
        botToken: config.slack.botToken,
        reviewChannel: config.slack.reviewChannel,
        reviewerIds: config.slack.reviewerIds,
      }
    : stack?.slack
      ? {
          apiUrl: stack.slack.url,
          botToken: stack.slack.botToken,
          reviewChannel: stack.slack.reviewChannel,
          reviewerIds: stack.slack.reviewerIds,
        }
      : undefined;
  if (!sl) {
    report.add({
      group: 'Slack',
      title: 'credentials',
      status: 'fail',
      detail: 'none set, and no sandbox running',
      fix: 'Set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_REVIEW_CHANNEL (and SLACK_REVIEWER_IDS).',
      ms: 0,
    });
  } else {
    if (!config.slack) opts.out.write(`  (${sandbox('Slack')})\n`);
    await slackChecks(report, sl);
  }

  report.section('Temporal');
  await temporalChecks(
    report,
    async () => (await connectClient(config)).connection,
    config.temporal.namespace,
    opts.fix,
  );

  opts.out.write(report.summary());
  return { ok: report.failed.length === 0, mappingFile, mappingHash: mapping.hash, results: report.results };
}
