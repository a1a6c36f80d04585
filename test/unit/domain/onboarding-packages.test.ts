import { findOnboardingPackage, ONBOARDING_PACKAGE_CODES, ONBOARDING_PACKAGES } from '../../../domain/onboarding-packages';
import { resolvePackage } from '../../../domain/reference-resolution';
import { SEED_REFERENCE_DATA as REF } from './fixtures';

describe('onboarding package catalog', () => {
  test('codes, items and prices', () => {
    expect(ONBOARDING_PACKAGE_CODES).toEqual(['STARTER', 'GROWTH', 'ENTERPRISE']);
    const summary = Object.fromEntries(
      Object.values(ONBOARDING_PACKAGES).map((p) => [p.code, p.lines.map((l) => [l.itemId, l.seedInternalId, l.rate])]),
    );
    expect(summary).toEqual({
      STARTER: [['ONB-STARTER', '10', 1500]],
      GROWTH: [['ONB-GROWTH', '11', 4500]],
      ENTERPRISE: [
        ['ONB-ENTERPRISE', '12', 12000],
        ['SUB-ANNUAL', '20', 10000],
      ],
    });
  });

  test('catalog seed ids agree with the simulator seed reference data', () => {
    for (const pkg of Object.values(ONBOARDING_PACKAGES)) {
      for (const line of pkg.lines) expect(REF.items.find((i) => i.itemId === line.itemId)?.id).toBe(line.seedInternalId);
    }
  });

  test.each([
    ['growth', 'GROWTH'],
    [' Enterprise ', 'ENTERPRISE'],
    ['PLATINUM', undefined],
    ['toString', undefined],
    ['__proto__', undefined],
    [undefined, undefined],
  ])('findOnboardingPackage(%j) → %s', (raw, code) => {
    expect(findOnboardingPackage(raw)?.code).toBe(code);
  });

  test('resolvePackage maps lines to NetSuite items', () => {
    const r = resolvePackage('ENTERPRISE', REF.items);
    expect(r.ok && r.lines.map((l) => [l.item.id, l.rate, l.quantity])).toEqual([
      ['12', 12000, 1],
      ['20', 10000, 1],
    ]);
  });
});
