import {
  formatReconciliationReport,
  normaliseText,
  reconcileRecords,
  type NetSuiteCustomerRow,
  type ReconciliationReport,
  type SignedDealRecord,
} from '../../../reconciliation/model/reconciliation';

const AT = '2026-11-27T06:00:00.000Z';

const deal = (n: number, over: Partial<SignedDealRecord> = {}): SignedDealRecord => ({
  dealId: String(n),
  externalId: `pd-deal-${n}`,
  externalIdSource: 'derived',
  title: `Deal ${n}`,
  organizationName: `Company ${n} Ltd`,
  email: `ap${n}@company${n}.example`,
  ...over,
});

const customer = (id: number, n: number, over: Partial<NetSuiteCustomerRow> = {}): NetSuiteCustomerRow => ({
  id: String(id),
  externalId: `pd-deal-${n}`,
  companyName: `Company ${n} Ltd`,
  email: `ap${n}@company${n}.example`,
  ...over,
});

/** 100 deals, each with its matching customer: a base where one problem is 1%. */
const cleanDeals = Array.from({ length: 100 }, (_, i) => deal(i + 1));
const cleanCustomers = Array.from({ length: 100 }, (_, i) => customer(1001 + i, i + 1));

type Counts = Partial<ReconciliationReport['counts']>;

describe('reconcileRecords', () => {
  test.each<[string, SignedDealRecord[], NetSuiteCustomerRow[], Counts & { rate: number; alert?: boolean }]>([
    ['nothing to compare', [], [], { compared: 0, withProblems: 0, rate: 0, alert: false }],
    [
      'every deal has its customer',
      cleanDeals,
      cleanCustomers,
      { compared: 100, withProblems: 0, rate: 0, alert: false },
    ],
    [
      'case and whitespace differences are not mismatches',
      [deal(1, { organizationName: '  company 1   LTD ', email: ' AP1@Company1.example ' })],
      [customer(1001, 1)],
      { fieldMismatches: 0, rate: 0, alert: false },
    ],
    [
      'one signed deal without a customer (1%: below the 2% threshold)',
      cleanDeals,
      cleanCustomers.slice(1),
      { missingCustomers: 1, withProblems: 1, rate: 0.01, alert: false },
    ],
    [
      'three problems in 100 (3%: alert)',
      cleanDeals,
      cleanCustomers.slice(3),
      { missingCustomers: 3, rate: 0.03, alert: true },
    ],
    [
      'exactly the threshold does not alert',
      cleanDeals,
      cleanCustomers.slice(2),
      { missingCustomers: 2, rate: 0.02, alert: false },
    ],
    [
      'company name differs',
      [deal(1)],
      [customer(1001, 1, { companyName: 'Company One Limited' })],
      { fieldMismatches: 1, withProblems: 1, compared: 1, rate: 1, alert: true },
    ],
    [
      'email missing in NetSuite is a mismatch',
      [deal(1)],
      [customer(1001, 1, { email: undefined })],
      { fieldMismatches: 1, rate: 1 },
    ],
    [
      'a deal without an e-mail is not compared on e-mail',
      [deal(1, { email: undefined })],
      [customer(1001, 1)],
      { fieldMismatches: 0, rate: 0 },
    ],
    [
      'customer with our prefix and no deal',
      [deal(1)],
      [customer(1001, 1), customer(1002, 2)],
      { customersWithoutDeal: 1, compared: 2, withProblems: 1, rate: 0.5 },
    ],
    [
      'customers of other integrations are counted, not compared',
      [deal(1)],
      [customer(1001, 1), customer(1002, 9, { externalId: 'SF-00042', email: 'x@y.example' })],
      { customersWithoutDeal: 0, foreignCustomers: 1, compared: 1, rate: 0 },
    ],
    [
      'same e-mail under another external id (a legacy connector created it): duplicate',
      [deal(1), deal(2)],
      [customer(1001, 1), customer(1002, 2), customer(1003, 7, { externalId: 'ZAP-7', email: 'AP2@company2.example' })],
      { duplicates: 1, foreignCustomers: 1, compared: 2, withProblems: 1, rate: 0.5 },
    ],
    [
      'several customers under one external id',
      [deal(1)],
      [customer(1001, 1), customer(1002, 1, { externalId: 'PD-DEAL-1' })],
      { duplicates: 1, withProblems: 1, compared: 1, rate: 1, alert: true },
    ],
    [
      'two deals carrying the same External ID (copied deal)',
      [deal(1, { externalIdSource: 'field' }), deal(2, { externalId: 'pd-deal-1', externalIdSource: 'field' })],
      [customer(1001, 1)],
      { duplicates: 1, compared: 1, withProblems: 1, rate: 1, alert: true },
    ],
    [
      'a record with several problems counts once',
      [deal(1), deal(2)],
      [
        customer(1001, 1, { companyName: 'Other' }),
        customer(1002, 2),
        customer(1003, 8, { externalId: 'legacy-8', email: 'ap1@company1.example' }),
      ],
      { fieldMismatches: 1, duplicates: 1, withProblems: 1, compared: 2, rate: 0.5 },
    ],
  ])('%s', (_name, deals, customers, expected) => {
    const { rate, alert, ...counts } = expected;
    const report = reconcileRecords(deals, customers, AT);
    expect(report.counts).toMatchObject(counts);
    expect(report.mismatchRate).toBeCloseTo(rate, 10);
    if (alert !== undefined) expect(report.alert).toBe(alert);
    expect(report.generatedAt).toBe(AT);
  });

  test('lists each problem with what an operator needs to act on it', () => {
    const report = reconcileRecords(
      [deal(1), deal(2), deal(3, { stageName: 'Onboarded' })],
      [
        customer(1001, 1),
        customer(1002, 2, { companyName: 'Damaged Inc' }),
        customer(1003, 9, { externalId: 'legacy-9', email: 'ap2@company2.example' }),
      ],
      AT,
    );
    expect(report.missingCustomers).toEqual([
      { dealId: '3', externalId: 'pd-deal-3', title: 'Deal 3', stageName: 'Onboarded' },
    ]);
    expect(report.fieldMismatches).toEqual([
      {
        dealId: '2',
        externalId: 'pd-deal-2',
        customerId: '1002',
        fields: [{ field: 'companyName', pipedrive: 'Company 2 Ltd', netsuite: 'Damaged Inc' }],
      },
    ]);
    expect(report.duplicates).toEqual([
      {
        kind: 'email',
        key: 'ap2@company2.example',
        customerIds: ['1002', '1003'],
        externalIds: ['legacy-9', 'pd-deal-2'],
        dealIds: ['2'],
      },
    ]);
    expect(report.counts).toMatchObject({ compared: 3, withProblems: 2, foreignCustomers: 1 });
    expect(report.mismatchRate).toBeCloseTo(2 / 3);
    expect(report.alert).toBe(true);

    const text = formatReconciliationReport(report);
    expect(text).toContain('mismatch rate 66.67% (2 of 3 records) — threshold 2.00% — ALERT');
    expect(text).toContain('deal 3 pd-deal-3 "Deal 3" [Onboarded]');
    expect(text).toContain('companyName: Pipedrive "Company 2 Ltd" ≠ NetSuite "Damaged Inc"');
  });

  test('the threshold and the notion of "ours" are options', () => {
    const report = reconcileRecords(
      cleanDeals,
      [...cleanCustomers.slice(1), customer(2000, 500, { externalId: 'CID500' })],
      AT,
      {
        threshold: 0.05,
        isOurExternalId: (id) => id.startsWith('CID'),
      },
    );
    expect(report.counts).toMatchObject({
      missingCustomers: 1,
      customersWithoutDeal: 1,
      compared: 101,
      withProblems: 2,
    });
    expect(report.alert).toBe(false);
    expect(report.threshold).toBe(0.05);
  });

  test('a duplicate among customers that are not ours is not our problem', () => {
    const report = reconcileRecords(
      [deal(1)],
      [
        customer(1001, 1),
        customer(1002, 5, { externalId: 'SF-1', email: 'same@x.example' }),
        customer(1003, 6, { externalId: 'SF-2', email: 'same@x.example' }),
      ],
      AT,
    );
    expect(report.duplicates).toEqual([]);
  });
});

describe('normaliseText', () => {
  test.each([
    ['  Acme   Ltd ', 'acme ltd'],
    ['ACME\tLtd', 'acme ltd'],
    ['Müller Präzisionstechnik', 'müller präzisionstechnik'],
    ['Mu\u0308ller', 'müller'],
    [undefined, ''],
  ])('%j → %j', (input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });
});
