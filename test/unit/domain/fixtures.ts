/** Shared fixtures for the domain unit tests: the NetSuite simulator's seed reference data and a valid deal. */
import type { ResolvedDeal } from '../../../domain/canonical-deal';
import type { ReferenceData } from '../../../domain/reference-data';

export const SEED_REFERENCE_DATA: ReferenceData = {
  subsidiaries: [
    { id: '1', name: 'Parent Company', country: 'US' },
    { id: '2', name: 'Acme UK Ltd', country: 'GB' },
    { id: '3', name: 'Acme Europe BV', country: 'NL' },
    { id: '4', name: 'Acme Canada Inc', country: 'CA' },
    { id: '5', name: 'Acme Australia Pty Ltd', country: 'AU' },
  ],
  terms: [
    { id: '1', name: 'Net 15', days: 15 },
    { id: '2', name: 'Net 30', days: 30 },
    { id: '3', name: 'Net 60', days: 60 },
    { id: '4', name: 'Due on receipt', days: 0 },
  ],
  items: [
    { id: '10', itemId: 'ONB-STARTER', displayName: 'Starter onboarding', price: 1500 },
    { id: '11', itemId: 'ONB-GROWTH', displayName: 'Growth onboarding', price: 4500 },
    { id: '12', itemId: 'ONB-ENTERPRISE', displayName: 'Enterprise onboarding', price: 12000 },
    { id: '20', itemId: 'SUB-ANNUAL', displayName: 'Annual subscription', price: 10000 },
  ],
};

type DealPatch = Partial<ResolvedDeal['deal']>;
type PersonPatch = Partial<NonNullable<ResolvedDeal['person']>>;
type OrgPatch = Partial<NonNullable<ResolvedDeal['organization']>>;

/** A US deal that maps cleanly; each test changes only what it is about. */
export function makeDeal(
  patch: { deal?: DealPatch; person?: PersonPatch | null; organization?: OrgPatch | null } = {},
): ResolvedDeal {
  const base: ResolvedDeal = {
    deal: {
      id: '746',
      title: 'Acme onboarding',
      value: 4500,
      currency: 'USD',
      stageId: '5',
      ownerId: '123',
      signedAt: '2026-03-10T14:00:00Z',
      onboardingPackage: 'GROWTH',
      billingOwner: 'Dana Finance',
      csmUserId: '321',
      expectedTimeToValue: '2026-04-30',
    },
    person: {
      id: '12',
      name: 'Jane Buyer',
      emails: [{ value: 'jane@acme.com', primary: true, label: 'work' }],
      phones: [{ value: '+1 415 555 0100', primary: true, label: 'work' }],
    },
    organization: {
      id: '3',
      name: 'Acme Inc',
      address: { street: '1 Market St', city: 'San Francisco', region: 'ca', postalCode: '94105', country: 'US' },
      taxId: '12-3456789',
      subsidiary: 'Parent Company',
      paymentTerms: 'Net 30',
    },
  };
  const { deal, person, organization } = patch;
  return {
    deal: { ...base.deal, ...deal },
    ...(person === null ? {} : { person: { ...base.person!, ...person } }),
    ...(organization === null ? {} : { organization: { ...base.organization!, ...organization } }),
  };
}
