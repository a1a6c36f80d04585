/**
 * R3: NetSuite misbehaves for the whole run: 20% of requests answered 500/503, a 429 burst every 20 s (every request
 * for 3 s; a count-based burst such as "the next 25 requests" would throttle nearly everything when traffic is slow), 2% of requests hang until the client gives up, 2% are applied and then lose their
 * answer (the ambiguous failure), and 20% of async upsert jobs fail. Upserts go through async jobs here
 * (NETSUITE_ASYNC_UPSERTS=true) so job failures are exercised.
 */
import axios from 'axios';
import { startChaosStack } from './chaos-stack';
import { driveAndVerify, LoadSampler, log, runOptions, type ChaosResult } from './scenario';

const FAULTS = {
  errorRate: 0.2,
  errorStatuses: [500, 503],
  timeoutRate: 0.02,
  // Longer than the client's own timeout, so the client is the one that gives up, as with a hung NetSuite.
  timeoutMs: 35_000,
  dropAfterHandlingRate: 0.02,
  asyncJobFailureRate: 0.2,
  latency: { minMs: 50, maxMs: 150 },
};

export async function r3NetSuiteFaults(quick: boolean): Promise<ChaosResult> {
  const count = runOptions.deals ?? (quick ? 100 : 2000);
  const rate = quick ? 5 : 10;
  const load = new LoadSampler();
  const stack = await startChaosStack({
    label: 'r3',
    netsuite: { faults: FAULTS, asyncJobDelayMs: 500 },
    env: { NETSUITE_ASYNC_UPSERTS: 'true' },
  });
  const nsAdmin = axios.create({ baseURL: stack.json.netsuite!.url, timeout: 30_000 });
  try {
    let bursts = 0;
    const run = await driveAndVerify(stack, {
      count,
      ratePerSecond: rate,
      concurrency: 10,
      reviewEvery: 20,
      settleTimeoutMs: (quick ? 15 : 60) * 60_000,
      stallMs: 5 * 60_000,
      async chaos(done) {
        while (!done()) {
          await new Promise((r) => setTimeout(r, 20_000));
          if (done()) break;
          await nsAdmin.patch('/__sim/faults', { throttleForMs: 3_000 });
          bursts += 1;
        }
        return [
          `Chaos: NetSuite simulator faults for the whole run ${JSON.stringify(FAULTS)}, plus ${bursts} bursts of 429 (every request for 3 s, every 20 s).`,
        ];
      },
      async beforeVerify() {
        const stats = (await nsAdmin.get('/__sim/stats')).data as Record<string, unknown>;
        // The check itself must see a healthy NetSuite.
        await nsAdmin.put('/__sim/faults', {
          errorRate: 0,
          timeoutRate: 0,
          dropAfterHandlingRate: 0,
          asyncJobFailureRate: 0,
          throttleNext: 0,
          throttleUntil: null,
          latency: null,
        });
        log(`netsuite stats: ${JSON.stringify({ ...stats, requests: undefined })}`);
        return [
          `NetSuite simulator during the run: ${JSON.stringify({ total: stats.total, throttled: stats.throttled, injectedErrors: stats.injectedErrors, injectedTimeouts: stats.injectedTimeouts, injectedDrops: stats.injectedDrops, asyncJobs: stats.asyncJobs, peakConcurrency: stats.peakConcurrency })}.`,
        ];
      },
    });
    return {
      name: 'chaos-r3',
      passed: run.verify.passed,
      description: `R3: ${count} onboardings against a faulty NetSuite (20% 5xx, 429 bursts, 2% hung requests, 2% applied-then-dropped answers, 20% failed async jobs); then every deal checked.`,
      rows: [...run.rows, { check: '429 bursts', value: bursts }],
      notes: [...run.notes, load.stop()],
    };
  } finally {
    load.stop();
    await stack.stop();
  }
}
