/** Reconciliation compares attribution (Pipedrive-owned) like company name and e-mail, where NetSuite's fields are readable. */
import {
  reconcileRecords,
  type NetSuiteCustomerRow,
  type SignedDealRecord,
} from '../../reconciliation/model/reconciliation';
import { activeMapping } from '../../domain/mapping/active-mapping';
import { attributionColumns } from '../../reconciliation/activities/reconcile-activities';

const deal = (attribution: SignedDealRecord['attribution']): SignedDealRecord => ({
  dealId: '7',
  externalId: 'pd-1-7',
  externalIdSource: 'field',
  title: 'Acme',
  organizationName: 'Acme Ltd',
  email: 'ap@acme.example',
  ...(attribution ? { attribution } : {}),
});
const customer = (attribution?: NetSuiteCustomerRow['attribution']): NetSuiteCustomerRow => ({
  id: '1001',
  externalId: 'pd-1-7',
  companyName: 'Acme Ltd',
  email: 'ap@acme.example',
  ...(attribution ? { attribution } : {}),
});
const AT = '2026-12-05T06:00:00Z';

describe('attribution in reconciliation', () => {
  test('a campaign or lead source that differs is a field mismatch, named and counted', () => {
    const report = reconcileRecords(
      [deal({ campaign: 'Spring launch', leadSource: 'Web form', channel: 'Paid search' })],
      [customer({ campaign: 'Winter promo', leadSource: 'web FORM', channel: 'Paid search' })],
      AT,
    );
    expect(report.fieldMismatches).toEqual([
      {
        dealId: '7',
        externalId: 'pd-1-7',
        customerId: '1001',
        fields: [{ field: 'campaign', pipedrive: 'Spring launch', netsuite: 'Winter promo' }],
      },
    ]);
    expect(report.mismatchRate).toBe(1);
  });

  test('attribution missing in NetSuite is a mismatch; missing in Pipedrive, or unreadable in NetSuite, is not', () => {
    expect(reconcileRecords([deal({ leadSource: 'Referral' })], [customer({})], AT).fieldMismatches[0]?.fields).toEqual(
      [{ field: 'leadSource', pipedrive: 'Referral', netsuite: null }],
    );
    expect(reconcileRecords([deal(undefined)], [customer({ campaign: 'X' })], AT).fieldMismatches).toEqual([]);
    expect(reconcileRecords([deal({ campaign: 'Spring launch' })], [customer(undefined)], AT).fieldMismatches).toEqual(
      [],
    );
  });

  test("the NetSuite columns compared are the template's attribution targets", () => {
    expect(attributionColumns(activeMapping())).toEqual([
      ['campaign', 'custentity_campaign'],
      ['leadSource', 'custentity_lead_source'],
      ['channel', 'custentity_channel'],
    ]);
  });
});
