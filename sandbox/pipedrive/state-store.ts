/**
 * The company's state, in memory and optionally in a JSON file (written atomically after every change) so a restarted
 * simulator keeps its deals and, above all, the webhooks the app registered.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimulatorState } from './model';
import { ACME, type SandboxCompany } from './companies';
import { INTEGRATION_USER_ID, seedState } from './seed';

/**
 * Raise when the seed or the state's shape changes. A data file from another format once made every route answer 500
 * (fields the routes expect were missing); such a file is now moved aside with one line saying so.
 */
export const PIPEDRIVE_STATE_VERSION = 2;

/** The persisted state if it is this format and this company's, else undefined (the file moved aside, and why). */
function loadState(
  dataFile: string,
  company: SandboxCompany,
  warn: (line: string) => void,
): SimulatorState | undefined {
  if (!existsSync(dataFile)) return undefined;
  let why: string;
  try {
    const state = JSON.parse(readFileSync(dataFile, 'utf8')) as SimulatorState;
    if (state.stateVersion === PIPEDRIVE_STATE_VERSION && (state.company.profile ?? ACME.id) === company.id)
      return state;
    why =
      state.stateVersion !== PIPEDRIVE_STATE_VERSION
        ? `format ${state.stateVersion ?? 'unversioned'}, this simulator writes ${PIPEDRIVE_STATE_VERSION}`
        : `company ${state.company.profile}, this simulator runs ${company.id}`;
  } catch (err) {
    why = `unreadable: ${(err as Error).message.split('\n')[0]}`;
  }
  const aside = `${dataFile}.${Date.now()}.old`;
  renameSync(dataFile, aside);
  warn(`pipedrive simulator: ${dataFile} is from another seed (${why}); moved to ${aside}, starting from a fresh seed`);
  return undefined;
}

/**
 * Mutations within this long share one write of the data file. Each write serialises the whole state, which grows
 * with every deal: written per mutation, it was half the simulators' CPU under load (docs/lean-worker.md).
 */
const PERSIST_DELAY_MS = 100;

export class StateStore {
  state: SimulatorState;
  private readonly apiToken: string;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly companyDomain: string,
    apiToken: string | undefined,
    private readonly dataFile: string | undefined,
    private readonly company: SandboxCompany = ACME,
    warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    const loaded = dataFile ? loadState(dataFile, company, warn) : undefined;
    // The configured token wins; otherwise a restart keeps the persisted one so the app's credentials stay valid.
    this.apiToken =
      apiToken ??
      (loaded && Object.entries(loaded.tokens).find(([, userId]) => userId === INTEGRATION_USER_ID)?.[0]) ??
      randomBytes(20).toString('hex');
    this.state = loaded ?? seedState(companyDomain, this.apiToken, company);
    this.state.tokens[this.apiToken] = INTEGRATION_USER_ID;
    this.write();
  }

  integrationToken(): string {
    return this.apiToken;
  }

  /** Configured values win; otherwise the persisted pair, otherwise a fresh one. */
  webhookCredentials(user: string | undefined, password: string | undefined): { user: string; password: string } {
    const existing = this.state.webhookCredentials;
    const credentials = {
      user: user ?? existing?.user ?? `pd-hook-${randomBytes(4).toString('hex')}`,
      password: password ?? existing?.password ?? randomBytes(18).toString('base64url'),
    };
    this.state.webhookCredentials = credentials;
    this.persist();
    return credentials;
  }

  userForToken(token: string): number | undefined {
    return this.state.tokens[token];
  }

  /** Back to the seed; registered webhooks survive unless asked otherwise, so a running app stays wired. */
  reset(keepWebhooks: boolean): void {
    const { webhooks, webhookCredentials, tokens, company } = this.state;
    const nextWebhookId = this.state.nextIds.webhook;
    this.state = seedState(this.companyDomain, this.integrationToken(), this.company);
    // Same company, back to its seed data: external ids derived from its id stay stable.
    this.state.company = company;
    this.state.tokens = tokens;
    this.state.webhookCredentials = webhookCredentials;
    if (keepWebhooks) {
      this.state.webhooks = webhooks.map((w) => ({ ...w, first_try_failures: 0, banned_until: null }));
      this.state.nextIds.webhook = nextWebhookId;
    }
    this.persist();
  }

  /** The state changed: written to the data file within PERSIST_DELAY_MS, or at `flush()` (the simulator's close). */
  persist(): void {
    if (!this.dataFile || this.pending) return;
    this.pending = setTimeout(() => this.flush(), PERSIST_DELAY_MS);
    this.pending.unref();
  }

  /** Writes a pending change now. */
  flush(): void {
    if (!this.pending) return;
    clearTimeout(this.pending);
    this.pending = undefined;
    this.write();
  }

  private write(): void {
    if (!this.dataFile) return;
    this.state.stateVersion = PIPEDRIVE_STATE_VERSION;
    mkdirSync(dirname(this.dataFile), { recursive: true });
    const tmp = `${this.dataFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.dataFile);
  }
}
