import { abnChecksumOk, gbVatChecksumOk, validateTaxId } from '../../../domain/validators/tax-id';

describe('validateTaxId: valid numbers per scheme, with normalisation', () => {
  test.each([
    // US EIN
    ['12-3456789', 'US', '12-3456789', 'US_EIN'],
    ['123456789', 'US', '12-3456789', 'US_EIN'],
    [' 12 345 6789 ', 'US', '12-3456789', 'US_EIN'],
    // EU VAT, prefixed
    ['DE123456789', 'DE', 'DE123456789', 'EU_VAT'],
    ['DE 123 456 789', 'DE', 'DE123456789', 'EU_VAT'],
    ['de123456789', undefined, 'DE123456789', 'EU_VAT'],
    ['FR12345678901', 'FR', 'FR12345678901', 'EU_VAT'],
    ['FRXX123456789', 'FR', 'FRXX123456789', 'EU_VAT'],
    ['NL123456789B01', 'NL', 'NL123456789B01', 'EU_VAT'],
    ['NL.1234.56789.B01', 'NL', 'NL123456789B01', 'EU_VAT'],
    ['IE1234567T', 'IE', 'IE1234567T', 'EU_VAT'],
    ['IE1234567WA', 'IE', 'IE1234567WA', 'EU_VAT'],
    ['IE1A23456B', 'IE', 'IE1A23456B', 'EU_VAT'],
    ['ESX1234567X', 'ES', 'ESX1234567X', 'EU_VAT'],
    ['ESA12345678', 'ES', 'ESA12345678', 'EU_VAT'],
    ['IT12345678901', 'IT', 'IT12345678901', 'EU_VAT'],
    ['BE0123456789', 'BE', 'BE0123456789', 'EU_VAT'],
    ['BE 1234.567.890', 'BE', 'BE1234567890', 'EU_VAT'],
    ['SE123456789001', 'SE', 'SE123456789001', 'EU_VAT'],
    ['DK12345678', 'DK', 'DK12345678', 'EU_VAT'],
    ['PL1234567890', 'PL', 'PL1234567890', 'EU_VAT'],
    ['PL 123-456-78-90', 'PL', 'PL1234567890', 'EU_VAT'],
    ['ATU12345678', 'AT', 'ATU12345678', 'EU_VAT'],
    // EU VAT typed without prefix: the organization's country supplies it
    ['123456789', 'DE', 'DE123456789', 'EU_VAT'],
    ['123456789B01', 'NL', 'NL123456789B01', 'EU_VAT'],
    ['U12345678', 'AT', 'ATU12345678', 'EU_VAT'],
    ['XX123456789', 'FR', 'FRXX123456789', 'EU_VAT'],
    // A prefixed VAT number wins over the address country (the caller warns on the mismatch)
    ['DE123456789', 'US', 'DE123456789', 'EU_VAT'],
    // UK VAT (mod-97, both series), branch numbers, government departments, health authorities
    ['GB980780684', 'GB', 'GB980780684', 'GB_VAT'],
    ['GB 980 7806 84', 'GB', 'GB980780684', 'GB_VAT'],
    ['980780684', 'GB', 'GB980780684', 'GB_VAT'],
    ['GB100000089', 'GB', 'GB100000089', 'GB_VAT'],
    ['GB100000034', 'GB', 'GB100000034', 'GB_VAT'],
    ['GB980780684001', 'GB', 'GB980780684001', 'GB_VAT'],
    ['GBGD001', 'GB', 'GBGD001', 'GB_VAT'],
    ['GBHA599', 'GB', 'GBHA599', 'GB_VAT'],
    ['XI980780684', 'GB', 'XI980780684', 'GB_VAT'],
    // Canadian BN
    ['123456789', 'CA', '123456789', 'CA_BN'],
    ['123456789RT0001', 'CA', '123456789RT0001', 'CA_BN'],
    ['123456789 rt 0001', 'CA', '123456789RT0001', 'CA_BN'],
    // Australian ABN (ATO examples)
    ['51 824 753 556', 'AU', '51824753556', 'AU_ABN'],
    ['53004085616', 'AU', '53004085616', 'AU_ABN'],
  ])('%j in %s → %s (%s)', (raw, country, normalized, scheme) => {
    const r = validateTaxId(raw, country);
    expect(r).toMatchObject({ ok: true, normalized, scheme });
  });

  test('a country without a rule is accepted as typed, flagged UNVERIFIED', () => {
    expect(validateTaxId(' T1234567J ', 'SG')).toEqual({
      ok: true,
      normalized: 'T1234567J',
      scheme: 'UNVERIFIED',
      country: 'SG',
    });
  });
});

describe('validateTaxId: failures carry a code, a message and a suggestion', () => {
  test.each([
    ['', 'US', 'tax_id.missing'],
    ['   ', 'DE', 'tax_id.missing'],
    [undefined, 'US', 'tax_id.missing'],
    [null, undefined, 'tax_id.missing'],
    ['12-345678', 'US', 'tax_id.invalid_format'],
    ['12-34567890', 'US', 'tax_id.invalid_format'],
    ['00-1234567', 'US', 'tax_id.invalid_format'],
    ['AB-CDEFGHI', 'US', 'tax_id.invalid_format'],
    ['DE12345678', 'DE', 'tax_id.invalid_format'],
    ['DE1234567890', 'DE', 'tax_id.invalid_format'],
    ['FR1234567890', 'FR', 'tax_id.invalid_format'],
    ['FRIO123456789', 'FR', 'tax_id.invalid_format'],
    ['NL123456789001', 'NL', 'tax_id.invalid_format'],
    ['NL123456789B1', 'NL', 'tax_id.invalid_format'],
    ['IE12345678', 'IE', 'tax_id.invalid_format'],
    ['ES12345678', 'ES', 'tax_id.invalid_format'],
    ['ES123456789', 'ES', 'tax_id.invalid_format'],
    ['IT1234567890', 'IT', 'tax_id.invalid_format'],
    ['BE2123456789', 'BE', 'tax_id.invalid_format'],
    ['SE123456789002', 'SE', 'tax_id.invalid_format'],
    ['DK1234567', 'DK', 'tax_id.invalid_format'],
    ['PL123456789', 'PL', 'tax_id.invalid_format'],
    ['AT12345678', 'AT', 'tax_id.invalid_format'],
    ['ZZ123456789', 'DE', 'tax_id.invalid_format'],
    ['GB123456789', 'GB', 'tax_id.invalid_checksum'],
    ['GB980780685', 'GB', 'tax_id.invalid_checksum'],
    ['GB98078068', 'GB', 'tax_id.invalid_format'],
    ['GBGD500', 'GB', 'tax_id.invalid_format'],
    ['GBHA499', 'GB', 'tax_id.invalid_format'],
    ['12345678', 'CA', 'tax_id.invalid_format'],
    ['123456789XX0001', 'CA', 'tax_id.invalid_format'],
    ['123456789RT001', 'CA', 'tax_id.invalid_format'],
    ['51 824 753 557', 'AU', 'tax_id.invalid_checksum'],
    ['12345678901', 'AU', 'tax_id.invalid_checksum'],
    ['5182475355', 'AU', 'tax_id.invalid_format'],
    ['123456789', undefined, 'tax_id.country_unknown'],
  ])('%j in %s → %s', (raw, country, code) => {
    const r = validateTaxId(raw, country);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message).not.toBe('');
      expect(r.suggestion ?? '').not.toBe('');
    }
  });

  test('missing tax id says it is required for billing', () => {
    const r = validateTaxId('', 'US');
    expect(r).toMatchObject({ ok: false, code: 'tax_id.missing', message: 'Tax ID is required for billing.' });
  });
});

describe('checksums', () => {
  test.each([
    ['51824753556', true],
    ['53004085616', true],
    ['51824753557', false],
    ['11111111111', false],
    ['5182475355a', false],
  ])('ABN %s → %s', (abn, ok) => expect(abnChecksumOk(abn)).toBe(ok));

  test.each([
    ['980780684', true],
    ['100000089', true],
    ['100000034', true],
    ['123456789', false],
    ['100000088', false],
  ])('GB VAT %s → %s', (vat, ok) => expect(gbVatChecksumOk(vat)).toBe(ok));
});
