/**
 * Sandbox mode: for every vendor without real credentials, `npm start` runs its simulator and hands its URL and
 * credentials to the worker and app as the same env variables real credentials would use, so product code has
 * one code path. Simulator state and credentials persist under .data/sandbox/ (owner-only), so a restart keeps both.
 *
 * Simulators listen on loopback only, whatever APP_HOST says: they accept their own generated credentials and have
 * admin routes (`/__sim/…`), so they are never offered to the network. And they stand in for a vendor only when no
 * vendor has real credentials: with real Pipedrive and a simulated NetSuite, real signed deals would be "onboarded"
 * into a simulator and marked Onboarded in Pipedrive. A mixed stack is refused unless SANDBOX_ALLOW_MIXED=true.
 */

/** Where simulators listen: never a public interface. */
export const SIMULATOR_HOST = '127.0.0.1';

/** Why these vendors may not be simulated beside the others' real credentials; undefined when they may. */
export function mixedSandboxRefusal(
  sandboxed: readonly Vendor[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const real = (Object.keys(VENDOR_VARIABLES) as Vendor[]).filter((v) => !sandboxed.includes(v));
  if (sandboxed.length === 0 || real.length === 0 || env.SANDBOX_ALLOW_MIXED === 'true') return undefined;
  const missing = sandboxed.map((v) => `${v} (${VENDOR_VARIABLES[v].join(', ')})`).join('; ');
  return `${real.join(' and ')} ${real.length === 1 ? 'has' : 'have'} real credentials but ${sandboxed.join(' and ')} ${sandboxed.length === 1 ? 'does' : 'do'} not: npm start would run real deals against a simulator. Set the credentials of ${missing}, or unset every vendor's to run fully sandboxed, or set SANDBOX_ALLOW_MIXED=true if that is what you want.`;
}
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VENDOR_VARIABLES, type Config, type Vendor } from '../runtime/config';
import { ensurePrivateDir } from '../runtime/private-files';
import type { Logger } from '../runtime/logger';
import { startNetSuiteSimulator } from '../sandbox/netsuite';
import { startPipedriveSimulator } from '../sandbox/pipedrive';
import { startPagerDutySimulator } from '../sandbox/pagerduty';
import { startSlackSimulator } from '../sandbox/slack';

export interface RunningSandbox {
  /** Env for the worker and app: the simulators' URLs and credentials. */
  env: NodeJS.ProcessEnv;
  /** The `pipedrive` / `netsuite` / `slack` sections of .data/stack.json. */
  stackEntries: Record<string, unknown>;
  banner: string[];
  /** Wiring that needs the app listening (the Slack app's Request URL). */
  afterAppReady(appUrl: string): Promise<void>;
  close(): Promise<void>;
}

interface SandboxSecrets {
  pipedrive: { apiToken: string; webhookUser: string; webhookPassword: string };
  netsuite: { consumerKey: string; consumerSecret: string; tokenId: string; tokenSecret: string };
  slack: { botToken: string; signingSecret: string };
}

const secret = (bytes = 24): string => randomBytes(bytes).toString('hex');

function loadOrCreateSecrets(dir: string): SandboxSecrets {
  const file = join(dir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SandboxSecrets;
  const secrets: SandboxSecrets = {
    pipedrive: { apiToken: secret(20), webhookUser: 'onboarding-orchestrator', webhookPassword: secret(16) },
    netsuite: { consumerKey: secret(32), consumerSecret: secret(32), tokenId: secret(32), tokenSecret: secret(32) },
    slack: { botToken: `xoxb-sandbox-${secret(12)}`, signingSecret: secret(16) },
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export async function startSandbox(
  vendors: Vendor[],
  ctx: { config: Config; dataDir: string; log: Logger },
): Promise<RunningSandbox> {
  const refusal = mixedSandboxRefusal(vendors);
  if (refusal) throw new Error(refusal);
  const dir = join(ctx.dataDir, 'sandbox');
  ensurePrivateDir(ctx.dataDir);
  ensurePrivateDir(dir);
  const secrets = loadOrCreateSecrets(dir);
  const host = SIMULATOR_HOST;
  const ports = ctx.config.simulatorPorts;
  const simLogger = (vendor: Vendor) => (line: string) => ctx.log.debug({ simulator: vendor }, line);

  const env: NodeJS.ProcessEnv = {};
  const stackEntries: Record<string, unknown> = {};
  const banner: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  let setInteractivityUrl: ((url: string) => void) | undefined;

  try {
    if (vendors.includes('netsuite')) {
      const sim = await startNetSuiteSimulator({
        host,
        port: ports.netsuite,
        dataFile: join(dir, 'netsuite.sqlite'),
        credentials: secrets.netsuite,
        logger: simLogger('netsuite'),
      });
      closers.push(() => sim.close());
      const c = sim.stackEntry;
      Object.assign(env, {
        NETSUITE_BASE_URL: c.url,
        NETSUITE_ACCOUNT_ID: c.accountId,
        NETSUITE_CONSUMER_KEY: c.consumerKey,
        NETSUITE_CONSUMER_SECRET: c.consumerSecret,
        NETSUITE_TOKEN_ID: c.tokenId,
        NETSUITE_TOKEN_SECRET: c.tokenSecret,
      });
      stackEntries.netsuite = c;
      banner.push(`  NetSuite sandbox  ${c.url}/services/rest/`);
    }
    if (vendors.includes('pipedrive')) {
      const sim = await startPipedriveSimulator({
        host,
        port: ports.pipedrive,
        dataFile: join(dir, 'pipedrive.json'),
        ...secrets.pipedrive,
        logger: simLogger('pipedrive'),
      });
      closers.push(() => sim.close());
      const c = sim.stackEntry;
      Object.assign(env, {
        PIPEDRIVE_API_URL: c.url,
        PIPEDRIVE_API_TOKEN: c.apiToken,
        PIPEDRIVE_COMPANY_DOMAIN: c.companyDomain,
        PIPEDRIVE_WEBHOOK_USER: c.webhookUser,
        PIPEDRIVE_WEBHOOK_PASSWORD: c.webhookPassword,
      });
      stackEntries.pipedrive = c;
      banner.push(`  Pipedrive sandbox ${c.url}/api/v2/`);
    }
    if (vendors.includes('slack')) {
      const sim = await startSlackSimulator({
        host,
        port: ports.slack,
        dataFile: join(dir, 'slack.json'),
        ...secrets.slack,
        ...(ctx.config.sandboxSlackSocketMode ? { socketMode: true } : {}),
        logger: simLogger('slack'),
      });
      closers.push(() => sim.close());
      setInteractivityUrl = (url) => sim.setInteractivityUrl(url);
      const c = sim.stackEntry;
      Object.assign(env, {
        SLACK_API_URL: c.url,
        SLACK_BOT_TOKEN: c.botToken,
        SLACK_SIGNING_SECRET: c.signingSecret,
        SLACK_REVIEW_CHANNEL: c.reviewChannel,
        SLACK_REVIEWER_IDS: c.reviewerIds.join(','),
        // The sandbox workspace's #billing-escalations (sandbox/slack seed).
        SLACK_ESCALATION_CHANNEL: 'C0ESCAL',
        // SLACK_SOCKET_MODE=true without a workspace: the app connects to the simulator's Socket Mode.
        ...(ctx.config.sandboxSlackSocketMode ? { SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: c.appToken } : {}),
      });
      stackEntries.slack = c;
      banner.push(`  Slack sandbox     ${c.url}`);
    }
    // On-call pages go to a local Events v2 receiver unless a real endpoint or routing key is configured.
    if (!ctx.config.ops.alertWebhook) {
      const sim = await startPagerDutySimulator({
        host,
        port: ctx.config.ops.pagerDutySimPort,
        logger: (line) => ctx.log.debug({ simulator: 'pagerduty' }, line),
      });
      closers.push(() => sim.close());
      Object.assign(env, { ALERT_WEBHOOK_URL: sim.stackEntry.url, ALERT_ROUTING_KEY: sim.stackEntry.routingKey });
      stackEntries.pagerduty = sim.stackEntry;
      banner.push(`  PagerDuty sandbox ${sim.url}/__sim/events`);
    }
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
  if (vendors.length) ctx.log.info({ sandbox: vendors }, `sandbox mode for ${vendors.join(', ')}: simulators running`);

  return {
    env,
    stackEntries,
    banner,
    async afterAppReady(appUrl) {
      setInteractivityUrl?.(`${appUrl}/slack/events`);
    },
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
