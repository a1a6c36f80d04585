/**
 * Postal code formats for the countries we bill in most: a wrong zip is the classic cause of NetSuite address
 * and tax-nexus errors on multinational customers. Normalises case and the conventional space; countries without
 * a rule here are accepted as typed.
 */
import type { ValidationResult } from './validation-result';

interface PostalRule {
  pattern: RegExp;
  example: string;
  /** Canonical spacing, applied to the compact (no-space, upper-case) form after it matched. */
  format?: (compact: string) => string;
}

const RULES: Readonly<Record<string, PostalRule>> = {
  US: {
    pattern: /^\d{5}(?:-?\d{4})?$/,
    example: '94105 or 94105-1234',
    format: (c) => (c.length === 9 ? `${c.slice(0, 5)}-${c.slice(5)}` : c),
  },
  // Royal Mail outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code 9AA.
  GB: {
    pattern: /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/,
    example: 'SW1A 1AA',
    format: (c) => `${c.slice(0, -3)} ${c.slice(-3)}`,
  },
  // Canada Post: letters D F I O Q U never appear; W and Z not in first position.
  CA: {
    pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/,
    example: 'K1A 0B1',
    format: (c) => `${c.slice(0, 3)} ${c.slice(3)}`,
  },
  // PostNL: 4 digits (no leading zero) + 2 letters; SA, SD and SS are not issued.
  NL: {
    pattern: /^[1-9]\d{3}(?!SA|SD|SS)[A-Z]{2}$/,
    example: '1012 AB',
    format: (c) => `${c.slice(0, 4)} ${c.slice(4)}`,
  },
  DE: { pattern: /^\d{5}$/, example: '10115' },
  AU: { pattern: /^\d{4}$/, example: '2000' },
  FR: { pattern: /^\d{5}$/, example: '75001' },
  AT: { pattern: /^\d{4}$/, example: '1010' },
  BE: { pattern: /^\d{4}$/, example: '1000' },
  DK: { pattern: /^\d{4}$/, example: '1050' },
  ES: { pattern: /^\d{5}$/, example: '28001' },
  IT: { pattern: /^\d{5}$/, example: '00118' },
  PL: { pattern: /^\d{5}$/, example: '00-950', format: (c) => `${c.slice(0, 2)}-${c.slice(2)}` },
  SE: { pattern: /^\d{5}$/, example: '114 55', format: (c) => `${c.slice(0, 3)} ${c.slice(3)}` },
};

/** Countries where a postal code is mandatory for a billing address (Ireland's Eircode, e.g., is not). */
export function postalCodeRequired(country: string): boolean {
  return RULES[country] !== undefined;
}

export function validatePostalCode(raw: string | null | undefined, country: string): ValidationResult {
  const trimmed = (raw ?? '').trim();
  const rule = RULES[country];
  if (trimmed === '') {
    return rule === undefined
      ? { ok: true, normalized: '' }
      : {
          ok: false,
          code: 'address.postal_code_missing',
          message: `A ${country} billing address needs a postal code.`,
          suggestion: `e.g. ${rule.example}`,
        };
  }
  if (rule === undefined) return { ok: true, normalized: trimmed };
  // PL writes NN-NNN; elsewhere a dash is not part of the code (US ZIP+4 is re-formatted below).
  const compact = trimmed.toUpperCase().replace(/[\s-]/g, '');
  if (!rule.pattern.test(compact)) {
    return {
      ok: false,
      code: 'address.postal_code_invalid',
      message: `"${trimmed}" is not a valid ${country} postal code.`,
      suggestion: `Expected e.g. ${rule.example}.`,
    };
  }
  return { ok: true, normalized: rule.format ? rule.format(compact) : compact };
}
