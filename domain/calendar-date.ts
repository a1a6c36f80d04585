/**
 * Calendar dates as `YYYY-MM-DD` strings (NetSuite `tranDate`, Pipedrive date fields) with pure UTC arithmetic:
 * no clock, no local time zone, so workflow replays compute the same dates on any machine.
 */
export type CalendarDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function fromUtcMs(ms: number): CalendarDate {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** `YYYY-MM-DD` of a real calendar day (rejects `2026-02-30`), else undefined. */
export function parseCalendarDate(raw: string | null | undefined): CalendarDate | undefined {
  const m = DATE.exec((raw ?? '').trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  const back = fromUtcMs(ms);
  return back === `${m[1]}-${m[2]}-${m[3]}` ? back : undefined;
}

/**
 * The UTC calendar date of an instant: `2026-01-31T23:30:00Z` → `2026-01-31`; a bare date passes through.
 * Undefined when unparseable. (UTC on purpose: the workflow has no business time zone to apply.)
 */
export function calendarDateOf(instantOrDate: string | null | undefined): CalendarDate | undefined {
  const raw = (instantOrDate ?? '').trim();
  if (raw === '') return undefined;
  const plain = parseCalendarDate(raw);
  if (plain !== undefined) return plain;
  // Require an explicit date-time with offset or Z: engine-specific parsing of other forms is not deterministic.
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(raw)) return undefined;
  const ms = Date.parse(raw.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : fromUtcMs(ms);
}

/** Adds whole days (negative allowed): `2026-01-31` + 1 → `2026-02-01`, `2024-02-28` + 1 → `2024-02-29`. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const parsed = parseCalendarDate(date);
  if (parsed === undefined) throw new RangeError(`not a calendar date: ${date}`);
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer: ${days}`);
  const [y, m, d] = parsed.split('-').map(Number) as [number, number, number];
  return fromUtcMs(Date.UTC(y, m - 1, d) + days * MS_PER_DAY);
}

/** Negative when a < b; ISO dates compare correctly as strings, this just says so. */
export function compareCalendarDates(a: CalendarDate, b: CalendarDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
