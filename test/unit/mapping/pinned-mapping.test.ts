/**
 * A run's template is the one its fetch read the deal with: validation and the invoice plan use the deal's pinned
 * snapshot, not the worker's current file, so a template edit never splits one attempt across two templates.
 */
import { mapToNetSuiteCustomer } from '../../../domain/customer-mapping';
import { planFirstInvoice } from '../../../domain/invoice-plan';
import { activeMapping } from '../../../domain/mapping/active-mapping';
import type { MappingSnapshot } from '../../../domain/mapping/schema';
import { makeDeal, SEED_REFERENCE_DATA as REF } from '../domain/fixtures';

describe('mapping pinned on the deal', () => {
  const current = activeMapping();
  // The template as it was when the deal was fetched: other default terms and another GROWTH price.
  const pinned: MappingSnapshot = {
    ...current,
    hash: 'pinned-at-fetch',
    fields: {
      ...current.fields,
      terms: { ...current.fields.terms, default: 'Net 60' },
      package: {
        ...current.fields.package,
        packages: {
          ...current.fields.package.packages,
          GROWTH: { name: 'Growth (old price)', items: [{ item: 'ONB-GROWTH', rate: 3900, quantity: 1 }] },
        },
      },
    },
  };
  const deal = makeDeal({ organization: { paymentTerms: '' } });

  test('validation uses the pinned template, else the current one', () => {
    const withPin = mapToNetSuiteCustomer({ ...deal, mapping: pinned }, REF, 'PD-PIN-1');
    const without = mapToNetSuiteCustomer(deal, REF, 'PD-PIN-1');
    expect(withPin.ok && withPin.customer.terms).toEqual({ id: '3' });
    expect(without.ok && without.customer.terms).toEqual({ id: '2' });
  });

  test('the invoice plan prices from the pinned packages', () => {
    const plan = planFirstInvoice({
      externalId: 'PD-PIN-1',
      customerId: '1001',
      deal: { ...deal, mapping: pinned },
      ref: REF,
      defaultInvoiceDelayDays: 0,
      signedAt: '2026-03-10T14:00:00Z',
    });
    expect(plan.ok && plan.invoice.item.items.map((l) => l.rate)).toEqual([3900]);
  });
});

describe('format rules from the template', () => {
  const current = activeMapping();
  const withPattern: MappingSnapshot = {
    ...current,
    fields: {
      ...current.fields,
      billingOwner: { ...current.fields.billingOwner, pattern: '[^@\\s]+@[^@\\s]+', patternHint: 'an e-mail address' },
    },
  };

  test('a value that does not match the pattern is a field-level reason with the hint', () => {
    const r = mapToNetSuiteCustomer({ ...makeDeal(), mapping: withPattern }, REF, 'PD-FMT-1');
    expect(r.ok === false && r.reasons).toEqual([
      expect.objectContaining({
        field: 'deal.billingOwner',
        code: 'field.format',
        message:
          'Billing owner "Dana Finance" does not have the format the mapping template requires (an e-mail address).',
        suggestion: `Correct the deal's "Billing owner" field in Pipedrive to the form an e-mail address.`,
      }),
    ]);
    const ok = mapToNetSuiteCustomer(
      { ...makeDeal({ deal: { billingOwner: 'dana@acme.example' } }), mapping: withPattern },
      REF,
      'PD-FMT-1',
    );
    expect(ok.ok).toBe(true);
  });
});
