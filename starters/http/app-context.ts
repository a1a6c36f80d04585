/** What the HTTP routes need from the process: built once in main.ts, injected so tests can build the app too. */
import type { Client, Connection } from '@temporalio/client';
import type { Registry } from 'prom-client';
import type { Config } from '../../runtime/config';
import type { IntakeLookups } from '../intake/intake-facts';
import type { IntakeOutbox } from '../intake/outbox';
import type { Logger } from '../../runtime/logger';

export interface AppContext {
  config: Config;
  log: Logger;
  connection: Connection;
  client: Client;
  registry: Registry;
  /** Where the worker serves the Temporal SDK's Prometheus metrics; `undefined` when no local worker. */
  workerMetricsUrl?: string;
  /** Pipedrive webhook intake collaborators; built from config when absent (tests and main.ts pass their own). */
  webhookIntake?: {
    /** Our user id, field keys and stages (the PipedriveClient); shares its caches with whoever else uses it. */
    pipedrive?: IntakeLookups;
    /** Task queue for new onboarding runs; default the onboarding queue. */
    taskQueue?: string;
    /** Bound on each Temporal call made for one delivery; default 5 s. */
    temporalTimeoutMs?: number;
    /** The intake outbox; default DATA_DIR/intake-outbox.sqlite (tests pass one that fails to write). */
    outbox?: IntakeOutbox;
    /** Longest wait between two drain attempts of one delivery; default 30 s. */
    drainRetryMaxMs?: number;
  };
}
