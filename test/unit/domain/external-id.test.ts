import {
  deriveExternalId,
  EXTERNAL_ID_NAMESPACE,
  isValidExternalId,
  deriveChildExternalId,
} from '../../../domain/external-id';
import { invoiceExternalId } from '../../../domain/invoice-plan';

describe('isValidExternalId (NetSuite eid: and Temporal workflow id)', () => {
  test.each([
    ['pd-1b4e28ba-2fa1-51d2-883f-0016d3cca427', true],
    ['CID001', true],
    ['a', true],
    ['A_b-9', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['A|B', false],
    ['with space', false],
    ['dot.ted', false],
    ['slash/ed', false],
    ['ümlaut', false],
  ])('%j → %s', (id, expected) => {
    expect(isValidExternalId(id)).toBe(expected);
  });

  test('non-strings are invalid', () => {
    expect(isValidExternalId(42)).toBe(false);
    expect(isValidExternalId(undefined)).toBe(false);
  });
});

describe('deriveExternalId', () => {
  test('is stable: same company and deal give the same id, string or number ids alike', () => {
    const a = deriveExternalId({ companyId: '123', dealId: '746' });
    const b = deriveExternalId({ companyId: 123, dealId: 746 });
    expect(a).toBe(b);
    // Pinned value: a change here means every not-yet-written-back deal would get a second workflow.
    expect(a).toBe(deriveExternalId({ companyId: ' 123 ', dealId: '746' }));
    expect(a).toMatch(/^pd-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Independently computed: python3 uuid.uuid5(UUID(EXTERNAL_ID_NAMESPACE), '123:746').
    expect(a).toBe('pd-8f2c0417-34d4-5b1b-9fe5-36fc6f1c247e');
  });

  test('is valid as eid: and within 64 chars', () => {
    const id = deriveExternalId({ companyId: '9999999', dealId: '123456789' });
    expect(isValidExternalId(id)).toBe(true);
    expect(id.length).toBe(39);
  });

  test('differs by deal and by company', () => {
    const base = deriveExternalId({ companyId: '1', dealId: '2' });
    expect(deriveExternalId({ companyId: '1', dealId: '3' })).not.toBe(base);
    expect(deriveExternalId({ companyId: '2', dealId: '2' })).not.toBe(base);
    // the separator prevents "1:23" vs "12:3" collisions
    expect(deriveExternalId({ companyId: '1', dealId: '23' })).not.toBe(
      deriveExternalId({ companyId: '12', dealId: '3' }),
    );
  });

  test.each([
    ['CID-001', 'CID-001'],
    ['  CID-001  ', 'CID-001'],
  ])('keeps a valid existing id %j', (existing, expected) => {
    expect(deriveExternalId({ companyId: '1', dealId: '2', existing })).toBe(expected);
  });

  test.each([[''], ['A|B'], ['x'.repeat(65)], [null], [undefined]])('derives when existing is %j', (existing) => {
    expect(deriveExternalId({ companyId: '1', dealId: '2', existing })).toBe(
      deriveExternalId({ companyId: '1', dealId: '2' }),
    );
  });

  test('namespace is a fixed UUID', () => {
    expect(EXTERNAL_ID_NAMESPACE).toBe('b8a40298-99c5-49b7-b4e2-47f20e4ddfb9');
  });
});

describe('invoiceExternalId / deriveChildExternalId', () => {
  test('short ids are readable: inv-<externalId>-1', () => {
    expect(invoiceExternalId('pd-abc')).toBe('inv-pd-abc-1');
    const derived = deriveExternalId({ companyId: '1', dealId: '2' });
    expect(invoiceExternalId(derived)).toBe(`inv-${derived}-1`);
    expect(isValidExternalId(invoiceExternalId(derived))).toBe(true);
  });

  test('a 64-char external id still yields a valid, stable, distinct invoice id', () => {
    const long = 'L'.repeat(64);
    const inv = invoiceExternalId(long);
    expect(isValidExternalId(inv)).toBe(true);
    expect(inv.length).toBeLessThanOrEqual(64);
    expect(inv).toMatch(/^inv-[0-9a-f-]{36}-1$/);
    expect(invoiceExternalId(long)).toBe(inv);
    expect(invoiceExternalId('M'.repeat(64))).not.toBe(inv);
  });

  test('sequence is part of the id', () => {
    expect(invoiceExternalId('x', 2)).toBe('inv-x-2');
  });

  test('throws on affixes that can never be valid', () => {
    expect(() => deriveChildExternalId('bad prefix ', 'x', '')).toThrow();
  });
});
