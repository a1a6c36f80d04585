/** The ledger shards' memory of applied events (ops/model/kpi-dedup.ts): a copy is refused, the memory stays bounded. */
import {
  DEDUP_WINDOW_MS,
  firstSighting,
  MAX_SEEN,
  pruneSeen,
  seenKey,
  type SeenEvents,
} from '../../../ops/model/kpi-dedup';
import type { KpiEvent } from '../../../ops/model/ledger';

const at = '2026-12-05T08:00:00.000Z';
const received = (externalId: string, id?: string): KpiEvent => ({
  kind: 'received',
  at,
  externalId,
  receivedAt: at,
  ...(id === undefined ? {} : { id }),
});

describe('KPI event dedup', () => {
  it('refuses a copy of an applied event, and tells events apart by deal and id', () => {
    const seen: SeenEvents = {};
    expect(firstSighting(seen, received('deal-1', 'run/9/received'), 1_000)).toBe(true);
    expect(firstSighting(seen, received('deal-1', 'run/9/received'), 2_000)).toBe(false);
    expect(firstSighting(seen, received('deal-2', 'run/9/received'), 2_000)).toBe(true);
    expect(firstSighting(seen, received('deal-1', 'run/30/received'), 2_000)).toBe(true);
    expect(Object.keys(seen)).toHaveLength(3);
  });

  it('applies every event without an id (runs from before the confirmed delivery) and remembers none', () => {
    const seen: SeenEvents = {};
    expect(firstSighting(seen, received('deal-1'), 1_000)).toBe(true);
    expect(firstSighting(seen, received('deal-1'), 1_000)).toBe(true);
    expect(seenKey(received('deal-1'))).toBeUndefined();
    expect(seen).toEqual({});
  });

  it('forgets what is older than the window, and the oldest beyond the cap', () => {
    const seen: SeenEvents = {};
    const now = 10 * DEDUP_WINDOW_MS;
    firstSighting(seen, received('old', 'a'), now - DEDUP_WINDOW_MS - 1);
    firstSighting(seen, received('recent', 'a'), now - DEDUP_WINDOW_MS + 1);
    pruneSeen(seen, now);
    expect(firstSighting(seen, received('old', 'a'), now)).toBe(true);
    expect(firstSighting(seen, received('recent', 'a'), now)).toBe(false);

    const full: SeenEvents = {};
    for (let i = 0; i < MAX_SEEN + 10; i += 1) firstSighting(full, received(`deal-${i}`, 'x'), now - 1_000 + i / 100);
    pruneSeen(full, now);
    expect(Object.keys(full)).toHaveLength(MAX_SEEN);
    // The newest stay: a late copy of a recent event is still refused.
    expect(firstSighting(full, received(`deal-${MAX_SEEN + 9}`, 'x'), now)).toBe(false);
    expect(firstSighting(full, received('deal-0', 'x'), now)).toBe(true);
  });

  it('gives 20,000 distinct events 20,000 distinct keys', () => {
    const keys = new Set(
      Array.from({ length: 20_000 }, (_, i) => seenKey(received(`pd-${i}`, `run/${i % 50}/received`))),
    );
    expect(keys.size).toBe(20_000);
  });
});
