/**
 * Sandbox mode: for every vendor without real credentials, `npm start` runs its simulator and hands its URL and
 * credentials to the worker and app as the same env variables real credentials would use.
 */
import type { Config, Vendor } from '../runtime/config';
import type { Logger } from '../runtime/logger';

export interface RunningSandbox {
  /** Env for the worker and app: the simulators' URLs and credentials. */
  env: NodeJS.ProcessEnv;
  /** The `pipedrive` / `netsuite` / `slack` sections of .data/stack.json. */
  stackEntries: Record<string, unknown>;
  banner: string[];
  /** Wiring that needs the app listening (webhook registration, Slack request URL). */
  afterAppReady(appUrl: string): Promise<void>;
  close(): Promise<void>;
}

export async function startSandbox(vendors: Vendor[], ctx: { config: Config; dataDir: string; log: Logger }): Promise<RunningSandbox> {
  if (vendors.length > 0) {
    ctx.log.warn(
      { sandbox: vendors },
      `sandbox mode for ${vendors.join(', ')}: no credentials configured, and the simulators are not part of this build yet; ` +
        'these integrations are unavailable until they land (or configure real credentials, see .env.example)',
    );
  }
  return {
    env: {},
    stackEntries: {},
    banner: vendors.length ? [`  Sandbox           ${vendors.join(', ')} (simulators not available yet)`] : [],
    afterAppReady: async () => undefined,
    close: async () => undefined,
  };
}
