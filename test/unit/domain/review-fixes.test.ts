/**
 * A reviewer's fix is a signal anyone with Temporal access can send: only allow-listed paths with valid values are
 * applied, prototype keys never reach Object.prototype (checked by running the fix, as the snippet did), and
 * invalid values of Pipedrive-owned fields are never planned for the write-back.
 */
import {
  applyFixes,
  checkFixes,
  FIXABLE_PATHS,
  pipedriveOwnedFixes,
  pipedriveWriteBackPlan,
  unvalidatedPipedriveOwnedFixes,
} from '../../../domain/review-fixes';
import { makeDeal } from './fixtures';

const polluted = (): unknown[] =>
  ['polluted', 'x', 'y', 'hacked']
    .map((k) => (Object.prototype as Record<string, unknown>)[k])
    .filter((v) => v !== undefined);

describe('applyFixes: allow-listed paths only', () => {
  afterEach(() => {
    for (const k of ['polluted', 'x', 'y', 'hacked']) delete (Object.prototype as Record<string, unknown>)[k];
  });

  test.each([
    'deal.__proto__.polluted',
    '__proto__.polluted',
    'person.__proto__.x',
    'organization.address.__proto__.y',
    'deal.constructor.prototype.hacked',
    'organization.constructor.prototype.polluted',
    'deal.prototype.polluted',
  ])('%s does not pollute Object.prototype and is refused with a reason', (path) => {
    const deal = makeDeal();
    const fixed = applyFixes(deal, { [path]: 'pwned' });
    expect(polluted()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fixed).toEqual(deal);
    expect(checkFixes({ [path]: 'pwned' })).toEqual({
      accepted: {},
      refused: [{ path, reason: 'not a field a fix may change' }],
    });
  });

  test('a fix object whose own key is __proto__ (as JSON.parse makes it) is refused too', () => {
    const fixes = JSON.parse('{"__proto__": {"polluted": "yes"}, "organization.taxId": "DE123456789"}') as Record<
      string,
      string
    >;
    const fixed = applyFixes(makeDeal(), fixes);
    expect(polluted()).toEqual([]);
    expect(fixed.organization?.taxId).toBe('DE123456789');
    expect(checkFixes(fixes).refused).toEqual([{ path: '__proto__', reason: 'not a field a fix may change' }]);
  });

  test.each([
    'deal.id',
    'deal.externalId',
    'deal.stageId',
    'deal.status',
    'organization.id',
    'person.id',
    'deal.mapping',
    'deal.attribution.campaign',
    'netsuite.customerId',
    'deal',
    'organization.address',
  ])('a path outside the allow-list (%s) is not applied', (path) => {
    const deal = makeDeal();
    expect(applyFixes(deal, { [path]: '999' })).toEqual(deal);
    expect(checkFixes({ [path]: '999' }).refused[0]?.reason).toBe('not a field a fix may change');
  });

  test('allowed paths apply, trimmed; phones and e-mails stay lists with the fix first', () => {
    const deal = makeDeal();
    const fixed = applyFixes(deal, {
      'organization.taxId': ' DE123456789 ',
      'organization.address.postalCode': '10115',
      'person.phones': '+49 30 1234',
      'person.email': 'new@acme.example',
    });
    expect(fixed.organization?.taxId).toBe('DE123456789');
    expect(fixed.organization?.address?.postalCode).toBe('10115');
    expect(fixed.person?.phones[0]).toEqual({ value: '+49 30 1234', primary: true, label: 'work' });
    expect(fixed.person?.emails[0]).toEqual({ value: 'new@acme.example', primary: true, label: 'work' });
    expect(deal.organization?.taxId).not.toBe('DE123456789');
  });

  test('values are checked per field, each refusal saying why', () => {
    const check = checkFixes({
      'person.email': 'not an email',
      'deal.firstInvoiceDate': '12/01/2026',
      'deal.currency': 'euro',
      'organization.name': ' ',
      'deal.title': 'x'.repeat(300),
      'person.phones': 'call me',
      'organization.taxId': 7,
    });
    expect(check.accepted).toEqual({});
    expect(Object.fromEntries(check.refused.map((r) => [r.path, r.reason]))).toEqual({
      'person.email': expect.stringMatching(/^value E-mail address contains spaces/),
      'deal.firstInvoiceDate': 'value is not a date (YYYY-MM-DD)',
      'deal.currency': 'value is not a three-letter currency code (e.g. EUR)',
      'organization.name': 'value is empty',
      'deal.title': 'value is 300 characters; at most 255',
      'person.phones': expect.stringMatching(/not a phone number/),
      'organization.taxId': 'value is not text',
    });
    expect(
      checkFixes(Object.fromEntries(Array.from({ length: 41 }, (_, i) => [i === 40 ? 'deal.title' : `x.${i}`, 'v'])))
        .refused,
    ).toHaveLength(41);
    expect(checkFixes(null)).toEqual({ accepted: {}, refused: [] });
  });

  test('every path a review reason names for a value is fixable (the fix modal offers those)', () => {
    for (const path of [
      'organization.taxId',
      'organization.subsidiary',
      'organization.paymentTerms',
      'organization.address.country',
      'organization.address.postalCode',
      'person.email',
      'person.phones',
      'deal.csmUserId',
      'deal.billingOwner',
      'deal.firstInvoiceDate',
      'deal.currency',
      'deal.onboardingPackage',
      'deal.expectedTimeToValue',
    ]) {
      expect(FIXABLE_PATHS.has(path)).toBe(true);
    }
  });
});

describe('write-back of Pipedrive-owned fixes: validated first', () => {
  test('an invalid value of a Pipedrive-owned field is never planned for Pipedrive', () => {
    const fixes = {
      'person.email': 'bob@@acme',
      'organization.name': 'Acme GmbH',
      'deal.title': '',
      'deal.__proto__.title': 'x',
    };
    const plan = pipedriveWriteBackPlan(fixes);
    expect(plan.writes.map((w) => w.path)).toEqual(['organization.name']);
    expect(plan.invalid.map((r) => r.path).sort()).toEqual(['deal.title', 'person.email']);
    expect(pipedriveOwnedFixes(fixes)).toEqual({ 'organization.name': 'Acme GmbH' });
    // What runs from before the check wrote back (kept for their replay): the invalid e-mail included.
    expect(unvalidatedPipedriveOwnedFixes(fixes)).toEqual({
      'person.email': 'bob@@acme',
      'organization.name': 'Acme GmbH',
      'deal.title': '',
    });
  });
});
