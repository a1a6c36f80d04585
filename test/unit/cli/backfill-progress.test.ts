import {
  formatBackfillSummary,
  progressBar,
  progressLine,
  type BackfillCommandResult,
} from '../../../starters/cli/backfill-command';
import { EMPTY_TOTALS } from '../../../backfill/model/matching';
import type { BackfillState } from '../../../backfill/workflows/backfill';

const state = (over: Partial<BackfillState> = {}): BackfillState => ({
  dryRun: false,
  startedAt: '2026-11-27T04:00:00.000Z',
  total: 200,
  pages: 1,
  done: false,
  totals: {
    ...EMPTY_TOTALS,
    dealsSeen: 50,
    matchedByEmail: 3,
    matchedByExternalId: 40,
    onboardingsStarted: 2,
    suspectedDuplicates: 1,
  },
  actions: [],
  suspectedDuplicates: [],
  conflicts: [],
  writeFailures: [],
  ...over,
});

describe('backfill progress and summary', () => {
  it('draws the share of deals seen as a bar', () => {
    expect(progressBar(state(), 20)).toBe('[#####...............]  25%');
    expect(progressBar(state({ total: 0, done: true, totals: EMPTY_TOTALS }), 10)).toBe('[##########] 100%');
    expect(progressBar(state({ total: 0 }), 10)).toBe('[..........]   0%');
  });

  it('says what was seen in one line', () => {
    expect(progressLine(state({ dryRun: true }))).toBe(
      'backfill (dry run): 50/200 deals · matched 43 · onboardings 2 · duplicates 1',
    );
    expect(progressLine(state({ done: true }))).toMatch(/ · done$/);
  });

  it('a paged backfill shows ? for the total until its last page, and the summary names the per-deal report', () => {
    expect(progressLine(state({ total: 0 }))).toMatch(/^backfill: 50\/\? deals · /);
    expect(progressLine(state({ total: 0, done: true, totals: EMPTY_TOTALS }))).toMatch(/^backfill: 0\/0 deals/);
    const text = formatBackfillSummary({
      ...state({ done: true, total: 50, report: { path: '/srv/.data/reports/backfill-x.jsonl', bytes: 900 } }),
      workflowId: 'backfill',
      attached: false,
    });
    expect(text).toContain(
      "every deal and what it got (one JSON line a deal, on the worker's host): /srv/.data/reports/backfill-x.jsonl",
    );
    expect(text).not.toContain('What it did:');
  });

  it('the dry-run summary says what would be done, and lists duplicates and conflicts for review', () => {
    const r: BackfillCommandResult = {
      ...state({ dryRun: true, done: true }),
      workflowId: 'backfill-dry-run',
      attached: false,
      actions: [
        { action: 'write-netsuite-external-id', dealId: '7', customerId: '1001', externalId: 'pd-x-7' },
        { action: 'write-pipedrive-external-id', dealId: '8', externalId: 'ZAP-8' },
        { action: 'start-onboarding', dealId: '9', externalId: 'pd-x-9' },
      ],
      suspectedDuplicates: [
        {
          kind: 'suspected-duplicates',
          dealId: '10',
          externalId: 'pd-x-10',
          customers: [
            { id: '4', matchedOn: ['email'] },
            { id: '5', externalId: 'ZAP-5', matchedOn: ['companyName'] },
          ],
        },
      ],
      conflicts: [
        {
          kind: 'conflict',
          dealId: '11',
          externalId: 'CID-11',
          customerId: '6',
          reason: 'deal-external-id-differs',
          customerExternalId: 'ZAP-6',
        },
      ],
    };
    const text = formatBackfillSummary(r);
    expect(text).toContain('backfill backfill-dry-run (dry run: nothing was changed)');
    expect(text).toContain('external ids would be written: NetSuite 0 · Pipedrive 0');
    expect(text).toContain('onboardings would be started 2\n');
    expect(text).toContain(
      'What it would do:\n  deal 7: set externalId pd-x-7 on NetSuite customer 1001\n  deal 8: set its External ID field to ZAP-8\n  deal 9: start onboarding pd-x-9\n',
    );
    expect(text).toContain('deal 10 (pd-x-10): customers 4 by email, 5 [ZAP-5] by companyName');
    expect(text).toContain('deal 11 (CID-11) ↔ customer 6 [ZAP-6]: deal-external-id-differs');
  });
});
