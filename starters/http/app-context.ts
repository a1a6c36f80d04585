/** What the HTTP routes need from the process: built once in main.ts, injected so tests can build the app too. */
import type { Client, Connection } from '@temporalio/client';
import type { Registry } from 'prom-client';
import type { Config } from '../../runtime/config';
import type { Logger } from '../../runtime/logger';

export interface AppContext {
  config: Config;
  log: Logger;
  connection: Connection;
  client: Client;
  registry: Registry;
  /** Where the worker serves the Temporal SDK's Prometheus metrics; `undefined` when no local worker. */
  workerMetricsUrl?: string;
}
