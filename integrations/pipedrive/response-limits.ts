/**
 * Bounds on what the Pipedrive client accepts from the other end: no redirects (the token rides in a header, and a
 * redirect would carry it to whatever host the answer names), answers of at most MAX_RESPONSE_BYTES, listings of at
 * most MAX_PAGES pages and no cursor twice (an answer that pages forever would otherwise hold an activity and its
 * memory without end), and ids in URL paths that are Pipedrive ids (digits), never `.`/`..` or a path.
 */
import { VendorError } from '../vendor-error';

/** A deal with every custom field and a 500-item page are well under 1 MB; 16 MB is room, not a budget. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** 1,000 pages of 500: half a million deals in one listing (reconciliation at 50,000 uses 100). */
export const MAX_PAGES = 1_000;

/** Counts pages of one listing; throws once it runs past MAX_PAGES or a cursor repeats. */
export function pageGuard(what: string, maxPages = MAX_PAGES): (next: string | number | undefined) => void {
  let pages = 0;
  const seen = new Set<string>();
  return (next) => {
    pages += 1;
    if (pages > maxPages)
      throw new VendorError(
        'pipedrive',
        'validation',
        `Pipedrive ${what}: more than ${maxPages} pages; stopped reading`,
        { code: 'too_many_pages' },
      );
    if (next === undefined) return;
    const key = String(next);
    if (seen.has(key))
      throw new VendorError(
        'pipedrive',
        'validation',
        `Pipedrive ${what}: the same page cursor came back twice; stopped reading`,
        { code: 'cursor_loop' },
      );
    seen.add(key);
  };
}

/** A Pipedrive id for a URL path: digits only (domain/webhook-v2.ts bounds them at the door; this holds for every caller). */
export function idSegment(id: string | number, what = 'id'): string {
  const s = String(id).trim();
  if (!/^\d{1,32}$/.test(s))
    throw new VendorError(
      'pipedrive',
      'validation',
      `Pipedrive ${what} must be digits (at most 32), got ${JSON.stringify(s.slice(0, 40))}`,
      { code: 'invalid_id' },
    );
  return s;
}
