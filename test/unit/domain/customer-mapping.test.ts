import type { ContactEntry, PostalAddress } from '../../../domain/canonical-deal';
import {
  mapToNetSuiteCustomer,
  selectBillingEmail,
  type CustomerMappingResult,
} from '../../../domain/customer-mapping';
import type { NetSuiteCustomerBody } from '../../../domain/netsuite-records';
import { makeDeal, SEED_REFERENCE_DATA as REF } from './fixtures';

const EID = 'pd-8f2c0417-34d4-5b1b-9fe5-36fc6f1c247e';

function customerOf(r: CustomerMappingResult): NetSuiteCustomerBody {
  if (!r.ok) throw new Error(`expected a customer, got reasons: ${r.reasons.map((x) => x.code).join(', ')}`);
  return r.customer;
}
function reasonCodes(r: CustomerMappingResult): string[] {
  if (r.ok) throw new Error('expected review reasons, got a customer');
  return r.reasons.map((x) => x.code);
}
const warningCodes = (r: CustomerMappingResult) => r.warnings.map((w) => w.code);

const email = (value: string, primary = false): ContactEntry => ({ value, primary, label: 'work' });

describe('mapToNetSuiteCustomer: the happy path produces the documented body', () => {
  test('US customer', () => {
    const r = mapToNetSuiteCustomer(makeDeal(), REF, EID);
    expect(r).toEqual({
      ok: true,
      warnings: [],
      customer: {
        externalId: EID,
        entityId: 'Acme Inc',
        companyName: 'Acme Inc',
        isPerson: false,
        email: 'jane@acme.com',
        phone: '+1 415 555 0100',
        subsidiary: { id: '1' },
        terms: { id: '2' },
        addressBook: {
          items: [
            {
              defaultBilling: true,
              defaultShipping: true,
              label: 'Billing',
              addressBookAddress: {
                addr1: '1 Market St',
                city: 'San Francisco',
                state: 'CA',
                zip: '94105',
                country: 'US',
                addressee: 'Acme Inc',
              },
            },
          ],
        },
        taxRegistration: { items: [{ nexusCountry: 'US', taxRegistrationNumber: '12-3456789' }] },
        custentity_onboarding_code: 'GROWTH',
        custentity_pd_deal_id: '746',
        custentity_csm: '321',
        custentity_billing_owner: 'Dana Finance',
      },
    });
  });

  test('the result is plain JSON (survives a Temporal payload round trip unchanged)', () => {
    const r = mapToNetSuiteCustomer(makeDeal(), REF, EID);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('multiple e-mails', () => {
  test.each([
    [
      'primary chosen among several',
      [email('first@acme.com'), email('ap@acme.com', true), email('third@acme.com')],
      'ap@acme.com',
      [],
    ],
    [
      'none primary ⇒ first valid',
      [email('not-an-email'), email('second@acme.com'), email('third@acme.com')],
      'second@acme.com',
      [],
    ],
    [
      'primary invalid ⇒ first valid other, warned',
      [email('ap@acme', true), email('backup@acme.com')],
      'backup@acme.com',
      ['email.primary_invalid'],
    ],
    ['blank entries skipped', [email('  '), email('Jane@ACME.com')], 'Jane@acme.com', []],
    [
      'two primaries ⇒ the first primary',
      [email('one@acme.com', true), email('two@acme.com', true)],
      'one@acme.com',
      [],
    ],
  ])('%s', (_label, emails, expected, warnings) => {
    const r = mapToNetSuiteCustomer(makeDeal({ person: { emails } }), REF, EID);
    expect(customerOf(r).email).toBe(expected);
    expect(warningCodes(r)).toEqual(warnings);
  });

  test.each([
    ['all invalid', [email('a@'), email('b at acme.com', true)], 'email.invalid'],
    ['single invalid', [email('jane@acme,com', true)], 'email.invalid'],
    ['no e-mails', [], 'email.missing'],
  ])('%s ⇒ review reason', (_label, emails, code) => {
    const r = mapToNetSuiteCustomer(makeDeal({ person: { emails } }), REF, EID);
    expect(reasonCodes(r)).toEqual([code]);
  });

  test('no person at all ⇒ email.missing', () => {
    expect(reasonCodes(mapToNetSuiteCustomer(makeDeal({ person: null }), REF, EID))).toEqual(['email.missing']);
  });

  test('invalid addresses are listed in the reason for the reviewer', () => {
    const r = selectBillingEmail([email('a@'), email('b@x')]);
    expect(r).toMatchObject({ ok: false, reason: { field: 'person.emails', code: 'email.invalid', value: 'a@, b@x' } });
  });

  test('single invalid e-mail passes on the validator’s suggestion', () => {
    const r = selectBillingEmail([email('jane@acme,com', true)]);
    expect(r).toMatchObject({ ok: false, reason: { suggestion: 'Did you mean jane@acme.com?' } });
  });
});

describe('phones', () => {
  test.each([
    ['primary chosen', [email('+44 20 7946 0000'), email('+1 415 555 0199', true)], '+1 415 555 0199', []],
    ['none primary ⇒ first', [email(' +49 30 1234567 '), email('+1 415 555 0199')], '+49 30 1234567', []],
    ['none', [], undefined, []],
    ['too short ⇒ dropped with warning', [email('555', true)], undefined, ['phone.invalid']],
    [
      'longer than NetSuite’s 32 chars ⇒ dropped with warning',
      [email('+1 415 555 0100 ext. 1234 (reception desk)', true)],
      undefined,
      ['phone.too_long'],
    ],
  ])('%s', (_label, phones, expected, warnings) => {
    const r = mapToNetSuiteCustomer(makeDeal({ person: { phones } }), REF, EID);
    expect(customerOf(r).phone).toBe(expected);
    expect(warningCodes(r)).toEqual(warnings);
  });
});

describe('special characters and non-Latin names are kept as typed', () => {
  test.each([
    ['Müller & Söhne GmbH', 'Müller & Söhne GmbH'],
    ['株式会社テスト', '株式会社テスト'],
    ["O'Brien's Café", "O'Brien's Café"],
    ['  Acme   Widgets\tInc.  ', 'Acme Widgets Inc.'],
    ['Ωmega <Labs> "Q" / R&D; 50% off', 'Ωmega <Labs> "Q" / R&D; 50% off'],
  ])('%j → entityId/companyName/addressee %j', (name, expected) => {
    const c = customerOf(mapToNetSuiteCustomer(makeDeal({ organization: { name } }), REF, EID));
    expect(c.entityId).toBe(expected);
    expect(c.companyName).toBe(expected);
    expect(c.addressBook.items[0]?.addressBookAddress.addressee).toBe(expected);
  });

  test("long names: review at validation naming the field, its length and NetSuite's limit, with a cut suggestion", () => {
    const name = '𝔸'.repeat(50) + ' ' + 'テ'.repeat(50);
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { name } }), REF, EID);
    expect(r.ok === false && r.reasons).toEqual([
      expect.objectContaining({
        field: 'organization.name',
        code: 'field.too_long',
        message: 'Company name is 101 characters; NetSuite accepts at most 83.',
        // Cut by code points, never inside a surrogate pair.
        suggestion: `Shorten it to 83 characters or fewer in the organization's "name" field in Pipedrive, e.g. "${'𝔸'.repeat(50) + ' ' + 'テ'.repeat(32)}".`,
      }),
    ]);
  });

  test('organization missing or nameless ⇒ reason', () => {
    expect(reasonCodes(mapToNetSuiteCustomer(makeDeal({ organization: null }), REF, EID))).toEqual(
      expect.arrayContaining(['organization.missing']),
    );
    expect(reasonCodes(mapToNetSuiteCustomer(makeDeal({ organization: { name: '   ' } }), REF, EID))).toEqual([
      'organization.name_missing',
    ]);
  });
});

describe('multinational addresses, tax ids and subsidiaries', () => {
  type Case = {
    label: string;
    address: PostalAddress;
    taxId: string;
    subsidiary?: string;
    expectAddress: Record<string, string>;
    expectSubsidiary: string;
    expectTax: { nexusCountry: string; taxRegistrationNumber: string };
    warnings?: string[];
  };
  const cases: Case[] = [
    {
      label: 'US',
      address: {
        street: '500 5th Ave',
        street2: 'Floor 12',
        city: 'New York',
        region: 'ny',
        postalCode: '10110-0001',
        country: 'US',
      },
      taxId: '98-7654321',
      subsidiary: 'Parent Company',
      expectAddress: {
        addr1: '500 5th Ave',
        addr2: 'Floor 12',
        city: 'New York',
        state: 'NY',
        zip: '10110-0001',
        country: 'US',
      },
      expectSubsidiary: '1',
      expectTax: { nexusCountry: 'US', taxRegistrationNumber: '98-7654321' },
    },
    {
      label: 'GB',
      address: { street: '10 Downing St', city: 'London', postalCode: 'sw1a2aa', country: 'United Kingdom' },
      taxId: 'GB 980 7806 84',
      subsidiary: 'acme uk ltd',
      expectAddress: { addr1: '10 Downing St', city: 'London', zip: 'SW1A 2AA', country: 'GB' },
      expectSubsidiary: '2',
      expectTax: { nexusCountry: 'GB', taxRegistrationNumber: 'GB980780684' },
    },
    {
      label: 'DE (billed by the NL entity)',
      address: { street: 'Friedrichstraße 1', city: 'Berlin', region: 'Berlin', postalCode: '10117', country: 'DE' },
      taxId: 'DE123456789',
      subsidiary: 'Acme Europe BV',
      expectAddress: { addr1: 'Friedrichstraße 1', city: 'Berlin', state: 'Berlin', zip: '10117', country: 'DE' },
      expectSubsidiary: '3',
      expectTax: { nexusCountry: 'DE', taxRegistrationNumber: 'DE123456789' },
    },
    {
      label: 'CA (subsidiary inferred from country)',
      address: { street: '111 Wellington St', city: 'Ottawa', region: 'on', postalCode: 'k1a0a9', country: 'ca' },
      taxId: '123456789RT0001',
      expectAddress: { addr1: '111 Wellington St', city: 'Ottawa', state: 'ON', zip: 'K1A 0A9', country: 'CA' },
      expectSubsidiary: '4',
      expectTax: { nexusCountry: 'CA', taxRegistrationNumber: '123456789RT0001' },
      warnings: ['subsidiary.inferred'],
    },
    {
      label: 'AU (subsidiary by internal id)',
      address: { street: '1 Martin Pl', city: 'Sydney', region: 'NSW', postalCode: '2000', country: 'AU' },
      taxId: '51 824 753 556',
      subsidiary: '5',
      expectAddress: { addr1: '1 Martin Pl', city: 'Sydney', state: 'NSW', zip: '2000', country: 'AU' },
      expectSubsidiary: '5',
      expectTax: { nexusCountry: 'AU', taxRegistrationNumber: '51824753556' },
    },
    {
      label: 'NL',
      address: { street: 'Damrak 1', city: 'Amsterdam', postalCode: '1012lg', country: 'Netherlands' },
      taxId: 'NL123456789B01',
      subsidiary: 'Acme Europe BV',
      expectAddress: { addr1: 'Damrak 1', city: 'Amsterdam', zip: '1012 LG', country: 'NL' },
      expectSubsidiary: '3',
      expectTax: { nexusCountry: 'NL', taxRegistrationNumber: 'NL123456789B01' },
    },
  ];

  test.each(cases)(
    '$label',
    ({ address, taxId, subsidiary, expectAddress, expectSubsidiary, expectTax, warnings = [] }) => {
      const r = mapToNetSuiteCustomer(makeDeal({ organization: { address, taxId, subsidiary } }), REF, EID);
      const c = customerOf(r);
      expect(c.addressBook.items).toEqual([
        {
          defaultBilling: true,
          defaultShipping: true,
          label: 'Billing',
          addressBookAddress: { ...expectAddress, addressee: 'Acme Inc' },
        },
      ]);
      expect(c.subsidiary).toEqual({ id: expectSubsidiary });
      expect(c.taxRegistration).toEqual({ items: [expectTax] });
      expect(warningCodes(r)).toEqual(warnings);
    },
  );

  test.each([
    // without a country an unprefixed EIN cannot be checked either: both are reported
    ['no address', undefined, ['address.missing', 'tax_id.country_unknown']],
    ['empty address', {}, ['address.missing', 'tax_id.country_unknown']],
    ['no city', { street: '1 Market St', postalCode: '94105', country: 'US' }, ['address.city_missing']],
    ['no street', { city: 'San Francisco', postalCode: '94105', country: 'US' }, ['address.street_missing']],
    [
      'no country',
      { street: '1 Market St', city: 'San Francisco', postalCode: '94105', formatted: '1 Market St, San Francisco' },
      ['address.country_missing', 'tax_id.country_unknown'],
    ],
    [
      'unknown country',
      { street: '1 Market St', city: 'SF', postalCode: '94105', country: 'Atlantis' },
      ['address.country_invalid', 'tax_id.country_unknown'],
    ],
    [
      'bad US zip',
      { street: '1 Market St', city: 'San Francisco', postalCode: '9410', country: 'US' },
      ['address.postal_code_invalid'],
    ],
    [
      'missing US zip',
      { street: '1 Market St', city: 'San Francisco', country: 'US' },
      ['address.postal_code_missing'],
    ],
  ])('%s ⇒ %j', (_label, address, codes) => {
    const r = mapToNetSuiteCustomer(
      makeDeal({ organization: { address: address as PostalAddress | undefined } }),
      REF,
      EID,
    );
    expect(reasonCodes(r)).toEqual(codes);
  });

  test('address lines over NetSuite’s 150 characters ⇒ reason', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({
        organization: {
          address: { street: 'x'.repeat(151), city: 'SF', region: 'CA', postalCode: '94105', country: 'US' },
        },
      }),
      REF,
      EID,
    );
    expect(reasonCodes(r)).toEqual(['address.too_long']);
    if (!r.ok) expect(r.reasons[0]?.field).toBe('organization.address.street');
  });

  test('Pipedrive-style country names are normalised to ISO-2', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({
        organization: {
          address: {
            street: '500 Howard Street',
            city: 'San Francisco',
            region: 'CA',
            postalCode: '94105',
            country: 'United States',
          },
        },
      }),
      REF,
      EID,
    );
    expect(customerOf(r).addressBook.items[0]?.addressBookAddress.country).toBe('US');
  });

  test('US address without a state is mapped but warned', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({
        organization: { address: { street: '1 Market St', city: 'SF', postalCode: '94105', country: 'US' } },
      }),
      REF,
      EID,
    );
    expect(customerOf(r).addressBook.items[0]?.addressBookAddress.state).toBeUndefined();
    expect(warningCodes(r)).toEqual(['address.region_missing']);
  });

  test('Irish address without Eircode is fine (postal code optional there)', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({
        organization: {
          subsidiary: 'Acme Europe BV',
          taxId: 'IE1234567T',
          address: { street: '1 O’Connell St', city: 'Dublin', country: 'IE' },
        },
      }),
      REF,
      EID,
    );
    expect(customerOf(r).addressBook.items[0]?.addressBookAddress).toEqual({
      addr1: '1 O’Connell St',
      city: 'Dublin',
      country: 'IE',
      addressee: 'Acme Inc',
    });
  });
});

describe('tax id', () => {
  test.each([
    ['missing', undefined, 'tax_id.missing'],
    ['blank', '  ', 'tax_id.missing'],
    ['bad EIN', '12-34', 'tax_id.invalid_format'],
  ])('%s ⇒ review reason, not a crash', (_label, taxId, code) => {
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { taxId } }), REF, EID);
    expect(reasonCodes(r)).toEqual([code]);
    if (!r.ok) expect(r.reasons[0]).toMatchObject({ field: 'organization.taxId' });
  });

  test('missing tax id reason says why and how to fix', () => {
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { taxId: undefined } }), REF, EID);
    expect(r.ok === false && r.reasons[0]).toEqual({
      field: 'organization.taxId',
      code: 'tax_id.missing',
      message: 'Tax ID is required for billing.',
      suggestion: 'Fill the organization\'s "Tax ID" field in Pipedrive.',
    });
  });

  test('VAT number of another country than the address ⇒ mapped with a warning', () => {
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { taxId: 'DE123456789' } }), REF, EID);
    expect(customerOf(r).taxRegistration).toEqual({
      items: [{ nexusCountry: 'DE', taxRegistrationNumber: 'DE123456789' }],
    });
    expect(warningCodes(r)).toEqual(['tax_id.country_mismatch']);
  });

  test('country without a rule ⇒ accepted as typed with an "unverified" warning', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({
        organization: {
          subsidiary: 'Parent Company',
          taxId: 'T1234567J',
          address: { street: '1 Raffles Pl', city: 'Singapore', postalCode: '048616', country: 'SG' },
        },
      }),
      REF,
      EID,
    );
    expect(customerOf(r).taxRegistration).toEqual({
      items: [{ nexusCountry: 'SG', taxRegistrationNumber: 'T1234567J' }],
    });
    expect(warningCodes(r)).toEqual(['tax_id.unverified']);
  });
});

describe('subsidiary, terms and package resolution', () => {
  test('unknown subsidiary ⇒ reason listing the valid names', () => {
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { subsidiary: 'Acme Germany GmbH' } }), REF, EID);
    expect(r.ok === false && r.reasons).toEqual([
      {
        field: 'organization.subsidiary',
        code: 'subsidiary.unknown',
        message: 'Subsidiary "Acme Germany GmbH" does not exist in NetSuite.',
        suggestion:
          'Valid subsidiaries: "Parent Company", "Acme UK Ltd", "Acme Europe BV", "Acme Canada Inc", "Acme Australia Pty Ltd".',
        value: 'Acme Germany GmbH',
      },
    ]);
  });

  test('missing subsidiary in a country with no subsidiary ⇒ reason', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({
        organization: {
          subsidiary: undefined,
          taxId: 'DE123456789',
          address: { street: 'Friedrichstraße 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
        },
      }),
      REF,
      EID,
    );
    expect(reasonCodes(r)).toEqual(['subsidiary.missing']);
    if (!r.ok) expect(r.reasons[0]?.message).toBe('No subsidiary set and no subsidiary is in DE.');
  });

  test('missing subsidiary with two candidates in the country ⇒ reason (never a guess)', () => {
    const ref = {
      ...REF,
      subsidiaries: [...REF.subsidiaries, { id: '6', name: 'Acme US Services LLC', country: 'US' }],
    };
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { subsidiary: undefined } }), ref, EID);
    expect(reasonCodes(r)).toEqual(['subsidiary.missing']);
  });

  test.each([
    ['Net 60', '3', []],
    ['  net   15 ', '1', []],
    ['Due on receipt', '4', []],
    [undefined, '2', ['terms.defaulted']],
    ['', '2', ['terms.defaulted']],
  ])('terms %j ⇒ id %s', (paymentTerms, id, warnings) => {
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { paymentTerms } }), REF, EID);
    expect(customerOf(r).terms).toEqual({ id });
    expect(warningCodes(r)).toEqual(warnings);
  });

  test('unknown terms ⇒ reason listing the valid terms', () => {
    const r = mapToNetSuiteCustomer(makeDeal({ organization: { paymentTerms: 'Net 45' } }), REF, EID);
    expect(r.ok === false && r.reasons[0]).toMatchObject({
      code: 'terms.unknown',
      value: 'Net 45',
      suggestion:
        'Valid terms: "Net 15", "Net 30", "Net 60", "Due on receipt". Or add "Net 45" to fields.terms.values in the mapping template.',
    });
  });

  test('missing terms when NetSuite has no "Net 30" ⇒ reason', () => {
    const ref = { ...REF, terms: REF.terms.filter((t) => t.name !== 'Net 30') };
    expect(
      reasonCodes(mapToNetSuiteCustomer(makeDeal({ organization: { paymentTerms: undefined } }), ref, EID)),
    ).toEqual(['terms.default_missing']);
  });

  test.each([
    ['starter', 'STARTER'],
    [' Enterprise ', 'ENTERPRISE'],
    ['GROWTH', 'GROWTH'],
  ])('package %j ⇒ custentity_onboarding_code %s', (onboardingPackage, code) => {
    expect(
      customerOf(mapToNetSuiteCustomer(makeDeal({ deal: { onboardingPackage } }), REF, EID)).custentity_onboarding_code,
    ).toBe(code);
  });

  test.each([
    ['PLATINUM', 'package.unknown'],
    [undefined, 'package.missing'],
  ])('package %j ⇒ %s', (onboardingPackage, code) => {
    const r = mapToNetSuiteCustomer(makeDeal({ deal: { onboardingPackage } }), REF, EID);
    expect(reasonCodes(r)).toEqual([code]);
    if (!r.ok) expect(r.reasons[0]?.suggestion).toContain('"STARTER", "GROWTH", "ENTERPRISE"');
  });

  test('package whose NetSuite item is missing ⇒ reason before any customer is written', () => {
    const ref = { ...REF, items: REF.items.filter((i) => i.itemId !== 'SUB-ANNUAL') };
    const r = mapToNetSuiteCustomer(makeDeal({ deal: { onboardingPackage: 'ENTERPRISE' } }), ref, EID);
    expect(reasonCodes(r)).toEqual(['package.item_missing']);
  });
});

describe('all failures are collected, not just the first', () => {
  test('a deal with everything wrong lists every field', () => {
    const deal = makeDeal({
      deal: {
        onboardingPackage: 'PLATINUM',
        csmUserId: undefined,
        billingOwner: undefined,
        expectedTimeToValue: 'soon',
      },
      person: { emails: [email('nope', true)] },
      organization: {
        taxId: undefined,
        subsidiary: 'Nowhere Ltd',
        paymentTerms: 'Net 45',
        address: { street: '1 Market St', city: 'SF', postalCode: 'ABCDE', country: 'US' },
      },
    });
    const r = mapToNetSuiteCustomer(deal, REF, 'bad|id');
    expect(reasonCodes(r).sort()).toEqual(
      [
        'external_id.invalid',
        'email.invalid',
        'address.postal_code_invalid',
        'tax_id.missing',
        'subsidiary.unknown',
        'terms.unknown',
        'package.unknown',
        'handoff.csm_missing',
        'handoff.billing_owner_missing',
        'handoff.ttv_invalid',
      ].sort(),
    );
    if (!r.ok) {
      expect(new Set(r.reasons.map((x) => x.field))).toEqual(
        new Set([
          'deal.externalId',
          'person.emails',
          'organization.address.postalCode',
          'organization.taxId',
          'organization.subsidiary',
          'organization.paymentTerms',
          'deal.onboardingPackage',
          'deal.csmUserId',
          'deal.billingOwner',
          'deal.expectedTimeToValue',
        ]),
      );
      for (const reason of r.reasons) expect(reason.message).not.toBe('');
    }
  });

  test('expected time-to-value before the signature blocks the mapping', () => {
    const r = mapToNetSuiteCustomer(
      makeDeal({ deal: { signedAt: '2026-03-10T14:00:00Z', expectedTimeToValue: '2026-02-01' } }),
      REF,
      EID,
    );
    expect(reasonCodes(r)).toEqual(['handoff.ttv_before_signature']);
  });

  test('missing time-to-value only warns', () => {
    const r = mapToNetSuiteCustomer(makeDeal({ deal: { expectedTimeToValue: undefined } }), REF, EID);
    expect(r.ok).toBe(true);
    expect(warningCodes(r)).toEqual(['handoff.ttv_missing']);
  });
});
