/** Public option and handle types of the NetSuite simulator (re-exported by index.ts). */

export interface NetSuiteCredentials {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

/** Uniform between min and max, or lognormal fitted to a median and a 99th percentile. */
export type LatencyDistribution = { minMs: number; maxMs: number } | { medianMs: number; p99Ms: number };

export interface FaultConfig {
  /** Added before each /services/rest request is handled, while it holds a concurrency slot. */
  latency: LatencyDistribution | null;
  /** Share of requests answered with a 5xx NetSuite error (UNEXPECTED_ERROR). */
  errorRate: number;
  /** Statuses drawn from for injected errors. */
  errorStatuses: number[];
  /** Share of requests that hang for timeoutMs and then lose their socket without an answer. */
  timeoutRate: number;
  timeoutMs: number;
  /** Share of requests that are fully handled (writes applied) and then lose their socket: the ambiguous failure. */
  dropAfterHandlingRate: number;
  /** The next N requests are answered 429 CONCURRENCY_LIMIT_EXCEEDED. */
  throttleNext: number;
  /** Until this epoch-ms instant every request is answered 429. */
  throttleUntil: number | null;
  /** When set, injected and limit 429s and injected 503s carry `Retry-After: <seconds>` (NetSuite itself sends none). */
  retryAfterSeconds: number | null;
  /** Share of async jobs that end "failed" with an UNEXPECTED_ERROR result instead of applying their write. */
  asyncJobFailureRate: number;
  /** Seeds the fault RNG so a run is repeatable; null = Math.random. */
  seed: number | null;
}

/** What PUT /__sim/faults and the faults option accept: FaultConfig plus a relative throttle window. */
export type FaultPatch = Partial<FaultConfig> & { throttleForMs?: number };

export interface NetSuiteSimulatorOptions {
  host?: string;
  port?: number;
  dataFile?: string;
  credentials?: Partial<NetSuiteCredentials>;
  faults?: FaultPatch;
  concurrencyLimit?: number;
  asyncJobDelayMs?: number;
  duplicateDetection?: boolean;
  logger?: (line: string) => void;
  /** Permission levels of the token's role by permkey (role-permissions.ts), e.g. { LIST_CUSTJOB: 'view' }. */
  rolePermissions?: Record<string, number | string>;
  /** Which sandbox account to seed (default: SANDBOX_COMPANY, else acme). */
  company?: 'acme' | 'globex';
}

export interface RunningNetSuiteSimulator {
  url: string;
  port: number;
  /** The `netsuite` section of .data/stack.json; url is the origin, without /services/rest. */
  stackEntry: { url: string } & NetSuiteCredentials;
  close(): Promise<void>;
}
