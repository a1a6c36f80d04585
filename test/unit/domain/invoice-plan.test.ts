import {
  invoiceExternalId,
  planFirstInvoice,
  type InvoicePlanResult,
  type PlanFirstInvoiceInput,
} from '../../../domain/invoice-plan';
import { isValidExternalId } from '../../../domain/external-id';
import { makeDeal, SEED_REFERENCE_DATA as REF } from './fixtures';

const EID = 'pd-8f2c0417-34d4-5b1b-9fe5-36fc6f1c247e';

function input(patch: Partial<PlanFirstInvoiceInput> = {}): PlanFirstInvoiceInput {
  return {
    externalId: EID,
    customerId: '647',
    deal: makeDeal(),
    ref: REF,
    defaultInvoiceDelayDays: 14,
    signedAt: '2026-03-10T14:00:00Z',
    ...patch,
  };
}
function planned(r: InvoicePlanResult) {
  if (!r.ok) throw new Error(`expected a plan, got ${r.reasons.map((x) => x.code).join(', ')}`);
  return r;
}
const reasonCodes = (r: InvoicePlanResult) => (r.ok ? [] : r.reasons.map((x) => x.code));

describe('planFirstInvoice', () => {
  test('GROWTH: full body', () => {
    const r = planned(planFirstInvoice(input()));
    expect(r.invoice).toEqual({
      externalId: `inv-${EID}-1`,
      entity: { id: '647' },
      subsidiary: { id: '1' },
      terms: { id: '2' },
      tranDate: '2026-03-24',
      memo: `Growth onboarding — Pipedrive deal 746 (${EID})`,
      item: {
        items: [{ item: { id: '11' }, quantity: 1, rate: 4500, amount: 4500, description: 'Growth onboarding' }],
      },
    });
    expect(r.invoiceDate).toBe('2026-03-24');
    expect(r.total).toBe(4500);
    expect(r.warnings).toEqual([]);
    expect(isValidExternalId(r.invoice.externalId)).toBe(true);
  });

  test.each([
    ['STARTER', [{ id: '10', rate: 1500 }], 1500],
    ['GROWTH', [{ id: '11', rate: 4500 }], 4500],
    [
      'ENTERPRISE',
      [
        { id: '12', rate: 12000 },
        { id: '20', rate: 10000 },
      ],
      22000,
    ],
  ])('%s lines and total', (onboardingPackage, lines, total) => {
    const r = planned(planFirstInvoice(input({ deal: makeDeal({ deal: { onboardingPackage } }) })));
    expect(r.invoice.item.items.map((l) => ({ id: l.item.id, rate: l.rate }))).toEqual(lines);
    for (const l of r.invoice.item.items) expect(l).toMatchObject({ quantity: 1, amount: l.rate });
    expect(r.total).toBe(total);
  });

  test('item ids come from NetSuite reference data, not the catalog seed', () => {
    const ref = { ...REF, items: REF.items.map((i) => (i.itemId === 'ONB-GROWTH' ? { ...i, id: '9001' } : i)) };
    expect(planned(planFirstInvoice(input({ ref }))).invoice.item.items[0]?.item).toEqual({ id: '9001' });
  });

  describe('invoice date', () => {
    test.each([
      ['signature + delay', '2026-03-10T14:00:00Z', 14, undefined, '2026-03-24'],
      ['month end rolls into next month', '2026-01-31T09:00:00Z', 1, undefined, '2026-02-01'],
      ['Jan 31 + 30 days, common year', '2026-01-31T09:00:00Z', 30, undefined, '2026-03-02'],
      ['Jan 31 + 30 days, leap year', '2024-01-31T09:00:00Z', 30, undefined, '2024-03-01'],
      ['Feb 28 + 1, leap year', '2024-02-28T09:00:00Z', 1, undefined, '2024-02-29'],
      ['Dec 31 + 1 crosses the year', '2026-12-31T23:59:59Z', 1, undefined, '2027-01-01'],
      ['signature late evening west of UTC counts in UTC', '2026-04-30T22:30:00-05:00', 0, undefined, '2026-05-01'],
      ['zero delay = signature day', '2026-03-10', 0, undefined, '2026-03-10'],
      ['explicit first invoice date wins', '2026-03-10T14:00:00Z', 14, '2026-04-01', '2026-04-01'],
      ['explicit month-end date kept', '2026-03-10T14:00:00Z', 14, '2026-04-30', '2026-04-30'],
    ])('%s', (_label, signedAt, defaultInvoiceDelayDays, firstInvoiceDate, expected) => {
      const r = planned(
        planFirstInvoice(input({ signedAt, defaultInvoiceDelayDays, deal: makeDeal({ deal: { firstInvoiceDate } }) })),
      );
      expect(r.invoice.tranDate).toBe(expected);
      expect(r.invoiceDate).toBe(expected);
    });

    test('explicit date before signature: planned, with a warning', () => {
      const r = planned(planFirstInvoice(input({ deal: makeDeal({ deal: { firstInvoiceDate: '2026-03-01' } }) })));
      expect(r.invoice.tranDate).toBe('2026-03-01');
      expect(r.warnings.map((w) => w.code)).toEqual(['invoice.date_before_signature']);
    });

    test.each([
      [
        'invalid explicit date',
        { deal: makeDeal({ deal: { firstInvoiceDate: '2026-02-30' } }) },
        'invoice.date_invalid',
      ],
      ['unparseable signature time', { signedAt: 'last Tuesday' }, 'invoice.signed_at_invalid'],
      ['negative delay', { defaultInvoiceDelayDays: -1 }, 'invoice.delay_invalid'],
      ['fractional delay', { defaultInvoiceDelayDays: 1.5 }, 'invoice.delay_invalid'],
    ])('%s ⇒ reason', (_label, patch, code) => {
      expect(reasonCodes(planFirstInvoice(input(patch)))).toEqual([code]);
    });
  });

  test('subsidiary and terms resolve as in the customer mapping', () => {
    const deal = makeDeal({ organization: { subsidiary: 'Acme UK Ltd', paymentTerms: 'Net 60' } });
    const r = planned(planFirstInvoice(input({ deal })));
    expect(r.invoice.subsidiary).toEqual({ id: '2' });
    expect(r.invoice.terms).toEqual({ id: '3' });
  });

  test('NetSuite-owned subsidiary/terms read back from the customer win over Pipedrive (docs/architecture.md#ownership)', () => {
    const deal = makeDeal({ organization: { subsidiary: 'Acme UK Ltd', paymentTerms: 'Net 60' } });
    const r = planned(planFirstInvoice(input({ deal, netsuiteCustomer: { subsidiaryId: '1', termsId: '4' } })));
    expect(r.invoice.subsidiary).toEqual({ id: '1' });
    expect(r.invoice.terms).toEqual({ id: '4' });
  });

  test('NetSuite-owned values also cover Pipedrive values that no longer resolve', () => {
    const deal = makeDeal({ organization: { subsidiary: 'Renamed Ltd', paymentTerms: 'Net 45' } });
    expect(planFirstInvoice(input({ deal })).ok).toBe(false);
    expect(
      planned(planFirstInvoice(input({ deal, netsuiteCustomer: { subsidiaryId: '2', termsId: '2' } }))).invoice
        .subsidiary,
    ).toEqual({ id: '2' });
  });

  test('collects every reason', () => {
    const deal = makeDeal({
      deal: { onboardingPackage: 'NOPE' },
      organization: { subsidiary: 'Nowhere', paymentTerms: 'Net 45' },
    });
    expect(reasonCodes(planFirstInvoice(input({ deal, customerId: ' ', externalId: 'a|b' }))).sort()).toEqual(
      [
        'external_id.invalid',
        'invoice.customer_missing',
        'subsidiary.unknown',
        'terms.unknown',
        'package.unknown',
      ].sort(),
    );
  });

  test('deterministic: the same input gives the same plan', () => {
    expect(planFirstInvoice(input())).toEqual(planFirstInvoice(input()));
  });

  test('invoiceExternalId of a 64-char external id stays a valid eid', () => {
    const long = 'z'.repeat(64);
    const r = planned(planFirstInvoice(input({ externalId: long })));
    expect(r.invoice.externalId).toBe(invoiceExternalId(long));
    expect(r.invoice.externalId.length).toBeLessThanOrEqual(64);
    expect(isValidExternalId(r.invoice.externalId)).toBe(true);
  });
});
