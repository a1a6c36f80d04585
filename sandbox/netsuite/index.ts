/**
 * Embedded NetSuite SuiteTalk REST simulator. Used by the stack launcher and tests only; product code never imports it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AsyncJobRunner } from './async-jobs';
import { ConcurrencyGate } from './concurrency-gate';
import { FaultInjector } from './faults';
import { createOAuthVerifier } from './oauth-verifier';
import { registerOracleFunctions } from './oracle-dialect';
import { performRecordWrite } from './record-routes';
import { accountSeed } from './reference-data';
import { setRolePermissions } from './role-permissions';
import { createRequestListener } from './server';
import { SimStats } from './stats';
import { NetSuiteStore } from './store';
import type { NetSuiteCredentials, NetSuiteSimulatorOptions, RunningNetSuiteSimulator } from './types';

export type {
  FaultConfig,
  FaultPatch,
  LatencyDistribution,
  NetSuiteCredentials,
  NetSuiteSimulatorOptions,
  RunningNetSuiteSimulator,
} from './types';

/** TBA keys and secrets are 64 hex characters in NetSuite. */
function generatedSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Generated credentials are kept in the data file, so a restarted simulator still accepts the tokens a running app holds.
 * Explicit options always win.
 */
function resolveCredentials(store: NetSuiteStore, given: Partial<NetSuiteCredentials>): NetSuiteCredentials {
  const saved = store.setting('credentials');
  const previous = saved ? (JSON.parse(saved) as Partial<NetSuiteCredentials>) : {};
  const credentials: NetSuiteCredentials = {
    accountId: given.accountId ?? previous.accountId ?? '1234567_SB1',
    consumerKey: given.consumerKey ?? previous.consumerKey ?? generatedSecret(),
    consumerSecret: given.consumerSecret ?? previous.consumerSecret ?? generatedSecret(),
    tokenId: given.tokenId ?? previous.tokenId ?? generatedSecret(),
    tokenSecret: given.tokenSecret ?? previous.tokenSecret ?? generatedSecret(),
  };
  store.saveSetting('credentials', JSON.stringify(credentials));
  return credentials;
}

export async function startNetSuiteSimulator(opts: NetSuiteSimulatorOptions = {}): Promise<RunningNetSuiteSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? (() => {});
  const store = new NetSuiteStore(opts.dataFile, accountSeed(opts.company));
  const credentials = resolveCredentials(store, opts.credentials ?? {});
  if (opts.rolePermissions) setRolePermissions(store.db, opts.rolePermissions);
  registerOracleFunctions(store.db);
  const stats = new SimStats();
  const faults = new FaultInjector(opts.faults ?? {});
  const gate = new ConcurrencyGate(opts.concurrencyLimit ?? 15);
  const verifier = createOAuthVerifier(credentials, (reason) => log(`netsuite-sim auth rejected: ${reason}`));
  const now = () => new Date();
  const recordContext = (base: string) => ({ store, base, duplicateDetection: opts.duplicateDetection ?? false, now });
  const jobs = new AsyncJobRunner({
    store,
    faults,
    stats,
    delayMs: opts.asyncJobDelayMs ?? 1500,
    now,
    execute: (request) =>
      performRecordWrite(recordContext(request.base), {
        method: request.method,
        segments: request.path.split('/').filter((s) => s !== ''),
        query: new URLSearchParams(request.query),
        body: request.body,
      }),
  });
  jobs.resumePending();

  let closed = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const sleeper = {
        timer: setTimeout(() => {
          sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      sleepers.add(sleeper);
    });

  const server: Server = createServer(
    createRequestListener({
      store,
      verifier,
      gate,
      faults,
      stats,
      jobs,
      recordContext,
      log,
      sleep,
      isClosed: () => closed,
    }),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  log(`netsuite-sim listening on ${url} (account ${credentials.accountId})`);

  return {
    url,
    port,
    stackEntry: { url, ...credentials },
    async close() {
      if (closed) return;
      closed = true;
      jobs.close();
      for (const sleeper of sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.wake();
      }
      sleepers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}
