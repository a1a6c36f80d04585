/**
 * The SQL comparison over the scratch file against the in-memory rules (model/reconciliation.ts) on random data full
 * of collisions (shared and case-varied External IDs, copied deal External IDs, shared e-mails, foreign ids, empty
 * names, attribution on and off): the stored JSON and text reports must be byte for byte the same, and so must the
 * Slack digest. Also: the file is 0600 in a 0700 directory, and a page stored twice (a resumed listing) counts once.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../../../reconciliation/activities/report-slack';
import {
  formatReconciliationReport,
  reconcileRecords,
  type NetSuiteCustomerRow,
  type SignedDealRecord,
} from '../../../reconciliation/model/reconciliation';
import { compareScratch } from '../../../reconciliation/activities/scratch/scratch-compare';
import { ScratchDb, scratchDir } from '../../../reconciliation/activities/scratch/scratch-db';
import { writeReportFromScratch } from '../../../reconciliation/activities/scratch/report-writer';

/** Deterministic PRNG (mulberry32): a failure names its seed and reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomData(
  seed: number,
  n: number,
  withAttribution: boolean,
): { deals: SignedDealRecord[]; customers: NetSuiteCustomerRow[] } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['Acme Ltd', '  ACME  ltd ', 'Globex', 'Initech GmbH', 'Hooli', ''];
  const emails = ['a@x.example', 'A@X.example ', 'b@y.example', 'c@z.example', ''];
  const campaigns = ['Spring launch', 'spring  LAUNCH', 'Autumn', ''];
  const deals: SignedDealRecord[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * n * 0.8);
    const externalId = r() < 0.1 ? `CID-${k}` : r() < 0.5 ? `pd-1-${k}` : `PD-1-${k} `;
    const org = pick(names);
    const email = pick(emails);
    const camp = pick(campaigns);
    deals.push({
      dealId: String(1000 + i),
      externalId,
      externalIdSource: 'derived',
      title: `Deal ${i}`,
      ...(r() < 0.8 ? { stageName: pick(['Contract Signed', 'Onboarded']) } : {}),
      ...(org ? { organizationName: org } : {}),
      ...(email ? { email } : {}),
      ...(camp
        ? { attribution: { campaign: camp, ...(r() < 0.5 ? { channel: pick(['Paid search', 'Partner']) } : {}) } }
        : {}),
    });
  }
  const customers: NetSuiteCustomerRow[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * n);
    const externalId = r() < 0.15 ? `ZAP-${k}` : r() < 0.5 ? `pd-1-${k}` : `Pd-1-${k}`;
    const company = pick(names);
    const email = pick(emails);
    customers.push({
      id: String(Math.floor(r() * n * 10) + 1),
      externalId,
      ...(company ? { companyName: company } : {}),
      ...(email ? { email } : {}),
      ...(withAttribution
        ? {
            attribution:
              r() < 0.7
                ? { campaign: pick(campaigns.filter(Boolean)), ...(r() < 0.3 ? { channel: 'Partner' } : {}) }
                : {},
          }
        : {}),
    });
  }
  // Customer ids are unique in NetSuite.
  const seen = new Set<string>();
  return { deals, customers: customers.filter((c) => !seen.has(c.id) && seen.add(c.id)) };
}

describe('reconciliation over the scratch file equals the in-memory rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scratch-compare-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [1, 60, true],
    [2, 60, false],
    [3, 400, true],
    [4, 400, false],
    [5, 1500, true],
    [6, 5, true],
    [7, 0, true],
  ])('seed %i, %i records, attribution %s: same JSON, text and digest', (seed, n, attribution) => {
    const { deals, customers } = randomData(seed, n, attribution);
    const generatedAt = '2026-12-05T06:00:00.000Z';
    const expected = reconcileRecords(deals, customers, generatedAt);

    const s = ScratchDb.open(join(scratchDir(dir), `t-${seed}.sqlite`), { fresh: true });
    try {
      // In pages of 97, the first deal page twice (as a listing resumed from an older position stores it again).
      for (let i = 0; i < deals.length; i += 97)
        s.storeDealPage(deals.slice(i, i + 97), { stageIndex: 0, cursor: String(i) });
      s.storeDealPage(deals.slice(0, 97), 'done');
      const sorted = [...customers].sort((a, b) => Number(a.id) - Number(b.id));
      for (let i = 0; i < sorted.length; i += 89)
        s.storeCustomerPage(
          sorted.slice(i, i + 89),
          { afterId: sorted[Math.min(i + 88, sorted.length - 1)]!.id },
          attribution,
        );
      s.storeCustomerPage([], 'done', attribution);

      const compared = compareScratch(s);
      expect(compared.counts).toEqual(expected.counts);
      expect(compared.mismatchRate).toBe(expected.mismatchRate);

      const paths = { jsonPath: join(dir, `r-${seed}.json`), textPath: join(dir, `r-${seed}.txt`) };
      const digest = writeReportFromScratch(s, { ...compared, generatedAt }, paths, undefined);
      expect(readFileSync(paths.jsonPath, 'utf8')).toBe(`${JSON.stringify(expected, null, 2)}\n`);
      expect(readFileSync(paths.textPath, 'utf8')).toBe(formatReconciliationReport(expected));
      expect(digest).toEqual(digestOf(expected));
      expect(statSync(paths.jsonPath).mode & 0o777).toBe(0o600);
      expect(statSync(s.path).mode & 0o777).toBe(0o600);
      expect(statSync(scratchDir(dir)).mode & 0o777).toBe(0o700);
    } finally {
      s.close();
    }
    // The random data must actually exercise every kind of problem (else the equality proves little).
    if (n >= 400) {
      expect(
        expected.counts.missingCustomers * expected.counts.customersWithoutDeal * expected.counts.fieldMismatches,
      ).toBeGreaterThan(0);
      expect(new Set(expected.duplicates.map((d) => d.kind)).size).toBe(3);
    }
  });
});
