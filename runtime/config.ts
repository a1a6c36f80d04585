/**
 * The one place configuration is read: env (plus an optional `.env`), validated with zod. A bad value stops
 * start-up with one message naming every wrong variable and what it expects.
 *
 * A vendor (Pipedrive, NetSuite, Slack) with none of its variables set runs in sandbox mode: `npm start` runs
 * its simulator and hands the simulator's URL and credentials to the worker and app as these same variables.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_HOST, DEFAULT_NAMESPACE, DEFAULT_PORTS } from './defaults';
import { nodeFlagsRefused, nodeFlagsSyntaxProblem, splitNodeFlags } from './node-flags';

const port = (fallback: number) =>
  z.coerce.number().int().min(1, 'a TCP port (1-65535)').max(65535, 'a TCP port (1-65535)').default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = z.url({ error: 'an absolute http(s) URL' });
const optionalString = z.string().trim().min(1).optional();
/** Node flags for one of the stack's processes: their form here; whether Node starts with them, see probeNodeFlags. */
const NODE_FLAG_VARIABLES = {
  WORKER_NODE_FLAGS: ['the worker', '--max-semi-space-size=2'],
  APP_NODE_FLAGS: ['the app', '--single-threaded-gc'],
} as const;
const nodeFlagsExpected = (variable: keyof typeof NODE_FLAG_VARIABLES, problem: string): string =>
  `Node flags for ${NODE_FLAG_VARIABLES[variable][0]}, e.g. "${NODE_FLAG_VARIABLES[variable][1]}" (${problem})`;
const nodeFlags = (variable: keyof typeof NODE_FLAG_VARIABLES) =>
  optionalString.superRefine((raw, ctx) => {
    const problem = nodeFlagsSyntaxProblem(splitNodeFlags(raw));
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: nodeFlagsExpected(variable, problem) });
  });
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const schema = z.object({
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of fatal|error|warn|info|debug|trace|silent',
    })
    .default('info'),
  DATA_DIR: z.string().min(1).default('.data'),

  TEMPORAL_EMBEDDED: bool(true),
  TEMPORAL_HOST: z.string().min(1).default(DEFAULT_HOST),
  TEMPORAL_PORT: port(DEFAULT_PORTS.temporalGrpc),
  TEMPORAL_UI_PORT: port(DEFAULT_PORTS.temporalUi),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default(DEFAULT_NAMESPACE),
  TEMPORAL_UI_URL: url.optional(),
  TEMPORAL_TLS: bool(false),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_API_KEY: optionalString,
  WORKER_METRICS_PORT: port(9464),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0, 'a whole number ≥ 0').default(100),
  WORKER_WORKFLOW_BUNDLE: optionalString,
  WORKER_RECYCLE_GROWTH_MB: z.coerce.number().int().min(0, 'a whole number of MB ≥ 0 (0 = off)').default(150),
  // Replaced by WORKER_RECYCLE_GROWTH_MB: a fixed limit recycled fresh workers in a loop. Refused, not ignored, so a
  // deployment that set it learns that its meaning changed.
  WORKER_RECYCLE_IDLE_RSS_MB: z
    .never({
      error:
        "no longer read: a fixed limit recycled fresh workers, which idle above it. Remove it; recycling now reacts to growth over the worker's own settled idle RSS, set by WORKER_RECYCLE_GROWTH_MB (MB, default 150, 0 = off)",
    })
    .optional(),
  WORKER_SUPERVISED: bool(false),
  WORKER_IDLE_GC_SECONDS: z.coerce.number().int().min(0, 'a whole number of seconds ≥ 0 (0 = off)').default(10),
  WORKER_NODE_FLAGS: nodeFlags('WORKER_NODE_FLAGS'),
  STACK_BACKGROUND_NICE: z.coerce.number().int().min(0, 'between 0 and 19').max(19, 'between 0 and 19').default(10),

  APP_HOST: z.string().min(1).default(DEFAULT_HOST),
  APP_PORT: port(DEFAULT_PORTS.app),
  APP_PUBLIC_URL: url.optional(),
  APP_NODE_FLAGS: nodeFlags('APP_NODE_FLAGS'),
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024, 'at least 1024')
    .default(256 * 1024),
  INTAKE_ACK_BUDGET_MS: z.coerce.number().int().min(0).max(60_000, 'at most 60000').default(10),
  INTAKE_OUTBOX_SYNC: z
    .enum(['full', 'normal'], {
      message: 'full (fsync every commit) or normal (survives a crash of the app, not of the host)',
    })
    .default('full'),
  INTAKE_DRAIN_CONCURRENCY: z.coerce.number().int().min(1).max(256, 'at most 256').default(32),
  PUBLIC_RATE_LIMIT_PER_SEC: z.coerce
    .number()
    .int()
    .min(0, 'a whole number of requests per second per source address (0 = off)')
    .default(1000),
  PUBLIC_TRUST_PROXY: z
    .string()
    .trim()
    .regex(
      /^[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*$/,
      'comma-separated addresses or CIDRs of the proxies in front of the app (e.g. 10.0.0.0/8), whose X-Forwarded-For is trusted',
    )
    .optional(),

  OPS_HOST: z.string().min(1).default(DEFAULT_HOST),
  OPS_PORT: port(DEFAULT_PORTS.ops),
  OPS_BEARER_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  OPS_BASIC_USER: optionalString,
  OPS_BASIC_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),

  NETSUITE_SIM_PORT: port(DEFAULT_PORTS.netsuiteSimulator),
  PIPEDRIVE_SIM_PORT: port(DEFAULT_PORTS.pipedriveSimulator),
  SLACK_SIM_PORT: port(DEFAULT_PORTS.slackSimulator),

  PIPEDRIVE_API_URL: url.optional(),
  PIPEDRIVE_API_TOKEN: optionalString,
  PIPEDRIVE_COMPANY_DOMAIN: optionalString,
  PIPEDRIVE_WEBHOOK_USER: optionalString,
  PIPEDRIVE_WEBHOOK_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),

  NETSUITE_ACCOUNT_ID: z
    .string()
    .regex(/^[0-9A-Za-z_-]+$/, 'a NetSuite account id such as 1234567 or 1234567_SB1')
    .optional(),
  NETSUITE_BASE_URL: url.optional(),
  NETSUITE_CONSUMER_KEY: optionalString,
  NETSUITE_CONSUMER_SECRET: optionalString,
  NETSUITE_TOKEN_ID: optionalString,
  NETSUITE_TOKEN_SECRET: optionalString,
  NETSUITE_CONCURRENCY_LIMIT: z.coerce.number().int().min(1, 'a positive integer').default(5),
  NETSUITE_QUEUED_ACTIVITIES: z.coerce.number().int().min(0, 'a whole number ≥ 0').optional(),
  NETSUITE_ASYNC_UPSERTS: bool(false),
  REVIEW_ESCALATION_MINUTES: z.coerce
    .number()
    .min(1, 'at least 1 minute')
    .default(24 * 60),
  /** VENDOR_OUTAGE_REVIEW_AFTER: how long an onboarding waits out a vendor outage before it goes to review. */
  VENDOR_OUTAGE_REVIEW_AFTER_MINUTES: z.coerce
    .number()
    .min(1, 'at least 1 minute')
    .default(4 * 60),
  INVOICE_DELAY_DAYS: z.coerce.number().int().min(0, 'a whole number of days ≥ 0').default(0),
  RECONCILIATION_CRON: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){4}$/, 'a 5-field cron expression (UTC), e.g. "0 6 * * *"')
    .default('0 6 * * *'),
  OPS_WATCH_INTERVAL_SECONDS: z.coerce.number().min(1, 'at least 1 second').default(60),
  /** A review reason with at least this many onboardings in review gets a Slack digest with "Retry all N" (0 = off). */
  REVIEW_DIGEST_MIN: z.coerce.number().int().min(0, 'a whole number ≥ 0 (0 = off)').default(5),
  CUSTOMER_SLA_MINUTES: z.coerce.number().gt(0, 'a positive number of minutes').default(5),
  ALERT_DUPLICATE_PERCENT: z.coerce.number().min(0).max(100, 'a percentage (0-100)').default(0.5),
  ALERT_SLA_BREACH_PERCENT: z.coerce.number().min(0).max(100, 'a percentage (0-100)').default(5),
  ALERT_MISMATCH_PERCENT: z.coerce.number().min(0).max(100, 'a percentage (0-100)').default(2),
  ALERT_REVIEW_AGE_HOURS: z.coerce.number().gt(0, 'a positive number of hours').default(24),
  ALERT_WEBHOOK_URL: url.optional(),
  ALERT_ROUTING_KEY: optionalString,
  PAGERDUTY_SIM_PORT: port(4040),
  SLACK_BILLING_LEAD: optionalString,
  SHADOW_MODE: bool(false),

  SLACK_API_URL: url.optional(),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_REVIEW_CHANNEL: optionalString,
  SLACK_ESCALATION_CHANNEL: optionalString,
  SLACK_REPORTS_CHANNEL: optionalString,
  SLACK_REVIEWER_IDS: list,
  SLACK_REVIEWER_GROUPS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.every((id) => /^S[A-Z0-9]+$/.test(id)), 'comma-separated Slack user group ids (S…)'),
  SLACK_SOCKET_MODE: bool(false),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'an app-level token starting with xapp-').optional(),
});

type Env = z.infer<typeof schema>;

/** The variables that make up each vendor's credentials: all or none must be set. */
export const VENDOR_VARIABLES = {
  pipedrive: [
    'PIPEDRIVE_API_TOKEN',
    'PIPEDRIVE_COMPANY_DOMAIN',
    'PIPEDRIVE_WEBHOOK_USER',
    'PIPEDRIVE_WEBHOOK_PASSWORD',
  ],
  netsuite: [
    'NETSUITE_ACCOUNT_ID',
    'NETSUITE_CONSUMER_KEY',
    'NETSUITE_CONSUMER_SECRET',
    'NETSUITE_TOKEN_ID',
    'NETSUITE_TOKEN_SECRET',
  ],
  slack: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_REVIEW_CHANNEL'],
} as const satisfies Record<string, ReadonlyArray<keyof Env>>;
export type Vendor = keyof typeof VENDOR_VARIABLES;

export interface PipedriveConfig {
  apiUrl: string;
  apiToken: string;
  companyDomain: string;
  webhookUser: string;
  webhookPassword: string;
}
export interface NetSuiteConfig {
  baseUrl: string;
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
  concurrencyLimit: number;
  /** `netsuite` activities a worker takes beyond `concurrencyLimit`: they wait in the client's FIFO, so a slot freed by
   * one request is taken by the next at once instead of after a completion and a poll round trip to Temporal. */
  queuedActivities: number;
  asyncUpserts: boolean;
}
export interface SlackConfig {
  apiUrl: string;
  botToken: string;
  signingSecret: string;
  reviewChannel: string;
  escalationChannel?: string;
  reviewerIds: string[];
  /** Members of these user groups (S…) may decide too. */
  reviewerGroups?: string[];
  /** Interactivity over Socket Mode (an outbound WebSocket) instead of `POST /slack/events`; the app token opens it. */
  socketMode?: { appToken: string };
}

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  temporal: {
    embedded: boolean;
    address: string;
    host: string;
    port: number;
    uiPort: number;
    uiUrl: string;
    namespace: string;
    tls: boolean;
    tlsCertPath?: string;
    tlsKeyPath?: string;
    apiKey?: string;
  };
  /**
   * maxCachedWorkflows (default 100: a parked review costs ~0.5 MB while cached, and the SDK's own default, sized
   * from the heap limit, lets 10,000 parked reviews hold ~5 GB; P4 in bench/results); a prebuilt workflow
   * bundle (bundleWorkflowCode output) skips webpack at start, so a restarted worker polls in seconds; nodeFlags
   * (WORKER_NODE_FLAGS) and the idle collection (WORKER_IDLE_GC_SECONDS, workers/idle-gc.cjs) are how the stack
   * starts the worker's Node (runtime/node-flags.ts workerNodeArgs).
   */
  worker: {
    metricsPort: number;
    maxCachedWorkflows: number;
    workflowBundlePath?: string;
    nodeFlags: string[];
    idleGcSeconds: number;
    /**
     * Exit for a fresh process when idle more than this many MB above the process's own settled idle RSS (0 = never;
     * workers/idle-recycle.ts); only under a supervisor (npm start, or WORKER_SUPERVISED).
     */
    recycleGrowthMb: number;
    supervised: boolean;
  };
  /**
   * `npm start` on one host: the CPU niceness of the embedded dev server and the worker, so the webhook answer is
   * not queued behind the backlog they are working off (0 = same priority as the app).
   */
  stack: { backgroundNice: number };
  onboarding: { invoiceDelayDays: number; reviewEscalationAfterMs: number; vendorOutageReviewAfterMs: number };
  /** The `reconciliation-daily` schedule's cron (UTC); the Slack channel for its reports (default: the review channel). */
  reconciliation: { cron: string; slackChannel?: string };
  /** Cutover: NetSuite writes are recorded in DATA_DIR/shadow/ instead of made (reads still go to NetSuite). */
  shadowMode: boolean;
  /** The `ops-watch` workflow: tick, SLA, the guide's thresholds (fractions / ms) and where alerts go. */
  ops: {
    tickMs: number;
    customerSlaMs: number;
    thresholds: { duplicateRate: number; slaBreachRate: number; mismatchRate: number; reviewAgeMs: number };
    /** Slack user or channel id for the billing lead (default: the escalation channel, else the review channel). */
    billingLead?: string;
    /** PagerDuty Events v2 (or compatible) endpoint; `undefined` when no routing key and no URL are set. */
    alertWebhook?: { url: string; routingKey: string };
    pagerDutySimPort: number;
    /** Review digests in Slack from this many reviews of one reason (0 = off; ops/activities/review-digest.ts). */
    reviewDigestMin: number;
  };
  /**
   * The public listener (Pipedrive webhook, Slack interactivity, probes). nodeFlags (APP_NODE_FLAGS): what `npm start`
   * gives the app's Node, as WORKER_NODE_FLAGS does the worker's. rateLimitPerSec: requests per second per source
   * address (0 = off); trustProxy: fastify's trustProxy, so the limit keys on the client behind a proxy.
   */
  app: {
    host: string;
    port: number;
    publicUrl: string;
    webhookBodyLimitBytes: number;
    nodeFlags: string[];
    rateLimitPerSec: number;
    trustProxy: false | string;
  };
  /** The internal listener (/ops, /ops.json, /metrics, probes): loopback by default; auth optional there, required elsewhere. */
  opsHttp: OpsHttpConfig;
  /**
   * The webhook intake buffer (starters/intake/outbox*.ts): how long a 2xx waits for the real outcome, drain
   * parallelism, and the outbox's SQLite synchronous mode (`full`: a 2xx survives power loss; `normal`: it survives a
   * crash of the app but not of the host, for disks whose fsync is the answer's tail).
   */
  intake: { ackBudgetMs: number; drainConcurrency: number; outboxSync: 'full' | 'normal' };
  simulatorPorts: Record<Vendor, number>;
  /** `undefined` = sandbox mode for that vendor (until `npm start` fills it from the simulator). */
  pipedrive?: PipedriveConfig;
  netsuite?: NetSuiteConfig;
  slack?: SlackConfig;
  /** SLACK_SOCKET_MODE=true in sandbox mode: the Slack simulator serves Socket Mode and hands out its app token. */
  sandboxSlackSocketMode?: boolean;
}

export interface OpsHttpConfig {
  host: string;
  port: number;
  url: string;
  /** Either or both; undefined = no authentication (allowed on loopback only). */
  auth?: { bearerToken?: string; basic?: { user: string; password: string } };
}

/** Loopback by literal address or `localhost`; a hostname that may resolve elsewhere counts as exposed. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** A URL to reach a listener bound to `host` (a wildcard bind is reached on loopback). */
function listenerUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

export interface ConfigIssue {
  variable: string;
  expected: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      [
        'Invalid configuration (fix these environment variables or .env entries):',
        ...issues.map((i) => `  ${i.variable}: ${i.expected}`),
      ].join('\n'),
    );
  }
}

function vendorIssues(env: Env): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [vendor, vars] of Object.entries(VENDOR_VARIABLES)) {
    const set = vars.filter((v) => env[v] !== undefined);
    if (set.length > 0 && set.length < vars.length) {
      for (const v of vars.filter((name) => env[name] === undefined)) {
        issues.push({
          variable: v,
          expected: `required because other ${vendor} variables are set (${set.join(', ')}); set all of them, or none for sandbox mode`,
        });
      }
    }
  }
  // In sandbox mode (no Slack credentials) the simulator supplies the app token.
  if (env.SLACK_SOCKET_MODE && !env.SLACK_APP_TOKEN && env.SLACK_BOT_TOKEN) {
    issues.push({
      variable: 'SLACK_APP_TOKEN',
      expected: 'an app-level token (xapp-…, scope connections:write) is required when SLACK_SOCKET_MODE=true',
    });
  }
  if (env.TEMPORAL_TLS && Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
    issues.push({
      variable: env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH',
      expected: 'mTLS needs both a certificate and a key path',
    });
  }
  return [...issues, ...opsListenerIssues(env)];
}

/** The internal listener serves the review queue and every figure: exposed only with credentials. */
function opsListenerIssues(env: Env): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (Boolean(env.OPS_BASIC_USER) !== Boolean(env.OPS_BASIC_PASSWORD)) {
    issues.push({
      variable: env.OPS_BASIC_USER ? 'OPS_BASIC_PASSWORD' : 'OPS_BASIC_USER',
      expected: 'Basic auth on the internal listener needs both OPS_BASIC_USER and OPS_BASIC_PASSWORD',
    });
  }
  const hasAuth = Boolean(env.OPS_BEARER_TOKEN) || Boolean(env.OPS_BASIC_USER && env.OPS_BASIC_PASSWORD);
  if (!hasAuth && !isLoopbackHost(env.OPS_HOST)) {
    issues.push({
      variable: 'OPS_HOST',
      expected: `${env.OPS_HOST} is not a loopback address, and the internal listener (/ops, /ops.json, /metrics) would serve the review queue and every figure to anyone who reaches it: set OPS_BEARER_TOKEN, or OPS_BASIC_USER and OPS_BASIC_PASSWORD, or keep OPS_HOST=127.0.0.1`,
    });
  }
  if (env.OPS_PORT === env.APP_PORT) {
    issues.push({
      variable: 'OPS_PORT',
      expected: `a port other than APP_PORT (${env.APP_PORT}): the internal listener must not share the public one`,
    });
  }
  return issues;
}

/** Pure: validates an env object. Throws ConfigError listing every problem at once. */
export interface ParseConfigOptions {
  /**
   * Also ask Node whether it starts with WORKER_NODE_FLAGS and APP_NODE_FLAGS (one `node <flags> -e 0` per set):
   * for launchers, before they spawn the processes that use them.
   */
  probeNodeFlags?: boolean;
}

export function parseConfig(raw: NodeJS.ProcessEnv, options: ParseConfigOptions = {}): Config {
  // Empty strings in .env files mean "unset", not "invalid".
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(env)'),
        expected: issue.message,
      }));
  if (options.probeNodeFlags) {
    for (const variable of Object.keys(NODE_FLAG_VARIABLES) as Array<keyof typeof NODE_FLAG_VARIABLES>) {
      if (issues.some((i) => i.variable === variable)) continue;
      const refused = nodeFlagsRefused(splitNodeFlags(cleaned[variable]));
      if (refused) issues.push({ variable, expected: nodeFlagsExpected(variable, refused) });
    }
  }
  if (!parsed.success || issues.length) throw new ConfigError(issues);
  const env = parsed.data;
  const vendor = vendorIssues(env);
  if (vendor.length) throw new ConfigError(vendor);

  const address = env.TEMPORAL_ADDRESS ?? `${env.TEMPORAL_HOST}:${env.TEMPORAL_PORT}`;
  const appUrl = env.APP_PUBLIC_URL ?? `http://${env.APP_HOST}:${env.APP_PORT}`;
  return {
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    temporal: {
      embedded: env.TEMPORAL_EMBEDDED,
      address,
      host: env.TEMPORAL_HOST,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      uiUrl: env.TEMPORAL_UI_URL ?? `http://${env.TEMPORAL_HOST}:${env.TEMPORAL_UI_PORT}`,
      namespace: env.TEMPORAL_NAMESPACE,
      tls: env.TEMPORAL_TLS || Boolean(env.TEMPORAL_API_KEY),
      tlsCertPath: env.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: env.TEMPORAL_TLS_KEY_PATH,
      apiKey: env.TEMPORAL_API_KEY,
    },
    worker: {
      metricsPort: env.WORKER_METRICS_PORT,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      workflowBundlePath: env.WORKER_WORKFLOW_BUNDLE,
      nodeFlags: splitNodeFlags(env.WORKER_NODE_FLAGS),
      idleGcSeconds: env.WORKER_IDLE_GC_SECONDS,
      recycleGrowthMb: env.WORKER_RECYCLE_GROWTH_MB,
      // The stack (scripts/stack.ts) restarts its children; elsewhere the operator says a supervisor does.
      supervised: env.WORKER_SUPERVISED || cleaned.STACK_PARENT_PID !== undefined,
    },
    stack: { backgroundNice: env.STACK_BACKGROUND_NICE },
    onboarding: {
      invoiceDelayDays: env.INVOICE_DELAY_DAYS,
      reviewEscalationAfterMs: env.REVIEW_ESCALATION_MINUTES * 60_000,
      vendorOutageReviewAfterMs: env.VENDOR_OUTAGE_REVIEW_AFTER_MINUTES * 60_000,
    },
    reconciliation: {
      cron: env.RECONCILIATION_CRON,
      ...(env.SLACK_REPORTS_CHANNEL ? { slackChannel: env.SLACK_REPORTS_CHANNEL } : {}),
    },
    shadowMode: env.SHADOW_MODE,
    ops: {
      tickMs: env.OPS_WATCH_INTERVAL_SECONDS * 1000,
      customerSlaMs: env.CUSTOMER_SLA_MINUTES * 60_000,
      thresholds: {
        duplicateRate: env.ALERT_DUPLICATE_PERCENT / 100,
        slaBreachRate: env.ALERT_SLA_BREACH_PERCENT / 100,
        mismatchRate: env.ALERT_MISMATCH_PERCENT / 100,
        reviewAgeMs: env.ALERT_REVIEW_AGE_HOURS * 3_600_000,
      },
      billingLead: env.SLACK_BILLING_LEAD ?? env.SLACK_ESCALATION_CHANNEL ?? env.SLACK_REVIEW_CHANNEL,
      ...(env.ALERT_ROUTING_KEY || env.ALERT_WEBHOOK_URL
        ? {
            alertWebhook: {
              url: env.ALERT_WEBHOOK_URL ?? 'https://events.pagerduty.com/v2/enqueue',
              routingKey: env.ALERT_ROUTING_KEY ?? '',
            },
          }
        : {}),
      pagerDutySimPort: env.PAGERDUTY_SIM_PORT,
      reviewDigestMin: env.REVIEW_DIGEST_MIN,
    },
    app: {
      host: env.APP_HOST,
      port: env.APP_PORT,
      publicUrl: appUrl.replace(/\/$/, ''),
      webhookBodyLimitBytes: env.WEBHOOK_BODY_LIMIT_BYTES,
      nodeFlags: splitNodeFlags(env.APP_NODE_FLAGS),
      rateLimitPerSec: env.PUBLIC_RATE_LIMIT_PER_SEC,
      trustProxy: env.PUBLIC_TRUST_PROXY ?? false,
    },
    opsHttp: {
      host: env.OPS_HOST,
      port: env.OPS_PORT,
      url: listenerUrl(env.OPS_HOST, env.OPS_PORT),
      ...(env.OPS_BEARER_TOKEN || (env.OPS_BASIC_USER && env.OPS_BASIC_PASSWORD)
        ? {
            auth: {
              ...(env.OPS_BEARER_TOKEN ? { bearerToken: env.OPS_BEARER_TOKEN } : {}),
              ...(env.OPS_BASIC_USER && env.OPS_BASIC_PASSWORD
                ? { basic: { user: env.OPS_BASIC_USER, password: env.OPS_BASIC_PASSWORD } }
                : {}),
            },
          }
        : {}),
    },
    intake: {
      ackBudgetMs: env.INTAKE_ACK_BUDGET_MS,
      drainConcurrency: env.INTAKE_DRAIN_CONCURRENCY,
      outboxSync: env.INTAKE_OUTBOX_SYNC,
    },
    simulatorPorts: { netsuite: env.NETSUITE_SIM_PORT, pipedrive: env.PIPEDRIVE_SIM_PORT, slack: env.SLACK_SIM_PORT },
    pipedrive: env.PIPEDRIVE_API_TOKEN
      ? {
          apiUrl: (env.PIPEDRIVE_API_URL ?? `https://${env.PIPEDRIVE_COMPANY_DOMAIN}.pipedrive.com`).replace(/\/$/, ''),
          apiToken: env.PIPEDRIVE_API_TOKEN,
          companyDomain: env.PIPEDRIVE_COMPANY_DOMAIN!,
          webhookUser: env.PIPEDRIVE_WEBHOOK_USER!,
          webhookPassword: env.PIPEDRIVE_WEBHOOK_PASSWORD!,
        }
      : undefined,
    netsuite: env.NETSUITE_ACCOUNT_ID
      ? {
          baseUrl: (
            env.NETSUITE_BASE_URL ??
            `https://${env.NETSUITE_ACCOUNT_ID.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`
          ).replace(/\/$/, ''),
          accountId: env.NETSUITE_ACCOUNT_ID,
          consumerKey: env.NETSUITE_CONSUMER_KEY!,
          consumerSecret: env.NETSUITE_CONSUMER_SECRET!,
          tokenId: env.NETSUITE_TOKEN_ID!,
          tokenSecret: env.NETSUITE_TOKEN_SECRET!,
          concurrencyLimit: env.NETSUITE_CONCURRENCY_LIMIT,
          queuedActivities: env.NETSUITE_QUEUED_ACTIVITIES ?? env.NETSUITE_CONCURRENCY_LIMIT,
          asyncUpserts: env.NETSUITE_ASYNC_UPSERTS,
        }
      : undefined,
    ...(env.SLACK_SOCKET_MODE && !env.SLACK_BOT_TOKEN ? { sandboxSlackSocketMode: true } : {}),
    slack: env.SLACK_BOT_TOKEN
      ? {
          apiUrl: env.SLACK_API_URL ?? 'https://slack.com/api/',
          botToken: env.SLACK_BOT_TOKEN,
          signingSecret: env.SLACK_SIGNING_SECRET!,
          reviewChannel: env.SLACK_REVIEW_CHANNEL!,
          escalationChannel: env.SLACK_ESCALATION_CHANNEL,
          reviewerIds: env.SLACK_REVIEWER_IDS,
          reviewerGroups: env.SLACK_REVIEWER_GROUPS,
          ...(env.SLACK_SOCKET_MODE && env.SLACK_APP_TOKEN ? { socketMode: { appToken: env.SLACK_APP_TOKEN } } : {}),
        }
      : undefined,
  };
}

export function sandboxedVendors(config: Config): Vendor[] {
  return (['pipedrive', 'netsuite', 'slack'] as const).filter((v) => config[v] === undefined);
}
