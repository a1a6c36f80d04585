/**
 * Pragmatic e-mail syntax check (RFC 5322 dot-atom subset, the part real billing addresses use): no quoted local
 * parts, no IP-literal domains, ASCII only. Trims and lower-cases the domain (the local part is case-sensitive
 * in theory, so it is left alone). No DNS: this is pure code run inside the workflow.
 */
import type { ValidationResult } from './validation-result';

/** RFC 5322 atext (letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~) separated by single dots. */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** LDH label: letters, digits, inner hyphens, 1..63 chars. */
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Top-level domain: letters (≥ 2) or an IDN A-label. */
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export type EmailValidation = ValidationResult;

function fail(code: string, message: string, suggestion?: string): EmailValidation {
  return suggestion === undefined ? { ok: false, code, message } : { ok: false, code, message, suggestion };
}

export function validateEmail(raw: string | null | undefined): EmailValidation {
  const input = (raw ?? '').trim();
  if (input === '') return fail('email.missing', 'No e-mail address.');
  if (/\s/.test(input)) {
    return fail('email.invalid', 'E-mail address contains spaces.', `Remove the spaces: ${input.replace(/\s+/g, '')}`);
  }
  if (/[^\x21-\x7e]/.test(input)) {
    return fail(
      'email.invalid',
      'E-mail address contains non-ASCII characters.',
      'Use the ASCII (punycode) form of the address.',
    );
  }
  const at = input.lastIndexOf('@');
  if (at < 0) return fail('email.invalid', 'E-mail address has no "@".', 'Use the form name@company.com.');
  if (input.indexOf('@') !== at) return fail('email.invalid', 'E-mail address has more than one "@".');
  const local = input.slice(0, at);
  const domain = input.slice(at + 1).toLowerCase();
  if (local === '') return fail('email.invalid', 'E-mail address has nothing before "@".');
  if (local.length > 64) return fail('email.invalid', 'The part before "@" is longer than 64 characters.');
  if (!LOCAL_PART.test(local)) {
    return fail('email.invalid', `"${local}" is not a valid mailbox name (check dots and special characters).`);
  }
  if (domain === '') return fail('email.invalid', 'E-mail address has no domain after "@".');
  if (domain.includes(',')) {
    return fail('email.invalid', 'The domain contains a comma.', `Did you mean ${local}@${domain.replace(/,/g, '.')}?`);
  }
  const labels = domain.split('.');
  if (labels.length < 2) {
    return fail('email.invalid', `"${domain}" has no top-level domain.`, `Did you mean ${local}@${domain}.com?`);
  }
  if (domain.length > 253 || !labels.every((l) => DOMAIN_LABEL.test(l)) || !TLD.test(labels[labels.length - 1] ?? '')) {
    return fail('email.invalid', `"${domain}" is not a valid domain.`);
  }
  const normalized = `${local}@${domain}`;
  if (normalized.length > 254) return fail('email.invalid', 'E-mail address is longer than 254 characters.');
  return { ok: true, normalized };
}
