import { postalCodeRequired, validatePostalCode } from '../../../domain/validators/postal-code';

describe('validatePostalCode (multinational addresses)', () => {
  test.each([
    ['US', '94105', '94105'],
    ['US', '94105-1234', '94105-1234'],
    ['US', '941051234', '94105-1234'],
    ['GB', 'SW1A 1AA', 'SW1A 1AA'],
    ['GB', 'sw1a1aa', 'SW1A 1AA'],
    ['GB', 'M1 1AE', 'M1 1AE'],
    ['GB', 'EC1A 1BB', 'EC1A 1BB'],
    ['CA', 'K1A 0B1', 'K1A 0B1'],
    ['CA', 'k1a0b1', 'K1A 0B1'],
    ['NL', '1012 AB', '1012 AB'],
    ['NL', '1012ab', '1012 AB'],
    ['DE', '10115', '10115'],
    ['AU', '2000', '2000'],
    ['PL', '00-950', '00-950'],
    ['SE', '114 55', '114 55'],
    ['IE', 'D02 X285', 'D02 X285'],
    ['JP', '100-0001', '100-0001'],
  ])('%s %j → %j', (country, raw, normalized) => {
    expect(validatePostalCode(raw, country)).toEqual({ ok: true, normalized });
  });

  test.each([
    ['US', '9410'],
    ['US', 'ABCDE'],
    ['GB', '12345'],
    ['GB', 'SW1A 1A'],
    ['CA', 'D1A 0B1'],
    ['CA', '123456'],
    ['NL', '0123 AB'],
    ['NL', '1012 SA'],
    ['NL', '1012'],
    ['DE', '1011'],
    ['DE', '101155'],
    ['AU', '20000'],
  ])('%s %j is invalid', (country, raw) => {
    const r = validatePostalCode(raw, country);
    expect(r).toMatchObject({ ok: false, code: 'address.postal_code_invalid' });
    if (!r.ok) expect(r.suggestion).toMatch(/^Expected e\.g\./);
  });

  test('missing: required in countries with a rule, optional elsewhere', () => {
    expect(validatePostalCode('', 'DE')).toMatchObject({ ok: false, code: 'address.postal_code_missing' });
    expect(validatePostalCode(undefined, 'US')).toMatchObject({ ok: false, code: 'address.postal_code_missing' });
    expect(validatePostalCode('', 'IE')).toEqual({ ok: true, normalized: '' });
    expect(postalCodeRequired('GB')).toBe(true);
    expect(postalCodeRequired('IE')).toBe(false);
  });
});
