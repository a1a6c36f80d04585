/**
 * R6: no secret and no raw email or tax id in any log line. The check (r6-log-scan.ts) runs inside R4 and R5 on
 * every log line of the app, worker, Temporal and the simulators, with the app and worker at LOG_LEVEL=info; R6
 * reports their scans. When R4 or R5 did not run earlier in the same `npm run chaos` invocation, R6 runs them
 * (same quick or full size) to get one.
 */
import { logScans, scanKey as key } from './r6-log-scan';
import { r4WebhookStorm } from './r4-webhook-storm';
import { r5BadInput } from './r5-bad-input';
import type { ChaosResult } from './scenario';

export async function r6NoSecrets(quick: boolean): Promise<ChaosResult> {
  const ran: string[] = [];
  if (!logScans.has(key('R4', quick))) {
    ran.push('R4');
    await r4WebhookStorm(quick);
  }
  if (!logScans.has(key('R5', quick))) {
    ran.push('R5');
    await r5BadInput(quick);
  }
  const scans = (['R4', 'R5'] as const).map((id) => [id, logScans.get(key(id, quick))!] as const);
  const rows = scans.flatMap(([id, s]) => [
    { check: `${id}: log lines scanned (app, worker, Temporal, simulators)`, value: s.lines },
    {
      check: `${id}: values looked for (secrets / emails / tax ids)`,
      value: `${s.values.secrets} / ${s.values.emails} / ${s.values.taxIds}`,
    },
    { check: `${id}: secret hits`, value: s.hits.secrets },
    { check: `${id}: email hits`, value: s.hits.emails },
    { check: `${id}: tax id hits`, value: s.hits.taxIds },
  ]);
  return {
    name: 'chaos-r6',
    passed: scans.every(([, s]) => s.passed),
    description:
      "R6: no configured secret (tokens, passwords, Basic header, NetSuite TBA keys and secrets, Slack signing secret) and no email or tax id of the simulator's persons and organizations in any log line written during R4 (webhook storms) and R5 (bad input), app and worker at LOG_LEVEL=info.",
    rows,
    notes: [
      ran.length
        ? `Ran ${ran.join(' and ')} for this (not run earlier in the same invocation).`
        : 'Scans taken from R4 and R5 of the same invocation.',
      ...scans.map(
        ([id, s]) =>
          `${id}: ${s.sources.map((x) => `${x.name} ${x.lines} lines`).join(', ')}; hits ${JSON.stringify(s.hits)}${s.examples.length ? `: ${s.examples.join('; ')}` : ''}.`,
      ),
    ],
  };
}
