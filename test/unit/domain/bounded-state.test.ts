import {
  AUDIT_TEXT_MAX_LENGTH,
  AUDIT_TRAIL_MAX_ENTRIES,
  boundAuditEntry,
  boundChangedFields,
  CHANGED_FIELD_MAX_LENGTH,
  CHANGED_FIELDS_MAX,
  foldAuditTrail,
  type AuditEntry,
} from '../../../domain/transaction';

const entry = (i: number, step = 'deal-updated'): AuditEntry => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  step,
  outcome: 'info',
  state: 'NEEDS_REVIEW',
  detail: `e${i}`,
});

describe('bounded state', () => {
  it('changedFields: at most CHANGED_FIELDS_MAX names of at most CHANGED_FIELD_MAX_LENGTH, the rest counted', () => {
    const fields = Array.from({ length: 5_000 }, (_, i) => `${'x'.repeat(1_000)}${i}`);
    const bounded = boundChangedFields(fields);
    expect(bounded).toHaveLength(CHANGED_FIELDS_MAX + 1);
    expect(bounded.slice(0, -1).every((f) => f.length <= CHANGED_FIELD_MAX_LENGTH)).toBe(true);
    expect(bounded.at(-1)).toBe(`…+${5_000 - CHANGED_FIELDS_MAX} more`);
    expect(boundChangedFields(['title', 'value'])).toEqual(['title', 'value']);
    expect(boundChangedFields('not a list')).toEqual([]);
    expect(boundChangedFields(['ok', 42, null])).toEqual(['ok']);
  });

  it('an audit entry has every text bounded', () => {
    const big = boundAuditEntry({
      ...entry(1),
      step: 's'.repeat(10_000),
      detail: 'd'.repeat(100_000),
      reason: 'r'.repeat(100_000),
      actor: 'a'.repeat(10_000),
      errorCode: 'e'.repeat(10_000),
    });
    expect(JSON.stringify(big).length).toBeLessThan(2 * AUDIT_TEXT_MAX_LENGTH + 4 * 128 + 200);
    expect(big.detail).toHaveLength(AUDIT_TEXT_MAX_LENGTH);
  });

  it('the trail keeps its newest entries and summarises the older ones: counts per step, first and last time', () => {
    const trail = [
      entry(0, 'received'),
      ...Array.from({ length: AUDIT_TRAIL_MAX_ENTRIES + 9 }, (_, i) => entry(i + 1)),
    ];
    const first = foldAuditTrail(trail, undefined);
    expect(first.trail).toHaveLength(AUDIT_TRAIL_MAX_ENTRIES);
    expect(first.trail.at(-1)).toEqual(trail.at(-1));
    expect(first.summary).toEqual({
      entries: 10,
      byStep: { received: 1, 'deal-updated': 9 },
      firstAt: trail[0]!.at,
      lastAt: trail[9]!.at,
    });
    const second = foldAuditTrail([...first.trail, entry(500)], first.summary);
    expect(second.summary).toMatchObject({
      entries: 11,
      byStep: { received: 1, 'deal-updated': 10 },
      firstAt: trail[0]!.at,
    });
    expect(foldAuditTrail(trail.slice(0, 5), undefined)).toEqual({ trail: trail.slice(0, 5), summary: undefined });
  });
});
