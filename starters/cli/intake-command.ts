/**
 * `npm run cli -- intake dead-letters [--json]` and `npm run cli -- intake replay <id>`: the deliveries Temporal
 * refused deterministically, which the intake's drainer set aside (starters/intake/outbox-drainer.ts). Reads the
 * outbox file under DATA_DIR directly (no Temporal connection), beside a running app: SQLite in WAL mode lets both
 * write. Output names ids and the refusal only, never the delivery's deal data.
 */
import { join } from 'node:path';
import { parseWebhookV2 } from '../../domain/webhook-v2';
import {
  getDeadLetter,
  listDeadLetters,
  OUTBOX_FILE,
  openOutboxFile,
  replayDeadLetter,
  type DeadLetter,
} from '../intake/outbox';

export class IntakeCommandError extends Error {}

export interface DeadLetterLine {
  id: number;
  deadAt: string;
  receivedAt: string;
  attempts: number;
  /** `meta.entity_id` as delivered (cut to 40 characters: a poison id can be megabytes). */
  dealId: string;
  eventId: string;
  reason: string;
}

const cut = (v: unknown, n: number): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v ?? null);
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
};

function lineOf(d: DeadLetter): DeadLetterLine {
  return {
    id: d.id,
    deadAt: d.deadAt.toISOString(),
    receivedAt: d.receivedAt.toISOString(),
    attempts: d.attempts,
    dealId: cut(d.event.meta?.entity_id, 40),
    eventId: cut(d.event.meta?.id, 80),
    reason: d.reason,
  };
}

export function formatDeadLetters(lines: DeadLetterLine[]): string {
  if (lines.length === 0) return 'no dead letters: every delivery was handled or is still being retried\n';
  const rows = lines.map((l) => `${l.id}\t${l.deadAt}\tdeal ${l.dealId}\tevent ${l.eventId}\n\t${l.reason}`);
  return `${lines.length} dead letter(s), newest first (replay one with: npm run cli -- intake replay <id>)\n${rows.join('\n')}\n`;
}

export function runIntakeCommand(
  dataDir: string,
  sub: string | undefined,
  arg: string | undefined,
): DeadLetterLine[] | { replayed: number; outboxRowId: number } {
  const path = join(dataDir, OUTBOX_FILE);
  if (sub !== 'dead-letters' && sub !== 'replay')
    throw new IntakeCommandError(`intake needs dead-letters or replay <id>, got ${sub ?? 'nothing'}`);
  const db = openOutboxFile(path);
  try {
    if (sub === 'dead-letters') return listDeadLetters(db).map(lineOf);
    if (!arg || !/^\d{1,15}$/.test(arg))
      throw new IntakeCommandError('intake replay needs the dead letter id (a number, from intake dead-letters)');
    const id = Number(arg);
    const found = getDeadLetter(db, id);
    if (!found)
      throw new IntakeCommandError(`no dead letter with id ${id} (npm run cli -- intake dead-letters lists them)`);
    // A delivery today's webhook would refuse (ids not digits or too long) would only be refused by Temporal again.
    const parsed = parseWebhookV2(found.event);
    if (!parsed.ok)
      throw new IntakeCommandError(
        `dead letter ${id} is not a valid delivery today and cannot start anything: ${parsed.issues.slice(0, 3).join('; ')}`,
      );
    const moved = replayDeadLetter(db, id);
    if (!moved) throw new IntakeCommandError(`dead letter ${id} was replayed or removed meanwhile`);
    return { replayed: id, outboxRowId: moved.newRowId };
  } finally {
    db.close();
  }
}
