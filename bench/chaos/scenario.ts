/** What a chaos scenario returns, and the steps they share: drive deals while something breaks, settle, verify. */
import { cpus, loadavg } from 'node:os';
import type { BenchResult } from '../results-file';
import type { ChaosStack } from './chaos-stack';
import { driveDeals, type DriveResult } from './deal-driver';
import { verifyDeals, verifyNotes, verifyRows, waitForSettled, type VerifyReport } from './verify-deals';
import { kpiRows, verifyKpis, type KpiCheck } from './verify-kpis';

export interface ChaosResult extends BenchResult {
  passed: boolean;
}

export type Scenario = (quick: boolean) => Promise<ChaosResult>;

/** Set by the runner: `--deals N` overrides a scenario's own size (scenarios without a size ignore it). */
export const runOptions: { deals?: number; settleMinutes?: number } = {};

export const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

/** Load average samples over a run: the machine is shared, so every result says how busy it was. */
export class LoadSampler {
  private samples: number[] = [];
  private timer = setInterval(() => this.samples.push(loadavg()[0]!), 5_000);
  constructor() {
    this.samples.push(loadavg()[0]!);
  }
  stop(): string {
    clearInterval(this.timer);
    this.samples.push(loadavg()[0]!);
    const max = Math.max(...this.samples);
    const mean = this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
    return `load average (1 min) during the run: mean ${mean.toFixed(1)}, max ${max.toFixed(1)} on ${cpus().length} cores (machine shared with other sessions).`;
  }
}

export interface DriveAndVerifyOptions {
  count: number;
  ratePerSecond: number;
  concurrency: number;
  /** Every n-th deal without a tax id, so the review path is exercised too (0 = none). */
  reviewEvery: number;
  settleTimeoutMs: number;
  stallMs: number;
  /** Runs alongside the driving until `done()` says the arrivals and the settling are over. */
  chaos?: (done: () => boolean) => Promise<string[]>;
  /** Between settling and verifying: undo faults, read counters. */
  beforeVerify?: () => Promise<string[]>;
}

export interface DriveAndVerify {
  drive: DriveResult;
  settle: { seconds: number; settled: boolean; last: { settled: number; total: number; early: number } };
  verify: VerifyReport;
  kpis: KpiCheck;
  chaosNotes: string[];
  extraNotes: string[];
  rows: BenchResult['rows'];
  notes: string[];
}

export async function driveAndVerify(stack: ChaosStack, o: DriveAndVerifyOptions): Promise<DriveAndVerify> {
  let finished = false;
  const chaos = o.chaos ? o.chaos(() => finished) : Promise.resolve([]);
  let settle: DriveAndVerify['settle'];
  let drive: DriveResult;
  try {
    log(`driving ${o.count} deals at ${o.ratePerSecond || 'max'}/s`);
    drive = await driveDeals({
      pipedriveUrl: stack.json.pipedrive!.url,
      count: o.count,
      ratePerSecond: o.ratePerSecond,
      concurrency: o.concurrency,
      omit: (i) => (o.reviewEvery > 0 && i % o.reviewEvery === o.reviewEvery - 1 ? ['tax_id'] : []),
    });
    log(
      `driven ${drive.dealIds.length} deals in ${drive.seconds.toFixed(1)} s (${drive.errors} driver errors); waiting for them to settle`,
    );
    // `--settle-minutes` caps the wait (a run against a deadline); what has not settled by then is reported as stuck.
    const timeoutMs = runOptions.settleMinutes ? runOptions.settleMinutes * 60_000 : o.settleTimeoutMs;
    settle = await waitForSettled(stack.client, drive.dealIds.length, { timeoutMs, stallMs: o.stallMs, log });
    log(`settle: ${JSON.stringify(settle)}`);
  } finally {
    finished = true;
  }
  const chaosNotes = await chaos;
  const extraNotes = o.beforeVerify ? await o.beforeVerify() : [];
  log('verifying every deal');
  const verify = await verifyDeals({ client: stack.client, stack: stack.json, dealIds: drive.dealIds }).catch(
    (err: Error) => {
      throw new Error(`verification failed: ${err.message}; child exits so far: ${JSON.stringify(stack.exits)}`);
    },
  );
  log(`verdict: ${verify.passed ? 'PASS' : 'FAIL'} ${JSON.stringify({ ...verify, examples: undefined })}`);
  const kpis = await verifyKpis(stack.client, drive.dealIds.length, { log });
  log(`KPIs: ${JSON.stringify(kpis)}`);
  const unexpected = stack.exits.filter((e) => !e.expected);
  const rows: BenchResult['rows'] = [
    ...verifyRows(verify),
    ...kpiRows(kpis),
    { check: 'arrivals: seconds to drive all deals', value: Math.round(drive.seconds * 10) / 10 },
    { check: 'seconds from last arrival until all settled', value: Math.round(settle.seconds * 10) / 10 },
    {
      check: 'all settled before the timeout',
      value: settle.settled ? 'yes' : `no (${settle.last.settled} of ${drive.dealIds.length})`,
    },
    { check: 'unexpected child exits (crashes; restarted as npm start does)', value: unexpected.length },
  ];
  const notes = [
    `Deals: ${drive.dealIds.length} driven through the Pipedrive simulator (created, then moved to Contract Signed: the real webhook), ${drive.reviewDealIds.length} of them without a tax id (expected to go to review); ${drive.errors} driver errors.`,
    ...chaosNotes,
    ...extraNotes,
    `Unexpected child exits: ${unexpected.length ? JSON.stringify(unexpected) : 'none'}.`,
    ...verifyNotes(verify),
  ];
  return { drive, settle, verify, kpis, chaosNotes, extraNotes, rows, notes };
}
