/**
 * R1: kill -9 the worker every ~10 s while deals arrive and onboard, restarting it each time. Temporal keeps every
 * workflow's progress; activities the dead worker held time out and are retried; NetSuite writes are idempotent
 * upserts by externalId, so a retried write cannot create a second customer or invoice.
 */
import { startChaosStack } from './chaos-stack';
import { driveAndVerify, LoadSampler, log, runOptions, type ChaosResult } from './scenario';
import { summarize } from '../stats';

export async function r1WorkerKill(quick: boolean): Promise<ChaosResult> {
  const count = runOptions.deals ?? (quick ? 100 : 2000);
  // CHAOS_KILL_INTERVAL_SECONDS: a slower cadence for machines where a restarted worker needs most of 10 s to catch up.
  const intervalMs = Number(process.env.CHAOS_KILL_INTERVAL_SECONDS ?? 10) * 1000;
  const load = new LoadSampler();
  const stack = await startChaosStack({ label: 'r1' });
  try {
    const restarts: number[] = [];
    const run = await driveAndVerify(stack, {
      count,
      ratePerSecond: quick ? 5 : 10,
      concurrency: 10,
      reviewEvery: 20,
      settleTimeoutMs: (quick ? 10 : 60) * 60_000,
      stallMs: 5 * 60_000,
      async chaos(done) {
        let kills = 0;
        // Keeps killing until every deal settled: the last kill can land on the final onboardings.
        while (!done()) {
          await new Promise((r) => setTimeout(r, intervalMs));
          if (done()) break;
          const pid = stack.workerPid();
          await stack.killWorker();
          kills += 1;
          const seconds = await stack.startWorker();
          restarts.push(seconds);
          log(`kill -9 #${kills} of worker ${pid}; new worker polling after ${seconds.toFixed(1)} s`);
        }
        const s = summarize(restarts.map((x) => x * 1000));
        return [
          `Chaos: ${kills} × kill -9 of the worker, one every ${intervalMs / 1000} s of worker uptime (SIGKILL, then a new worker process; the next kill ${intervalMs / 1000} s after it polls). ` +
            `Restart until polling: p50 ${(s.p50 / 1000).toFixed(1)} s, max ${(s.max / 1000).toFixed(1)} s (the workflow bundle is prebuilt once per run, WORKER_WORKFLOW_BUNDLE; the rest is Node + tsx start-up, module loading and connecting on the loaded machine).`,
        ];
      },
    });
    const kills = restarts.length;
    return {
      name: intervalMs === 10_000 ? 'chaos-r1' : `chaos-r1-every${intervalMs / 1000}s`,
      passed: run.verify.passed,
      description: `R1: kill -9 the worker every ~${intervalMs / 1000} s during ${count} onboardings, restarting it each time; then every deal checked (bench/chaos/verify-deals.ts).`,
      rows: [...run.rows, { check: 'worker kills (kill -9)', value: kills }],
      notes: [...run.notes, load.stop()],
    };
  } finally {
    load.stop();
    await stack.stop();
  }
}
