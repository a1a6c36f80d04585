import { activeMapping } from '../../../domain/mapping/active-mapping';
import { findOnboardingPackage, onboardingPackages, packageCodes } from '../../../domain/onboarding-packages';
import { resolvePackage } from '../../../domain/reference-resolution';
import { SEED_REFERENCE_DATA as REF } from './fixtures';

describe('onboarding package catalog (mapping/default.yaml)', () => {
  const mapping = activeMapping();

  test('codes, items and prices come from the template', () => {
    expect(packageCodes(mapping)).toEqual(['STARTER', 'GROWTH', 'ENTERPRISE']);
    const summary = Object.fromEntries(
      onboardingPackages(mapping).map((p) => [p.code, p.lines.map((l) => [l.itemId, l.rate])]),
    );
    expect(summary).toEqual({
      STARTER: [['ONB-STARTER', 1500]],
      GROWTH: [['ONB-GROWTH', 4500]],
      ENTERPRISE: [
        ['ONB-ENTERPRISE', 12000],
        ['SUB-ANNUAL', 10000],
      ],
    });
  });

  test('every item the default template bills exists in the simulator seed reference data', () => {
    for (const pkg of onboardingPackages(mapping)) {
      for (const line of pkg.lines) expect(REF.items.find((i) => i.itemId === line.itemId)).toBeDefined();
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
    expect(findOnboardingPackage(raw, mapping)?.code).toBe(code);
  });

  test("a template's value map translates the company's own labels", () => {
    const custom = {
      ...mapping,
      fields: { ...mapping.fields, package: { ...mapping.fields.package, values: { 'Gold plan': 'ENTERPRISE' } } },
    };
    expect(findOnboardingPackage('gold  PLAN', custom)?.code).toBe('ENTERPRISE');
  });

  test('resolvePackage maps lines to NetSuite items', () => {
    const r = resolvePackage('ENTERPRISE', REF.items);
    expect(r.ok && r.lines.map((l) => [l.item.id, l.rate, l.quantity])).toEqual([
      ['12', 12000, 1],
      ['20', 10000, 1],
    ]);
  });
});
