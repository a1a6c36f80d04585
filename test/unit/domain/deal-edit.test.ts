/** Edits after onboarding: which mapped fields differ from NetSuite, who owns each, and what is written (pure). */
import { mapToNetSuiteCustomer } from '../../../domain/customer-mapping';
import {
  COMPARED_FIELDS,
  compareWithNetSuite,
  dealEditWorkflowId,
  ownershipReasons,
  patchFor,
  type NetSuiteCustomerSnapshot,
} from '../../../domain/deal-edit';
import type { NetSuiteCustomerBody } from '../../../domain/netsuite-records';
import { classifyFieldChange } from '../../../domain/ownership';
import { makeDeal, SEED_REFERENCE_DATA } from './fixtures';

function customerOf(deal = makeDeal()): NetSuiteCustomerBody {
  const mapped = mapToNetSuiteCustomer(deal, SEED_REFERENCE_DATA, 'ext-1');
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.reasons));
  return mapped.customer;
}

/** NetSuite as the onboarding left it: what the mapping wrote, read back the way the client reduces it. */
function snapshotOf(body: NetSuiteCustomerBody): NetSuiteCustomerSnapshot {
  const address = body.addressBook.items[0]!.addressBookAddress;
  return {
    id: '647',
    externalId: body.externalId,
    companyName: body.companyName,
    email: body.email,
    ...(body.phone ? { phone: body.phone } : {}),
    subsidiary: { id: body.subsidiary.id, refName: 'Parent Company' },
    terms: { id: body.terms.id, refName: 'Net 30' },
    billingAddress: {
      addr1: address.addr1,
      city: address.city,
      state: address.state,
      zip: address.zip,
      country: address.country,
    },
    taxRegistrations: body.taxRegistration.items,
    customFields: {
      custentity_onboarding_code: body.custentity_onboarding_code ?? '',
      custentity_csm: body.custentity_csm ?? '',
      custentity_billing_owner: body.custentity_billing_owner ?? '',
      custentity_pd_deal_id: body.custentity_pd_deal_id,
    },
  };
}

const onboarded = snapshotOf(customerOf());

describe('compareWithNetSuite', () => {
  it('finds nothing when the deal still says what NetSuite holds (case of the email and spacing of the tax id aside)', () => {
    const deal = makeDeal({ person: { emails: [{ value: 'JANE@acme.com', primary: true }] } });
    expect(
      compareWithNetSuite(customerOf(deal), {
        ...onboarded,
        taxRegistrations: [{ nexusCountry: 'US', taxRegistrationNumber: '12 3456789' }],
      }),
    ).toEqual([]);
  });

  it.each([
    [
      'a new contact email',
      'email',
      'pipedrive',
      makeDeal({ person: { emails: [{ value: 'ap@acme.com', primary: true }] } }),
    ],
    [
      'a new phone',
      'phone',
      'pipedrive',
      makeDeal({ person: { phones: [{ value: '+1 415 555 0199', primary: true }] } }),
    ],
    ['a renamed organization', 'companyName', 'pipedrive', makeDeal({ organization: { name: 'Acme Holdings Inc' } })],
    ['another CSM', 'custentity_csm', 'pipedrive', makeDeal({ deal: { csmUserId: '999' } })],
    ['another billing owner', 'custentity_billing_owner', 'pipedrive', makeDeal({ deal: { billingOwner: 'Sam' } })],
    ['a new tax id', 'taxRegistration', 'netsuite', makeDeal({ organization: { taxId: '98-7654321' } })],
    ['other payment terms', 'terms', 'netsuite', makeDeal({ organization: { paymentTerms: 'Net 60' } })],
    [
      'another onboarding package',
      'custentity_onboarding_code',
      'netsuite',
      makeDeal({ deal: { onboardingPackage: 'ENTERPRISE' } }),
    ],
  ])('%s ⇒ one %s difference owned by %s', (_name, field, owner, deal) => {
    expect(compareWithNetSuite(customerOf(deal), onboarded)).toEqual([expect.objectContaining({ field, owner })]);
  });

  it('a moved billing address is NetSuite-owned and shows both addresses', () => {
    const deal = makeDeal({
      organization: {
        address: { street: '500 Howard St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' },
      },
    });
    expect(compareWithNetSuite(customerOf(deal), onboarded)).toEqual([
      {
        field: 'addressBook',
        source: 'organization.address',
        owner: 'netsuite',
        pipedrive: '500 Howard St, San Francisco CA 94105, US',
        netsuite: '1 Market St, San Francisco CA 94105, US',
      },
    ]);
  });

  it("a renamed organization changes companyName only, never NetSuite's entityId", () => {
    const diffs = compareWithNetSuite(customerOf(makeDeal({ organization: { name: 'Acme Holdings Inc' } })), onboarded);
    expect(diffs.map((d) => d.field)).toEqual(['companyName']);
  });

  it("names references by NetSuite's refName when it has one", () => {
    const [diff] = compareWithNetSuite(customerOf(makeDeal({ organization: { paymentTerms: 'Net 60' } })), onboarded);
    expect(diff).toMatchObject({ pipedrive: '3', netsuite: 'Net 30 (2)' });
  });

  it("every compared field has an owner in domain/ownership.ts, and none of them is the orchestrator's", () => {
    for (const field of Object.keys(COMPARED_FIELDS)) expect(classifyFieldChange(field)).not.toBe('orchestrator');
  });
});

describe('patchFor / ownershipReasons', () => {
  it("patches exactly the differing fields with the deal's values, and clears a phone Pipedrive no longer has", () => {
    const noPhone = customerOf(makeDeal({ person: { phones: [], emails: [{ value: 'ap@acme.com', primary: true }] } }));
    const diffs = compareWithNetSuite(noPhone, onboarded);
    expect(patchFor(noPhone, diffs)).toEqual({ email: 'ap@acme.com', phone: null });
  });

  it('writes a sublist whole (the new tax registration replaces the old one)', () => {
    const body = customerOf(makeDeal({ organization: { taxId: '98-7654321' } }));
    expect(patchFor(body, compareWithNetSuite(body, onboarded))).toEqual({
      taxRegistration: { items: [{ nexusCountry: 'US', taxRegistrationNumber: '98-7654321' }] },
    });
  });

  it('gives one reason per held field, saying what each side has', () => {
    const body = customerOf(makeDeal({ organization: { taxId: '98-7654321', paymentTerms: 'Net 60' } }));
    const reasons = ownershipReasons(compareWithNetSuite(body, onboarded));
    expect(reasons).toEqual([
      expect.objectContaining({
        field: 'organization.paymentTerms',
        code: 'ownership.terms',
        message: expect.stringContaining('Pipedrive says "3", NetSuite has "Net 30 (2)"'),
      }),
      expect.objectContaining({
        field: 'organization.taxId',
        code: 'ownership.taxRegistration',
        message: expect.stringContaining('NetSuite has "12-3456789 (US)"'),
        value: '98-7654321 (US)',
      }),
    ]);
  });
});

describe('dealEditWorkflowId', () => {
  it.each([
    ['ext-1', '7c9e6679-7425-40de-944b-e07fc1f90ae7', 'ext-1-edit-7c9e6679-7425-40de-944b-e07fc1f90ae7'],
    ['ext_2', 'evt:1/2', 'ext_2-edit-evt_1_2'],
  ])('%s + %s ⇒ %s (letters, digits, - and _ only)', (ext, evt, id) => {
    expect(dealEditWorkflowId(ext, evt)).toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
