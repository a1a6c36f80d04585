import { validateEmail } from '../../../domain/validators/email';

describe('validateEmail', () => {
  test.each([
    ['jane@acme.com', 'jane@acme.com'],
    ['  jane@acme.com  ', 'jane@acme.com'],
    ['Jane.Doe@ACME.COM', 'Jane.Doe@acme.com'],
    ['billing+onboarding@acme.co.uk', 'billing+onboarding@acme.co.uk'],
    ["o'brien@cafe.ie", "o'brien@cafe.ie"],
    ['ap_team-1@sub.example-corp.io', 'ap_team-1@sub.example-corp.io'],
    ['x@xn--mller-kva.de', 'x@xn--mller-kva.de'],
  ])('valid %j → %j', (raw, normalized) => {
    expect(validateEmail(raw)).toEqual({ ok: true, normalized });
  });

  test.each([
    ['', 'email.missing'],
    ['   ', 'email.missing'],
    [undefined, 'email.missing'],
    ['jane.acme.com', 'email.invalid'],
    ['jane@@acme.com', 'email.invalid'],
    ['ja@ne@acme.com', 'email.invalid'],
    ['@acme.com', 'email.invalid'],
    ['jane@', 'email.invalid'],
    ['jane@acme', 'email.invalid'],
    ['jane@acme.c', 'email.invalid'],
    ['jane@acme..com', 'email.invalid'],
    ['jane@-acme.com', 'email.invalid'],
    ['.jane@acme.com', 'email.invalid'],
    ['jane.@acme.com', 'email.invalid'],
    ['ja..ne@acme.com', 'email.invalid'],
    ['jane doe@acme.com', 'email.invalid'],
    ['jane@acme,com', 'email.invalid'],
    ['jürgen@müller.de', 'email.invalid'],
    ['"quoted"@acme.com', 'email.invalid'],
    [`${'a'.repeat(65)}@acme.com`, 'email.invalid'],
  ])('invalid %j → %s', (raw, code) => {
    const r = validateEmail(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(0);
    }
  });

  test('suggestions for common slips', () => {
    const comma = validateEmail('jane@acme,com');
    expect(comma.ok === false && comma.suggestion).toBe('Did you mean jane@acme.com?');
    const spaces = validateEmail('jane @acme.com');
    expect(spaces.ok === false && spaces.suggestion).toBe('Remove the spaces: jane@acme.com');
    const noTld = validateEmail('jane@acme');
    expect(noTld.ok === false && noTld.suggestion).toBe('Did you mean jane@acme.com?');
  });
});
