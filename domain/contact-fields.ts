/**
 * A person's name, e-mail and phone as NetSuite takes them, and the length check every mapped field gets: shared by
 * the customer mapping (customer-mapping.ts) and the billing contact (billing-contact.ts), which import it, not each
 * other.
 */
import type { ContactEntry } from './canonical-deal';
import { reviewReason, type ReviewReason } from './review-reason';
import { validateEmail } from './validators/email';

/** NetSuite's phone field limit: over it NetSuite answers USER_ERROR, so we catch it first. */
export const PHONE_MAX_LENGTH = 32;

/** Trim and collapse inner whitespace; every other character (accents, `&`, `'`, CJK) is kept as typed. */
export function cleanName(raw: string | undefined): string {
  return (raw ?? '').trim().replace(/\s+/g, ' ');
}

/** Truncates by code points so a CJK or emoji name is never cut inside a surrogate pair. */
export function truncateCodePoints(s: string, max: number): string {
  const points = Array.from(s);
  return points.length <= max ? s : points.slice(0, max).join('').trimEnd();
}

export type EmailSelection =
  { ok: true; email: string; warnings: ReviewReason[] } | { ok: false; reason: ReviewReason };

/**
 * The billing e-mail among a person's addresses: the primary one; when none is marked primary, the first valid
 * one. A malformed primary falls back to the first valid other address, with a warning so the reviewer sees it.
 */
export function selectBillingEmail(emails: readonly ContactEntry[]): EmailSelection {
  const field = 'person.emails';
  const present = emails.filter((e) => e.value.trim() !== '');
  if (present.length === 0) {
    return {
      ok: false,
      reason: reviewReason(
        field,
        'email.missing',
        'The contact person has no e-mail address: invoices cannot be sent.',
        { suggestion: "Add an e-mail address to the deal's person in Pipedrive." },
      ),
    };
  }
  const warnings: ReviewReason[] = [];
  const primary = present.find((e) => e.primary);
  if (primary !== undefined) {
    const v = validateEmail(primary.value);
    if (v.ok) return { ok: true, email: v.normalized, warnings };
    warnings.push(
      reviewReason(
        field,
        'email.primary_invalid',
        `The primary e-mail is invalid (${v.message}); another address was used.`,
        { value: primary.value, ...(v.suggestion ? { suggestion: v.suggestion } : {}) },
      ),
    );
  }
  const candidates = present.filter((e) => e !== primary);
  for (const e of candidates) {
    const v = validateEmail(e.value);
    if (v.ok) return { ok: true, email: v.normalized, warnings };
  }
  const first = present[0];
  const firstCheck = validateEmail(first?.value);
  return {
    ok: false,
    reason: reviewReason(
      field,
      'email.invalid',
      present.length === 1
        ? `The e-mail address is invalid: ${firstCheck.ok ? '' : firstCheck.message}`
        : `None of the ${present.length} e-mail addresses is valid.`,
      {
        suggestion:
          !firstCheck.ok && firstCheck.suggestion
            ? firstCheck.suggestion
            : "Correct the person's e-mail address in Pipedrive.",
        value: present.map((e) => e.value).join(', '),
      },
    ),
  };
}

/**
 * A value longer than NetSuite's limit for its field: a reason naming the field, the length and the limit, with the
 * value cut to the limit as the suggestion. Counted in code points, as NetSuite counts characters.
 */
export function lengthReason(
  path: string,
  what: string,
  value: string,
  limit: number | undefined,
  where: string,
): ReviewReason | undefined {
  const length = Array.from(value).length;
  if (limit === undefined || length <= limit) return undefined;
  return reviewReason(path, 'field.too_long', `${what} is ${length} characters; NetSuite accepts at most ${limit}.`, {
    suggestion: `Shorten it to ${limit} characters or fewer in ${where}, e.g. "${truncateCodePoints(value, limit)}".`,
    value,
  });
}

/** Primary phone, else the first one; dropped with a warning when it has fewer than 7 digits. */
export function selectPhone(
  phones: readonly ContactEntry[],
  maxLength = PHONE_MAX_LENGTH,
): { phone?: string; warnings: ReviewReason[] } {
  const present = phones.filter((p) => p.value.trim() !== '');
  const chosen = present.find((p) => p.primary) ?? present[0];
  if (chosen === undefined) return { warnings: [] };
  const phone = chosen.value.trim();
  if (phone.replace(/\D/g, '').length < 7) {
    return {
      warnings: [
        reviewReason(
          'person.phones',
          'phone.invalid',
          'Phone number has fewer than 7 digits; left out of the customer.',
          { value: phone },
        ),
      ],
    };
  }
  if (phone.length > maxLength) {
    return {
      warnings: [
        reviewReason(
          'person.phones',
          'phone.too_long',
          `Phone number is ${phone.length} characters, longer than NetSuite's ${maxLength}; left out of the customer.`,
          { value: phone },
        ),
      ],
    };
  }
  return { phone, warnings: [] };
}
