/**
 * The KPI half of "nothing lost": after a run, ops-watch (the card, the alerts) must count every deal driven as
 * received exactly once, whatever was killed or stormed meanwhile. Asks ops-watch for a tick and reads its week
 * until the figure matches or the time is up; the last reading is reported either way.
 */
import type { Client } from '@temporalio/client';
import { OPS_WATCH_WORKFLOW_ID, opsStateQuery, opsTickSignal } from '../../ops/messages';

export interface KpiCheck {
  expectedReceived: number;
  received?: number;
  reviews?: number;
  /** The tick read every ledger shard (else the figures are the last complete read, or ops-watch's own). */
  shardsRead: boolean;
  passed: boolean;
  seconds: number;
  error?: string;
}

export async function verifyKpis(
  client: Client,
  expectedReceived: number,
  o: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<KpiCheck> {
  const started = Date.now();
  const deadline = started + (o.timeoutMs ?? 180_000);
  const handle = client.workflow.getHandle(OPS_WATCH_WORKFLOW_ID);
  let last: Omit<KpiCheck, 'seconds' | 'passed' | 'expectedReceived'> = { shardsRead: false };
  for (;;) {
    try {
      await handle.signal(opsTickSignal);
      await new Promise((r) => setTimeout(r, 2_000));
      const s = await handle.query(opsStateQuery);
      const fresh = Date.parse(s.facts?.gatheredAt ?? '') >= started;
      last = {
        received: s.week.received,
        reviews: Object.values(s.week.reviews).reduce((n, v) => n + v, 0),
        shardsRead: fresh && !s.facts?.ledgerShardsError && !!s.facts?.ledgerShards,
        ...(s.facts?.ledgerShardsError ? { error: s.facts.ledgerShardsError } : {}),
      };
      if (last.shardsRead && last.received === expectedReceived) break;
      o.log?.(
        `  KPIs so far: ${JSON.stringify({ ...last, gatheredAt: s.facts?.gatheredAt, lastTickAt: s.lastTickAt })}`,
      );
    } catch (err) {
      last = { ...last, error: ((err as Error).message ?? String(err)).split('\n')[0]! };
    }
    if (Date.now() > deadline) break;
  }
  return {
    expectedReceived,
    ...last,
    passed: last.shardsRead && last.received === expectedReceived,
    seconds: (Date.now() - started) / 1000,
  };
}

export function kpiRows(k: KpiCheck): Array<Record<string, string | number>> {
  return [
    {
      check: 'ops-watch KPIs: deals received this week = deals driven (every KPI event counted once)',
      value: k.passed
        ? `yes (${k.received}; ${Math.round(k.seconds)} s after asking)`
        : `NO: ${k.received ?? '?'} of ${k.expectedReceived}${k.shardsRead ? '' : ', ledger shards not read'}${k.error ? ` (${k.error})` : ''}`,
    },
  ];
}
