/**
 * `npm run cli -- shadow-report [--since ISO] [--json]`: what shadow mode would have written to NetSuite, read from
 * the ledger under DATA_DIR (the worker's disk), for comparison with the old connector's records before switching.
 * Needs no Temporal connection. Text output omits the bodies (customer data); --json has them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHADOW_LEDGER_FILE, ShadowLedger, type ShadowWrite } from '../../integrations/netsuite/shadow-ledger';

export interface ShadowReport {
  ledger: string;
  counts: Record<string, number>;
  writes: ShadowWrite[];
}

export function readShadowReport(dataDir: string, opts: { since?: string } = {}): ShadowReport {
  const file = join(dataDir, SHADOW_LEDGER_FILE);
  if (!existsSync(file)) return { ledger: file, counts: {}, writes: [] };
  const ledger = ShadowLedger.openFile(file);
  try {
    const writes = ledger.list(opts.since ? { since: opts.since } : {});
    const counts: Record<string, number> = {};
    for (const w of writes) counts[w.operation] = (counts[w.operation] ?? 0) + 1;
    return { ledger: file, counts, writes };
  } finally {
    ledger.close();
  }
}

export function formatShadowReport(r: ShadowReport): string {
  const lines = [`${r.writes.length} NetSuite writes recorded (shadow mode) in ${r.ledger}`];
  if (r.writes.length === 0)
    lines.push('  none: is SHADOW_MODE=true set for the worker, and has a deal been onboarded since?');
  for (const [op, n] of Object.entries(r.counts)) lines.push(`  ${op}: ${n}`);
  if (r.writes.length) lines.push('');
  for (const w of r.writes) {
    lines.push(
      `  ${w.lastRecordedAt}  ${w.method} ${w.path}  → would ${w.effect}${w.existingId ? ` (NetSuite id ${w.existingId})` : ''}; returned ${w.syntheticId}${w.attempts > 1 ? `; ${w.attempts} attempts` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
