/**
 * The reconciliation rules of model/reconciliation.ts as SQL over the scratch file: the same counts, the same
 * problems in the same order (test/unit/reconciliation/scratch-compare.test.ts checks the two against each other on
 * random data), but the records stay on disk and only the mismatches pass through memory, one row at a time, on their
 * way into the report files.
 */
import type { ScratchDb } from './scratch-db';
import { ATTRIBUTION_COLUMN, ATTRIBUTION_KEYS } from './scratch-db';
import {
  DEFAULT_MISMATCH_THRESHOLD,
  type DuplicateGroup,
  type FieldMismatch,
  type ReconciliationReport,
} from '../../model/reconciliation';

export type Counts = ReconciliationReport['counts'];
export type MissingCustomer = ReconciliationReport['missingCustomers'][number];
export type CustomerWithoutDeal = ReconciliationReport['customersWithoutDeal'][number];

export interface ComparedScratch {
  counts: Counts;
  mismatchRate: number;
  threshold: number;
  alert: boolean;
}

const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Deals whose External ID matches a customer's, joined to the lowest-id customer with that id (as `customersById.get(key)[0]`). */
const MATCHED = `FROM deals d JOIN cmp_deal_groups g ON g.id_key = d.id_key JOIN customers c ON c.id = g.customer_id`;

function mismatchCondition(attribution: boolean): string {
  const conditions = [
    `(d.org_norm <> '' AND d.org_norm <> c.company_norm)`,
    `(d.email_norm <> '' AND d.email_norm <> c.email_key)`,
  ];
  // Attribution is compared only when NetSuite's fields were readable (as the in-memory rules).
  if (attribution)
    for (const k of ATTRIBUTION_KEYS)
      conditions.push(
        `(d.${ATTRIBUTION_COLUMN[k]}_norm <> '' AND d.${ATTRIBUTION_COLUMN[k]}_norm <> c.${ATTRIBUTION_COLUMN[k]}_norm)`,
      );
  return conditions.join(' OR ');
}

/** Builds the comparison tables and the counts. Safe to run again on the same file (a retried activity does). */
export function compareScratch(s: ScratchDb, threshold = DEFAULT_MISMATCH_THRESHOLD): ComparedScratch {
  const db = s.db;
  const attribution = s.progress().attribution === true;
  db.exec(`
    DROP TABLE IF EXISTS cmp_deal_groups;
    DROP TABLE IF EXISTS cmp_email_groups;
    DROP TABLE IF EXISTS cmp_problems;
    CREATE TABLE cmp_deal_groups AS
      SELECT d.id_key AS id_key, MIN(d.seq) AS first_seq, COUNT(*) AS n,
        (SELECT c.id FROM customers c WHERE c.id_key = d.id_key ORDER BY c.id_num, c.id LIMIT 1) AS customer_id
      FROM deals d WHERE d.id_key <> '' GROUP BY d.id_key;
    CREATE UNIQUE INDEX cmp_deal_groups_key ON cmp_deal_groups (id_key);
    CREATE INDEX cmp_deal_groups_order ON cmp_deal_groups (first_seq);
    UPDATE customers SET ours = CASE WHEN ours_prefix = 1 OR (id_key <> '' AND id_key IN (SELECT id_key FROM cmp_deal_groups)) THEN 1 ELSE 0 END;
    CREATE TABLE cmp_email_groups AS
      SELECT email_key, MIN(id_num) AS first_num, MIN(id) AS first_id FROM customers WHERE email_key <> ''
      GROUP BY email_key HAVING COUNT(DISTINCT id_key) >= 2 AND MAX(ours) = 1;
    CREATE TABLE cmp_problems (id_key TEXT PRIMARY KEY);
    INSERT OR IGNORE INTO cmp_problems SELECT id_key FROM cmp_deal_groups WHERE customer_id IS NULL OR n >= 2;
    INSERT OR IGNORE INTO cmp_problems SELECT d.id_key ${MATCHED} WHERE ${mismatchCondition(attribution)};
    INSERT OR IGNORE INTO cmp_problems SELECT id_key FROM customers WHERE ours = 1 AND id_key NOT IN (SELECT id_key FROM cmp_deal_groups);
    INSERT OR IGNORE INTO cmp_problems SELECT id_key FROM customers WHERE id_key <> '' GROUP BY id_key HAVING COUNT(*) >= 2 AND MAX(ours) = 1;
    INSERT OR IGNORE INTO cmp_problems SELECT c.id_key FROM customers c JOIN cmp_email_groups e ON e.email_key = c.email_key WHERE c.ours = 1;
  `);
  const one = (sql: string): number => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  const allCustomers = one(`SELECT COUNT(*) AS n FROM customers`);
  const ours = one(`SELECT COUNT(*) AS n FROM customers WHERE ours = 1`);
  const counts: Counts = {
    signedDeals: one(`SELECT COUNT(*) AS n FROM deals`),
    customers: ours,
    foreignCustomers: allCustomers - ours,
    compared: one(
      `SELECT COUNT(*) AS n FROM (SELECT id_key FROM cmp_deal_groups UNION SELECT id_key FROM customers WHERE ours = 1)`,
    ),
    withProblems: one(`SELECT COUNT(*) AS n FROM cmp_problems`),
    missingCustomers: one(
      `SELECT COUNT(*) AS n FROM deals d JOIN cmp_deal_groups g ON g.id_key = d.id_key WHERE g.customer_id IS NULL`,
    ),
    customersWithoutDeal: one(
      `SELECT COUNT(*) AS n FROM customers WHERE ours = 1 AND id_key NOT IN (SELECT id_key FROM cmp_deal_groups)`,
    ),
    fieldMismatches: one(`SELECT COUNT(*) AS n ${MATCHED} WHERE ${mismatchCondition(attribution)}`),
    duplicates:
      one(
        `SELECT COUNT(*) AS n FROM (SELECT id_key FROM customers WHERE id_key <> '' GROUP BY id_key HAVING COUNT(*) >= 2 AND MAX(ours) = 1)`,
      ) +
      one(`SELECT COUNT(*) AS n FROM cmp_email_groups`) +
      one(`SELECT COUNT(*) AS n FROM cmp_deal_groups WHERE n >= 2`),
  };
  const mismatchRate = counts.compared === 0 ? 0 : counts.withProblems / counts.compared;
  return { counts, mismatchRate, threshold, alert: mismatchRate > threshold };
}

interface DealRow {
  seq: number;
  first_seq: number;
  deal_id: string;
  external_id: string;
  title: string;
  stage_name: string | null;
}

/** Signed deals without a customer, in the report's order (first appearance of their External ID, then listing order). */
export function* missingCustomers(s: ScratchDb): Generator<MissingCustomer> {
  const rows = s.db
    .prepare(
      `SELECT d.seq, g.first_seq, d.deal_id, d.external_id, d.title, d.stage_name FROM deals d JOIN cmp_deal_groups g ON g.id_key = d.id_key WHERE g.customer_id IS NULL ORDER BY g.first_seq, d.seq`,
    )
    .iterate() as IterableIterator<DealRow>;
  for (const r of rows)
    yield {
      dealId: r.deal_id,
      externalId: r.external_id,
      title: r.title,
      ...(r.stage_name ? { stageName: r.stage_name } : {}),
    };
}

export function* customersWithoutDeal(s: ScratchDb): Generator<CustomerWithoutDeal> {
  const rows = s.db
    .prepare(
      `SELECT id, external_id, company_name, email FROM customers WHERE ours = 1 AND id_key NOT IN (SELECT id_key FROM cmp_deal_groups) ORDER BY id_num, id`,
    )
    .iterate() as IterableIterator<{
    id: string;
    external_id: string;
    company_name: string | null;
    email: string | null;
  }>;
  for (const c of rows)
    yield {
      customerId: c.id,
      externalId: c.external_id,
      ...(c.company_name ? { companyName: c.company_name } : {}),
      ...(c.email ? { email: c.email } : {}),
    };
}

export function* fieldMismatches(s: ScratchDb): Generator<FieldMismatch> {
  const attribution = s.progress().attribution === true;
  const attrCols = ATTRIBUTION_KEYS.flatMap((k) => [
    `d.${ATTRIBUTION_COLUMN[k]} AS d_${k}`,
    `d.${ATTRIBUTION_COLUMN[k]}_norm AS dn_${k}`,
    `c.${ATTRIBUTION_COLUMN[k]} AS c_${k}`,
    `c.${ATTRIBUTION_COLUMN[k]}_norm AS cn_${k}`,
  ]);
  const rows = s.db
    .prepare(
      `SELECT d.deal_id, d.external_id, c.id AS customer_id, d.organization_name, d.org_norm, c.company_name, c.company_norm, d.email, d.email_norm, c.email AS c_email, c.email_key,
         ${attrCols.join(', ')}
       ${MATCHED} WHERE ${mismatchCondition(attribution)} ORDER BY g.first_seq, d.seq`,
    )
    .iterate() as IterableIterator<Record<string, string | null>>;
  for (const r of rows) {
    const fields: FieldMismatch['fields'] = [];
    if (r.org_norm !== '' && r.org_norm !== r.company_norm)
      fields.push({ field: 'companyName', pipedrive: r.organization_name!, netsuite: r.company_name ?? null });
    if (r.email_norm !== '' && r.email_norm !== r.email_key)
      fields.push({ field: 'email', pipedrive: r.email!, netsuite: r.c_email ?? null });
    if (attribution) {
      for (const k of ATTRIBUTION_KEYS) {
        if (r[`dn_${k}`] === '' || r[`dn_${k}`] === r[`cn_${k}`]) continue;
        fields.push({ field: k, pipedrive: r[`d_${k}`]!, netsuite: r[`c_${k}`] ?? null });
      }
    }
    yield { dealId: r.deal_id!, externalId: r.external_id!, customerId: r.customer_id!, fields };
  }
}

/** Groups are read a batch at a time (the per-group reads cannot run while a statement is being iterated). */
function* inBatches<K>(page: (after: K | undefined) => K[], batch = 500): Generator<K> {
  let after: K | undefined;
  for (;;) {
    const keys = page(after);
    yield* keys;
    if (keys.length < batch) return;
    after = keys[keys.length - 1];
  }
}

export function* duplicates(s: ScratchDb): Generator<DuplicateGroup> {
  const db = s.db;
  const customersOfKey = db.prepare(
    `SELECT id, external_id, id_key FROM customers WHERE id_key = ? ORDER BY id_num, id`,
  );
  const customersOfEmail = db.prepare(
    `SELECT id, external_id, id_key FROM customers WHERE email_key = ? ORDER BY id_num, id`,
  );
  const dealsOfKey = db.prepare(`SELECT deal_id, external_id FROM deals WHERE id_key = ?`);
  const dealIdsFor = (keys: Iterable<string>): string[] =>
    uniqueSorted(
      [...keys].flatMap((k) =>
        k === '' ? [] : (dealsOfKey.all(k) as Array<{ deal_id: string }>).map((d) => d.deal_id),
      ),
    );
  type C = { id: string; external_id: string; id_key: string };

  // Several customers under one external id (one of them ours), in order of their lowest id.
  const byKey = db.prepare(
    `SELECT id_key, MIN(id_num) AS first_num, MIN(id) AS first_id FROM customers WHERE id_key <> '' GROUP BY id_key HAVING COUNT(*) >= 2 AND MAX(ours) = 1
     ORDER BY first_num, first_id, id_key`,
  );
  const keyGroups = byKey.all() as Array<{ id_key: string }>;
  for (const { id_key } of keyGroups) {
    const group = customersOfKey.all(id_key) as C[];
    yield {
      kind: 'externalId',
      key: id_key,
      customerIds: group.map((c) => c.id),
      externalIds: uniqueSorted(group.map((c) => c.external_id)),
      dealIds: dealIdsFor([id_key]),
    };
  }

  // One e-mail, several external ids (one of them ours).
  const emailPage = db.prepare(
    `SELECT email_key, first_num, first_id FROM cmp_email_groups WHERE (first_num, first_id, email_key) > (?, ?, ?) ORDER BY first_num, first_id, email_key LIMIT 500`,
  );
  type E = { email_key: string; first_num: number; first_id: string };
  for (const e of inBatches<E>(
    (after) => emailPage.all(after?.first_num ?? -Infinity, after?.first_id ?? '', after?.email_key ?? '') as E[],
  )) {
    const group = customersOfEmail.all(e.email_key) as C[];
    const distinct = new Set(group.map((c) => c.id_key));
    yield {
      kind: 'email',
      key: e.email_key,
      customerIds: group.map((c) => c.id),
      externalIds: uniqueSorted(group.map((c) => c.external_id)),
      dealIds: dealIdsFor(distinct),
    };
  }

  // Several signed deals carrying one External ID, in order of the first of them.
  const dealPage = db.prepare(
    `SELECT id_key, first_seq FROM cmp_deal_groups WHERE n >= 2 AND first_seq > ? ORDER BY first_seq LIMIT 500`,
  );
  type G = { id_key: string; first_seq: number };
  for (const g of inBatches<G>((after) => dealPage.all(after?.first_seq ?? -1) as G[])) {
    const deals = dealsOfKey.all(g.id_key) as Array<{ deal_id: string; external_id: string }>;
    yield {
      kind: 'dealExternalId',
      key: g.id_key,
      customerIds: (customersOfKey.all(g.id_key) as C[]).map((c) => c.id),
      externalIds: uniqueSorted(deals.map((d) => d.external_id)),
      dealIds: uniqueSorted(deals.map((d) => d.deal_id)),
    };
  }
}
