/**
 * R8: a vendor outage in the middle of a batch of deals. NetSuite answers 503 to every request (the simulator's
 * fault injector at errorRate 1, PATCH /__sim/faults) from the moment half the deals have arrived, for 10 minutes
 * (3 with --quick), then recovers. Expected (docs/architecture.md, "Vendor outages"): the worker's breaker opens,
 * the onboardings park in WAITING_FOR_VENDOR instead of burning retries, ops-watch opens exactly one incident and
 * resolves it when NetSuite is back, waking the waiting deals; every deal completes within 5 minutes of the
 * recovery; none goes to review for a transient cause; nothing lost or duplicated. R8P: the same with Pipedrive's API
 * answering 503 (sandbox/pipedrive/outage.ts; deals are still created and their webhooks still delivered).
 */
import axios from 'axios';
import { WebClient } from '@slack/web-api';
import { WORKFLOW_TYPE } from '../../domain/temporal-names';
import type { OpsWatchState } from '../../ops/model/ops-watch-state';
import { OPS_WATCH_WORKFLOW_ID } from '../../ops/messages';
import { startChaosStack } from './chaos-stack';
import { driveAndVerify, LoadSampler, log, runOptions, type ChaosResult } from './scenario';

const EXPECTED_REVIEW = 'tax_id.missing';

export async function r8VendorOutage(
  quick: boolean,
  vendor: 'netsuite' | 'pipedrive' = 'netsuite',
): Promise<ChaosResult> {
  const Vendor = vendor === 'netsuite' ? 'NetSuite' : 'Pipedrive';
  const count = runOptions.deals ?? (quick ? 100 : 300);
  const outageMs = (Number(process.env.R8_OUTAGE_MINUTES) || (quick ? 3 : 10)) * 60_000;
  const rate = 5;
  const load = new LoadSampler();
  const stack = await startChaosStack({ label: 'r8', netsuite: { faults: { latency: { minMs: 50, maxMs: 150 } } } });
  const nsAdmin = axios.create({ baseURL: stack.json.netsuite!.url, timeout: 30_000 });
  const slack = new WebClient(stack.json.slack!.botToken, { slackApiUrl: stack.json.slack!.url });
  let outageStart: number | undefined;
  let outageEnd: number | undefined;
  let peakWaiting = 0;
  const waitingSamples: string[] = [];
  const waitingNow = async (): Promise<number> =>
    (
      await stack.client.workflow.count(
        `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND OnboardingState = 'WAITING_FOR_VENDOR'`,
      )
    ).count;
  try {
    const run = await driveAndVerify(stack, {
      count,
      ratePerSecond: rate,
      concurrency: 10,
      reviewEvery: 20,
      settleTimeoutMs: outageMs + 20 * 60_000,
      // Nothing settles while NetSuite is down: the stall window must outlast the outage.
      stallMs: outageMs + 5 * 60_000,
      async chaos(done) {
        // Half the arrivals in, NetSuite goes down.
        await new Promise((r) => setTimeout(r, (count / rate / 2) * 1000));
        if (vendor === 'netsuite')
          await nsAdmin.patch('/__sim/faults', { errorRate: 1, errorStatuses: [503], retryAfterSeconds: null });
        else stack.pipedrive.setOutage(true);
        outageStart = Date.now();
        log(`${Vendor} down (503 to everything) for ${outageMs / 60_000} min`);
        while (Date.now() - outageStart < outageMs) {
          await new Promise((r) => setTimeout(r, 10_000));
          const w = await waitingNow().catch(() => -1);
          peakWaiting = Math.max(peakWaiting, w);
          waitingSamples.push(`${Math.round((Date.now() - outageStart) / 1000)}s:${w}`);
        }
        if (vendor === 'netsuite') await nsAdmin.patch('/__sim/faults', { errorRate: 0 });
        else stack.pipedrive.setOutage(false);
        outageEnd = Date.now();
        log(`${Vendor} back; ${peakWaiting} onboardings were waiting at the peak`);
        while (!done()) await new Promise((r) => setTimeout(r, 1_000));
        return [
          `Chaos: ${Vendor} answered 503 to every API request from ${new Date(outageStart).toISOString()} for ${outageMs / 60_000} min (half the arrivals in), then recovered.`,
          `WAITING_FOR_VENDOR during the outage (seconds in: count): ${waitingSamples.join(' ')}.`,
        ];
      },
      async beforeVerify() {
        const stats = (await nsAdmin.get('/__sim/stats')).data as Record<string, unknown>;
        return [
          `NetSuite simulator during the run: ${JSON.stringify({ total: stats.total, injectedErrors: stats.injectedErrors, throttled: stats.throttled, peakConcurrency: stats.peakConcurrency })}.`,
        ];
      },
    });
    // Give ops-watch a tick to resolve, should the settle have beaten it.
    let ops: OpsWatchState | undefined;
    for (let i = 0; i < 30; i++) {
      ops = await stack.client.workflow
        .getHandle(OPS_WATCH_WORKFLOW_ID)
        .query<OpsWatchState>('opsState')
        .catch(() => undefined);
      if (ops?.outages?.[vendor]?.resolvedAt) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const outage = ops?.outages?.[vendor];
    const history = await slack.conversations
      .history({ channel: stack.json.slack!.reviewChannel, limit: 1000 })
      .catch(() => ({ messages: [] }));
    const texts = (history.messages ?? []).map((m) => m.text ?? '');
    const triggers = texts.filter((t) => t.includes(`Vendor outage: ${vendor}`)).length;
    const resolves = texts.filter((t) => t.includes(`Resolved — ${vendor} is back`)).length;
    // When the last deal completed, against the recovery.
    let lastClose = 0;
    for await (const wf of stack.client.workflow.list({
      query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed'`,
    })) {
      lastClose = Math.max(lastClose, wf.closeTime?.getTime() ?? 0);
    }
    const afterRecoveryS = outageEnd ? Math.round((lastClose - outageEnd) / 100) / 10 : Number.NaN;
    const transientReviews = Object.entries(run.verify.reviewReasons)
      .filter(([r]) => r !== EXPECTED_REVIEW)
      .reduce((a, [, n]) => a + n, 0);
    const checks = {
      transientReviews: transientReviews === 0,
      oneIncident: triggers === 1 && resolves === 1,
      within5Min: afterRecoveryS <= 300,
      allSettled: run.settle.settled,
    };
    const passed = run.verify.passed && Object.values(checks).every(Boolean);
    return {
      name: vendor === 'netsuite' ? 'chaos-r8' : 'chaos-r8-pipedrive',
      passed,
      description: `R8${vendor === 'netsuite' ? '' : 'P'}: ${count} onboardings; ${Vendor} answers 503 to everything for ${outageMs / 60_000} min from the moment half of them have arrived, then recovers; then every deal checked.`,
      rows: [
        ...run.rows,
        { check: 'reviews for transient causes (anything but tax_id.missing)', value: transientReviews },
        { check: 'WAITING_FOR_VENDOR at the peak (sampled every 10 s)', value: peakWaiting },
        { check: 'incident messages to the billing lead: opened / resolved', value: `${triggers} / ${resolves}` },
        {
          check: `ops-watch outage record (${vendor})`,
          value: outage
            ? `since ${outage.since}, resolved ${outage.resolvedAt ?? 'no'}, resumed ${outage.resumed ?? '?'}, peak waiting ${outage.peakWaiting}`
            : 'none',
        },
        { check: 'seconds from recovery to the last deal completed', value: afterRecoveryS },
        {
          check: 'verdict: 0 transient reviews, one incident, all done within 5 min of recovery',
          value: Object.values(checks).every(Boolean) ? 'PASS' : `FAIL ${JSON.stringify(checks)}`,
        },
      ],
      notes: [
        ...run.notes,
        `Incident texts: ${JSON.stringify(texts.filter((t) => t.includes(`${vendor} `)).map((t) => t.split('\n')[0]))}.`,
        load.stop(),
      ],
    };
  } finally {
    load.stop();
    await stack.stop();
  }
}
