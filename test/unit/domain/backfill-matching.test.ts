import {
  addTotals,
  decideBackfill,
  EMPTY_TOTALS,
  matchedOn,
  tallyDecisions,
  type BackfillDeal,
  type BackfillDecision,
  type CustomerCandidate,
} from '../../../backfill/model/matching';

const deal = (over: Partial<BackfillDeal> = {}): BackfillDeal => ({
  dealId: '7',
  title: 'Acme onboarding',
  externalId: 'pd-abc-7',
  externalIdOnDeal: false,
  email: 'ap@acme.example',
  organizationName: 'Acme Ltd',
  ...over,
});

const c = (id: string, over: Partial<CustomerCandidate> = {}): CustomerCandidate => ({ id, ...over });

describe('decideBackfill', () => {
  const table: Array<[string, BackfillDeal, CustomerCandidate[], BackfillDecision]> = [
    [
      'nothing in NetSuite ⇒ start its onboarding',
      deal(),
      [c('1', { email: 'someone@else.example', companyName: 'Other' })],
      { kind: 'start-onboarding', dealId: '7', externalId: 'pd-abc-7' },
    ],
    [
      'same externalId (case and space ignored) ⇒ matched; the derived id goes onto the deal',
      deal(),
      [c('5', { externalId: ' PD-ABC-7 ', email: 'changed@acme.example' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'externalId',
        customerId: '5',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: false,
        writePipedriveExternalId: true,
      },
    ],
    [
      'same externalId and the deal already carries it ⇒ nothing to write',
      deal({ externalIdOnDeal: true }),
      [c('5', { externalId: 'pd-abc-7' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'externalId',
        customerId: '5',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: false,
        writePipedriveExternalId: false,
      },
    ],
    [
      'externalId wins over a second customer found by e-mail',
      deal(),
      [c('3', { email: 'AP@acme.example' }), c('5', { externalId: 'pd-abc-7' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'externalId',
        customerId: '5',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: false,
        writePipedriveExternalId: true,
      },
    ],
    [
      'one customer by e-mail, no externalId ⇒ it gets the deal’s, and the deal gets it too',
      deal(),
      [c('9', { email: ' AP@ACME.example ', companyName: 'Acme Holdings' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'email',
        customerId: '9',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: true,
        writePipedriveExternalId: true,
      },
    ],
    [
      'one customer by company name (whitespace and case ignored), no externalId',
      deal({ email: undefined }),
      [c('9', { companyName: '  ACME   ltd ' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'companyName',
        customerId: '9',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: true,
        writePipedriveExternalId: true,
      },
    ],
    [
      'one customer under the old connector’s own key, deal without one ⇒ the deal adopts it; NetSuite untouched',
      deal(),
      [c('9', { externalId: 'ZAP-77', email: 'ap@acme.example' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'email',
        customerId: '9',
        externalId: 'ZAP-77',
        writeNetSuiteExternalId: false,
        writePipedriveExternalId: true,
      },
    ],
    [
      'the deal has its own External ID and the customer another ⇒ conflict, nothing written',
      deal({ externalId: 'CID-1', externalIdOnDeal: true }),
      [c('9', { externalId: 'ZAP-77', companyName: 'Acme Ltd' })],
      {
        kind: 'conflict',
        dealId: '7',
        externalId: 'CID-1',
        customerId: '9',
        reason: 'deal-external-id-differs',
        customerExternalId: 'ZAP-77',
      },
    ],
    [
      'the customer’s key is not a valid external_id (spaces, dots) ⇒ conflict',
      deal(),
      [c('9', { externalId: 'zap 77.1', email: 'ap@acme.example' })],
      {
        kind: 'conflict',
        dealId: '7',
        externalId: 'pd-abc-7',
        customerId: '9',
        reason: 'customer-external-id-invalid',
        customerExternalId: 'zap 77.1',
      },
    ],
    [
      'two customers (one by e-mail, one by company) ⇒ suspected duplicates, lowest id first',
      deal(),
      [c('12', { companyName: 'ACME LTD', externalId: 'ZAP-2' }), c('4', { email: 'ap@acme.example' })],
      {
        kind: 'suspected-duplicates',
        dealId: '7',
        externalId: 'pd-abc-7',
        customers: [
          { id: '4', matchedOn: ['email'] },
          { id: '12', externalId: 'ZAP-2', matchedOn: ['companyName'] },
        ],
      },
    ],
    [
      'a copied deal: its External ID is on a customer created for another deal ⇒ conflict, never matched',
      deal({ externalIdOnDeal: true }),
      [c('5', { externalId: 'pd-abc-7', ownerDealId: '6' })],
      {
        kind: 'conflict',
        dealId: '7',
        externalId: 'pd-abc-7',
        customerId: '5',
        reason: 'customer-belongs-to-another-deal',
        customerExternalId: 'pd-abc-7',
        ownerDealId: '6',
      },
    ],
    [
      'the customer with the deal’s External ID was created for this deal ⇒ matched',
      deal({ externalIdOnDeal: true }),
      [c('5', { externalId: 'pd-abc-7', ownerDealId: ' 7 ' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'externalId',
        customerId: '5',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: false,
        writePipedriveExternalId: false,
      },
    ],
    [
      'the only customer by e-mail belongs to another deal (same company, second deal) ⇒ conflict, not adopted',
      deal(),
      [c('9', { externalId: 'pd-abc-6', email: 'ap@acme.example', ownerDealId: '6' })],
      {
        kind: 'conflict',
        dealId: '7',
        externalId: 'pd-abc-7',
        customerId: '9',
        reason: 'customer-belongs-to-another-deal',
        customerExternalId: 'pd-abc-6',
        ownerDealId: '6',
      },
    ],
    [
      'a customer without a key but stamped for another deal ⇒ conflict, its externalId is not written',
      deal(),
      [c('9', { companyName: 'Acme Ltd', ownerDealId: '6' })],
      {
        kind: 'conflict',
        dealId: '7',
        externalId: 'pd-abc-7',
        customerId: '9',
        reason: 'customer-belongs-to-another-deal',
        ownerDealId: '6',
      },
    ],
    [
      'another deal’s customer is left out: the one unclaimed customer by e-mail is matched',
      deal(),
      [c('3', { companyName: 'Acme Ltd', ownerDealId: '6' }), c('9', { email: 'ap@acme.example' })],
      {
        kind: 'matched',
        dealId: '7',
        by: 'email',
        customerId: '9',
        externalId: 'pd-abc-7',
        writeNetSuiteExternalId: true,
        writePipedriveExternalId: true,
      },
    ],
    [
      'a deal without e-mail or organization matches nothing by those',
      deal({ email: undefined, organizationName: undefined }),
      [c('1', { email: '', companyName: '' })],
      { kind: 'start-onboarding', dealId: '7', externalId: 'pd-abc-7' },
    ],
  ];

  it.each(table)('%s', (_name, d, candidates, expected) => {
    expect(decideBackfill(d, candidates)).toEqual(expected);
  });

  it('matchedOn lists every shared key', () => {
    expect(
      matchedOn(deal(), c('1', { externalId: 'pd-abc-7', email: 'ap@acme.example', companyName: 'acme ltd' })),
    ).toEqual(['externalId', 'email', 'companyName']);
  });
});

describe('tallyDecisions / addTotals', () => {
  it('counts matches by kind, planned writes, starts, duplicates and conflicts', () => {
    const decisions = table();
    const t = tallyDecisions(decisions);
    expect(t).toEqual({
      ...EMPTY_TOTALS,
      dealsSeen: 5,
      matchedByExternalId: 1,
      matchedByEmail: 1,
      matchedByCompanyName: 0,
      netsuiteExternalIdsWritten: 1,
      pipedriveExternalIdsWritten: 2,
      suspectedDuplicates: 1,
      conflicts: 1,
    });
    expect(addTotals(t, { dealsSeen: 2, onboardingsStarted: 3 })).toMatchObject({
      dealsSeen: 7,
      onboardingsStarted: 3,
      matchedByEmail: 1,
    });
  });

  function table(): BackfillDecision[] {
    return [
      decideBackfill(deal(), [c('1', { externalId: 'pd-abc-7' })]),
      decideBackfill(deal({ dealId: '8', externalId: 'pd-abc-8' }), [c('2', { email: 'ap@acme.example' })]),
      decideBackfill(deal({ dealId: '9' }), []),
      decideBackfill(deal({ dealId: '10' }), [
        c('3', { email: 'ap@acme.example' }),
        c('4', { companyName: 'Acme Ltd' }),
      ]),
      decideBackfill(deal({ dealId: '11', externalIdOnDeal: true, externalId: 'X-1' }), [
        c('5', { email: 'ap@acme.example', externalId: 'Y-1' }),
      ]),
    ];
  }
});
