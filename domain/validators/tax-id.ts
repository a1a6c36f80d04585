/**
 * Tax registration numbers, per scheme: format (and checksum where the scheme publishes a simple one: UK VAT
 * mod-97, Australian ABN). EU VAT numbers are format-checked only; VIES is I/O and belongs in an activity.
 *
 * The scheme comes from the number's own prefix when it has one (`DE…`, `GB…`), else from the organization's
 * country. Normalisation removes spaces, dots and dashes, upper-cases, and adds the EU/UK country prefix when it
 * was left out; EIN is re-formatted `NN-NNNNNNN`, the form the IRS prints.
 */
import type { ValidationResult } from './validation-result';

export type TaxIdScheme =
  | 'US_EIN'
  | 'EU_VAT'
  | 'GB_VAT'
  | 'CA_BN'
  | 'AU_ABN'
  /** A country we have no rule for: accepted as typed (whitespace-trimmed), the mapping flags it as unverified. */
  | 'UNVERIFIED';

export type TaxIdValidation = ValidationResult<{ scheme: TaxIdScheme; country: string | undefined }>;

interface VatFormat {
  pattern: RegExp;
  example: string;
}

/** Body after the 2-letter prefix, per the EU VAT formats (European Commission VIES FAQ). */
const EU_VAT_FORMATS: Readonly<Record<string, VatFormat>> = {
  AT: { pattern: /^U\d{8}$/, example: 'ATU12345678' },
  BE: { pattern: /^[01]\d{9}$/, example: 'BE0123456789' },
  DE: { pattern: /^\d{9}$/, example: 'DE123456789' },
  DK: { pattern: /^\d{8}$/, example: 'DK12345678' },
  ES: { pattern: /^(?=.*[A-Z])[A-Z0-9]\d{7}[A-Z0-9]$/, example: 'ESX1234567X' },
  FR: { pattern: /^[0-9A-HJ-NP-Z]{2}\d{9}$/, example: 'FR12345678901' },
  IE: { pattern: /^(?:\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/, example: 'IE1234567T' },
  IT: { pattern: /^\d{11}$/, example: 'IT12345678901' },
  NL: { pattern: /^\d{9}B\d{2}$/, example: 'NL123456789B01' },
  PL: { pattern: /^\d{10}$/, example: 'PL1234567890' },
  SE: { pattern: /^\d{10}01$/, example: 'SE123456789001' },
};

/** Greece uses `EL` in VAT numbers although its ISO code is GR. */
const VAT_PREFIX_TO_COUNTRY: Readonly<Record<string, string>> = { EL: 'GR' };

export const SUPPORTED_TAX_ID_COUNTRIES = ['US', 'GB', 'CA', 'AU', ...Object.keys(EU_VAT_FORMATS)] as const;

/** Every tax id failure carries a suggestion: the reviewer always gets a next step. */
function fail(code: string, message: string, suggestion: string): TaxIdValidation {
  return { ok: false, code, message, suggestion };
}

/** Spaces, dots and dashes are presentation only in every scheme handled here. */
function compact(raw: string): string {
  return raw.replace(/[\s.-]/g, '').toUpperCase();
}

const EIN_INVALID_PREFIXES = new Set([
  '00',
  '07',
  '08',
  '09',
  '17',
  '18',
  '19',
  '28',
  '29',
  '49',
  '69',
  '70',
  '78',
  '79',
  '89',
  '96',
  '97',
]);

function validateEin(c: string): TaxIdValidation {
  if (!/^\d{9}$/.test(c)) {
    return fail('tax_id.invalid_format', 'A US EIN has 9 digits.', 'Use the form NN-NNNNNNN, e.g. 12-3456789.');
  }
  if (EIN_INVALID_PREFIXES.has(c.slice(0, 2))) {
    return fail(
      'tax_id.invalid_format',
      `EIN prefix ${c.slice(0, 2)} is not assigned by the IRS.`,
      'Check the EIN on the W-9.',
    );
  }
  return { ok: true, normalized: `${c.slice(0, 2)}-${c.slice(2)}`, scheme: 'US_EIN', country: 'US' };
}

/** HMRC mod-97: weights 8..2 on the first 7 digits plus the 2 check digits ≡ 0, or ≡ 42 (the "9755" series). */
export function gbVatChecksumOk(nineDigits: string): boolean {
  const d = nineDigits.split('').map(Number);
  const weighted = [8, 7, 6, 5, 4, 3, 2].reduce((sum, w, i) => sum + w * (d[i] ?? 0), 0);
  const check = Number(nineDigits.slice(7, 9));
  const total = weighted + check;
  return total % 97 === 0 || (total + 55) % 97 === 0;
}

function validateGbVat(body: string): TaxIdValidation {
  const ok = (normalized: string): TaxIdValidation => ({ ok: true, normalized, scheme: 'GB_VAT', country: 'GB' });
  const gd = /^GD(\d{3})$/.exec(body);
  if (gd) {
    return Number(gd[1]) < 500
      ? ok(`GB${body}`)
      : fail(
          'tax_id.invalid_format',
          'UK government department numbers are GBGD000–GBGD499.',
          'Check the number on the VAT certificate.',
        );
  }
  const ha = /^HA(\d{3})$/.exec(body);
  if (ha) {
    return Number(ha[1]) >= 500
      ? ok(`GB${body}`)
      : fail(
          'tax_id.invalid_format',
          'UK health authority numbers are GBHA500–GBHA999.',
          'Check the number on the VAT certificate.',
        );
  }
  if (!/^(\d{9}|\d{12})$/.test(body)) {
    return fail(
      'tax_id.invalid_format',
      'A UK VAT number is GB + 9 digits, GB + 12 digits, GBGD + 3 digits or GBHA + 3 digits.',
      'e.g. GB123456789 or GB123456789001.',
    );
  }
  if (!gbVatChecksumOk(body.slice(0, 9))) {
    return fail(
      'tax_id.invalid_checksum',
      'UK VAT number check digits do not match (HMRC mod-97).',
      'Re-type it from the VAT certificate.',
    );
  }
  return ok(`GB${body}`);
}

function validateEuVat(country: string, body: string, prefix: string): TaxIdValidation {
  const format = EU_VAT_FORMATS[country];
  if (format === undefined)
    return fail('tax_id.unsupported', `No VAT format known for ${country}.`, 'Ask billing ops to add the scheme.');
  if (!format.pattern.test(body)) {
    return fail(
      'tax_id.invalid_format',
      `Not a valid ${country} VAT number format.`,
      `Expected e.g. ${format.example}.`,
    );
  }
  return { ok: true, normalized: `${prefix}${body}`, scheme: 'EU_VAT', country };
}

/** Business Number: 9 digits, optionally a program account (RT GST/HST, RP payroll, RC corporate, …) + 4 digits. */
function validateCaBn(c: string): TaxIdValidation {
  const m = /^(\d{9})(?:([A-Z]{2})(\d{4}))?$/.exec(c);
  if (!m) {
    return fail(
      'tax_id.invalid_format',
      'A Canadian Business Number is 9 digits, optionally followed by a program account.',
      'e.g. 123456789 or 123456789RT0001.',
    );
  }
  if (m[2] !== undefined && !['RT', 'RP', 'RC', 'RM', 'RR', 'RZ'].includes(m[2])) {
    return fail(
      'tax_id.invalid_format',
      `"${m[2]}" is not a CRA program identifier.`,
      'Use RT (GST/HST), RP, RC, RM, RR or RZ.',
    );
  }
  return { ok: true, normalized: c, scheme: 'CA_BN', country: 'CA' };
}

/** ATO algorithm: subtract 1 from the first digit, weight 10,1,3,5,…,19, the sum must be divisible by 89. */
export function abnChecksumOk(elevenDigits: string): boolean {
  if (!/^\d{11}$/.test(elevenDigits)) return false;
  const weights = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  const digits = elevenDigits.split('').map(Number);
  digits[0] = (digits[0] ?? 0) - 1;
  return weights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0) % 89 === 0;
}

function validateAbn(c: string): TaxIdValidation {
  if (!/^\d{11}$/.test(c))
    return fail('tax_id.invalid_format', 'An Australian ABN has 11 digits.', 'e.g. 51 824 753 556.');
  if (!abnChecksumOk(c)) {
    return fail(
      'tax_id.invalid_checksum',
      'ABN check digits do not match (ATO weighted checksum).',
      'Look the ABN up on abr.business.gov.au.',
    );
  }
  return { ok: true, normalized: c, scheme: 'AU_ABN', country: 'AU' };
}

/**
 * Validates `raw` for `country` (ISO-2 of the organization, may be undefined). A prefixed VAT number
 * (`DE…`, `GB…`, `EL…`) is validated by its prefix even if the country differs; the caller may warn on the mismatch.
 */
export function validateTaxId(raw: string | null | undefined, country?: string | null): TaxIdValidation {
  const trimmed = (raw ?? '').trim();
  if (trimmed === '') {
    return fail(
      'tax_id.missing',
      'Tax ID is required for billing.',
      'Fill the organization\'s "Tax ID" field in Pipedrive.',
    );
  }
  const c = compact(trimmed);
  const cc = (country ?? '').trim().toUpperCase() || undefined;

  const prefix = c.slice(0, 2);
  const prefixCountry = VAT_PREFIX_TO_COUNTRY[prefix] ?? prefix;
  if (prefix === 'GB' || prefix === 'XI') {
    // XI = Northern Ireland VAT under the Windsor Framework: same body and checksum as GB.
    const result = validateGbVat(c.slice(2));
    return result.ok && prefix === 'XI' ? { ...result, normalized: `XI${c.slice(2)}` } : result;
  }
  if (/^[A-Z]{2}/.test(c) && EU_VAT_FORMATS[prefixCountry] !== undefined) {
    return validateEuVat(prefixCountry, c.slice(2), prefix);
  }

  switch (cc) {
    case 'US':
      return validateEin(c);
    case 'GB':
      return validateGbVat(c);
    case 'CA':
      return validateCaBn(c);
    case 'AU':
      return validateAbn(c);
    case undefined:
      return fail(
        'tax_id.country_unknown',
        'Cannot tell which tax scheme this number belongs to: no country prefix and no organization country.',
        'Add the country to the organization address, or prefix the VAT number with its country code.',
      );
    default:
      if (EU_VAT_FORMATS[cc] !== undefined) {
        // Typed without its prefix (the form on many invoices): validate the body, store it prefixed.
        const result = validateEuVat(cc, c, cc === 'GR' ? 'EL' : cc);
        if (!result.ok && /^[A-Z]{2}/.test(c)) {
          return fail(
            'tax_id.invalid_format',
            `"${prefix}" is not an EU VAT country prefix and the number is not a valid ${cc} VAT number.`,
            `Expected e.g. ${EU_VAT_FORMATS[cc]?.example}.`,
          );
        }
        return result;
      }
      return { ok: true, normalized: trimmed, scheme: 'UNVERIFIED', country: cc };
  }
}
