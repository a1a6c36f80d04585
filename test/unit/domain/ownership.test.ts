import { DEAL_FIELDS, ORGANIZATION_FIELDS, ORCHESTRATOR_OWNED_DEAL_FIELDS } from '../../../domain/pipedrive-fields';
import {
  classifyFieldChange,
  isNetSuiteOwned,
  NETSUITE_OWNED,
  ORCHESTRATOR_OWNED,
  PIPEDRIVE_OWNED,
} from '../../../domain/ownership';

describe('field ownership (docs/architecture.md#ownership)', () => {
  test.each([
    // NetSuite: financial identity
    ['subsidiary', 'netsuite'],
    [ORGANIZATION_FIELDS.subsidiary, 'netsuite'],
    ['terms', 'netsuite'],
    [ORGANIZATION_FIELDS.paymentTerms, 'netsuite'],
    ['organization.paymentTerms', 'netsuite'],
    [ORGANIZATION_FIELDS.taxId, 'netsuite'],
    ['organization.taxId', 'netsuite'],
    ['taxRegistration', 'netsuite'],
    ['internalId', 'netsuite'],
    ['netsuiteCustomerId', 'netsuite'],
    ['invoices', 'netsuite'],
    [DEAL_FIELDS.invoiceDate, 'netsuite'],
    ['organization.address.postalCode', 'netsuite'],
    // Pipedrive: people, context, stage, CSM
    ['name', 'pipedrive'],
    ['person.name', 'pipedrive'],
    ['organization.name', 'pipedrive'],
    ['emails', 'pipedrive'],
    ['person.emails', 'pipedrive'],
    ['phones', 'pipedrive'],
    ['stage_id', 'pipedrive'],
    ['stageId', 'pipedrive'],
    [DEAL_FIELDS.csm, 'pipedrive'],
    ['deal.csmUserId', 'pipedrive'],
    ['campaign_id', 'pipedrive'],
    ['acquisition_source', 'pipedrive'],
    [DEAL_FIELDS.billingOwner, 'pipedrive'],
    // Orchestrator: the transaction key and state
    [DEAL_FIELDS.externalId, 'orchestrator'],
    ['externalId', 'orchestrator'],
    ['deal.externalId', 'orchestrator'],
    [DEAL_FIELDS.onboardingStatus, 'orchestrator'],
    [DEAL_FIELDS.needsRemediation, 'orchestrator'],
    ['auditTrail', 'orchestrator'],
    // Unknown: not mapped to NetSuite, so Pipedrive may own it
    ['some custom field nobody maps', 'pipedrive'],
  ])('%j → %s', (field, owner) => {
    expect(classifyFieldChange(field)).toBe(owner);
  });

  test('every orchestrator-owned Pipedrive field is classified as orchestrator', () => {
    for (const f of ORCHESTRATOR_OWNED_DEAL_FIELDS) expect(classifyFieldChange(f)).toBe('orchestrator');
  });

  test('the three tables do not overlap (after name normalisation)', () => {
    const norm = (s: string) => s.toLowerCase().replace(/[\s_.-]/g, '');
    const seen = new Map<string, string>();
    for (const [owner, list] of [
      ['pipedrive', PIPEDRIVE_OWNED],
      ['netsuite', NETSUITE_OWNED],
      ['orchestrator', ORCHESTRATOR_OWNED],
    ] as const) {
      for (const f of list) {
        const prior = seen.get(norm(f));
        expect(prior === undefined || prior === owner).toBe(true);
        seen.set(norm(f), owner);
      }
    }
  });

  test('isNetSuiteOwned', () => {
    expect(isNetSuiteOwned('Payment terms')).toBe(true);
    expect(isNetSuiteOwned('person.phones')).toBe(false);
  });
});
