/**
 * R2: the Temporal dev server goes away in the middle of a run and comes back on the same SQLite file: once
 * stopped cleanly (SIGTERM), once killed (SIGKILL). Deals keep arriving meanwhile; their webhooks must be either
 * buffered by the intake or refused so Pipedrive's retry schedule (3 s, 30 s, 150 s) delivers them again.
 */
import axios from 'axios';
import { startChaosStack } from './chaos-stack';
import { driveAndVerify, LoadSampler, log, runOptions, type ChaosResult } from './scenario';

interface Delivery {
  outcome: string;
  attempt: number;
  http_status?: number;
  banned_webhook?: boolean;
}

export async function r2TemporalRestart(quick: boolean): Promise<ChaosResult> {
  const count = runOptions.deals ?? (quick ? 150 : 2000);
  const rate = quick ? 5 : 10;
  const downMs = quick ? 10_000 : 20_000;
  const load = new LoadSampler();
  const stack = await startChaosStack({ label: 'r2' });
  try {
    const outages: string[] = [];
    const run = await driveAndVerify(stack, {
      count,
      ratePerSecond: rate,
      concurrency: 10,
      reviewEvery: 20,
      settleTimeoutMs: (quick ? 10 : 60) * 60_000,
      stallMs: 5 * 60_000,
      async chaos(done) {
        const arrivalSeconds = count / rate;
        // Two outages inside the arrival window: at 1/4 and at 3/5 of it.
        for (const [at, hard] of [
          [0.25, false],
          [0.6, true],
        ] as const) {
          const waitUntil = Date.now() + at * arrivalSeconds * 1000 - (outages.length ? 0 : 0);
          while (!done() && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 250));
          if (done()) break;
          const t0 = Date.now();
          await stack.stopTemporal(hard);
          log(`Temporal dev server ${hard ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'}; down for ${downMs / 1000} s`);
          await new Promise((r) => setTimeout(r, downMs));
          const startSeconds = await stack.startTemporal();
          const downSeconds = (Date.now() - t0) / 1000;
          log(`Temporal dev server back after ${downSeconds.toFixed(1)} s (start took ${startSeconds.toFixed(1)} s)`);
          outages.push(
            `${hard ? 'SIGKILL' : 'SIGTERM'} at ${Math.round(at * 100)}% of the arrivals: unavailable ${downSeconds.toFixed(1)} s (restart ${startSeconds.toFixed(1)} s)`,
          );
          // A worker or app that died with the server is restarted, and the exit is reported.
          if (stack.workerPid() === undefined || stack.exits.some((e) => e.name === 'worker' && !e.expected))
            await stack.startWorker().catch(() => undefined);
        }
        return [
          `Chaos: Temporal dev server outages, same SQLite file (WAL, synchronous=NORMAL): ${outages.join('; ')}.`,
        ];
      },
      async beforeVerify() {
        const deliveries = (
          await axios.get<{ data?: Delivery[] } | Delivery[]>(`${stack.json.pipedrive!.url}/__sim/deliveries`, {
            timeout: 30_000,
          })
        ).data;
        const list = Array.isArray(deliveries) ? deliveries : (deliveries.data ?? []);
        const by: Record<string, number> = {};
        for (const d of list)
          by[`attempt ${d.attempt} ${d.outcome}${d.http_status ? ` ${d.http_status}` : ''}`] =
            (by[`attempt ${d.attempt} ${d.outcome}${d.http_status ? ` ${d.http_status}` : ''}`] ?? 0) + 1;
        // Only the delivery health: the webhook's Basic-auth pair must not reach a results file.
        const webhooks = (
          (
            await axios.get<{ data: Array<Record<string, unknown>> }>(`${stack.json.pipedrive!.url}/__sim/webhooks`, {
              timeout: 30_000,
            })
          ).data.data ?? []
        ).map((w) => ({
          id: w.id,
          first_try_failures: w.first_try_failures,
          banned_until: w.banned_until,
          last_http_status: w.last_http_status,
        }));
        return [
          `Pipedrive webhook deliveries (simulator log, last 2,000 attempts only): ${JSON.stringify(by)}.`,
          `Webhooks after the run (ban counter, banned_until): ${JSON.stringify(webhooks)}.`,
        ];
      },
    });
    return {
      name: 'chaos-r2',
      passed: run.verify.passed,
      description: `R2: the Temporal dev server stopped (SIGTERM) and later killed (SIGKILL), each time down ${downMs / 1000} s and restarted on the same SQLite file, while ${count} deals arrive at ${rate}/s; then every deal checked.`,
      rows: [...run.rows, { check: 'Temporal outages', value: outages.length }],
      notes: [...run.notes, load.stop()],
    };
  } finally {
    load.stop();
    await stack.stop();
  }
}
