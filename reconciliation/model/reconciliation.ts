/**
 * The daily reconciliation (the guide's "SuiteQL comparing NetSuite customers vs Pipedrive deals by external_id, flag
 * mismatch rates >2%"): signed Pipedrive deals against NetSuite customers that carry an externalId. Pure: no I/O, no
 * clock (the caller passes `generatedAt`), so the rules are table-tested and run inside an activity, where changing
 * them never breaks the replay of a workflow history.
 */
import { DERIVED_EXTERNAL_ID_PREFIX } from '../../domain/external-id';

/** A deal in Contract Signed or a later stage of its pipeline, as the reconciliation needs it. */
export interface SignedDealRecord {
  dealId: string;
  /** The deal's external_id: its "External ID" field when valid, else derived from company id + deal id. */
  externalId: string;
  externalIdSource: 'field' | 'derived';
  title: string;
  stageName?: string;
  organizationName?: string;
  /** The address onboarding writes to NetSuite (the person's primary e-mail, or the first valid one). */
  email?: string;
  /** Lead-to-revenue attribution as Pipedrive holds it (Pipedrive owns it; NetSuite should carry the same). */
  attribution?: Attribution;
}

export type Attribution = { campaign?: string; leadSource?: string; channel?: string };
const ATTRIBUTION_KEYS = ['campaign', 'leadSource', 'channel'] as const;

/** `SELECT id, externalid, email, companyname FROM customer WHERE externalid IS NOT NULL`, one row. */
export interface NetSuiteCustomerRow {
  id: string;
  externalId: string;
  email?: string;
  companyName?: string;
  /** The template's attribution targets read back (absent when the account has none of those fields). */
  attribution?: Attribution;
}

export type ComparedField = 'companyName' | 'email' | keyof Attribution;

export interface FieldMismatch {
  dealId: string;
  externalId: string;
  customerId: string;
  fields: Array<{ field: ComparedField; pipedrive: string; netsuite: string | null }>;
}

export interface DuplicateGroup {
  /** `externalId`: several customers under one external id; `email`: several customers share a billing e-mail;
   * `dealExternalId`: several signed deals carry the same External ID (a copied Pipedrive deal copies the field). */
  kind: 'externalId' | 'email' | 'dealExternalId';
  /** The shared value, normalised. */
  key: string;
  customerIds: string[];
  externalIds: string[];
  dealIds: string[];
}

export interface ReconciliationOptions {
  /** Mismatch rate above which the report alerts (the guide's 2%). A fraction: 0.02. */
  threshold?: number;
  /**
   * Which NetSuite external ids the orchestrator could have written, beyond those of the signed deals: a customer
   * whose id passes and matches no signed deal is reported as "without a deal"; the others (other integrations,
   * manual imports) are only counted. Default: ids with the derived prefix `pd-`.
   */
  isOurExternalId?: (externalId: string) => boolean;
}

export interface ReconciliationReport {
  generatedAt: string;
  threshold: number;
  counts: {
    signedDeals: number;
    /** Customers with an externalId that matched a deal or look like ours. */
    customers: number;
    /** Customers with an externalId that is not ours (left out of the comparison). */
    foreignCustomers: number;
    /** Distinct external ids compared: signed deals ∪ our customers. */
    compared: number;
    /** Of those, records with at least one problem. */
    withProblems: number;
    missingCustomers: number;
    customersWithoutDeal: number;
    fieldMismatches: number;
    duplicates: number;
  };
  /** withProblems / compared, 0 when nothing was compared. */
  mismatchRate: number;
  alert: boolean;
  missingCustomers: Array<{ dealId: string; externalId: string; title: string; stageName?: string }>;
  customersWithoutDeal: Array<{ customerId: string; externalId: string; companyName?: string; email?: string }>;
  fieldMismatches: FieldMismatch[];
  duplicates: DuplicateGroup[];
}

export const DEFAULT_MISMATCH_THRESHOLD = 0.02;

/** Case and whitespace do not make a mismatch: `  ACME  Ltd ` equals `acme ltd`. */
export function normaliseText(value: string | undefined | null): string {
  return (value ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function normaliseEmail(value: string | undefined | null): string {
  return (value ?? '').trim().toLowerCase();
}

/** External ids are compared as NetSuite looks them up: ignoring case and surrounding space. */
const idKey = (externalId: string): string => externalId.trim().toLowerCase();

const defaultIsOurs = (externalId: string): boolean =>
  externalId.trim().toLowerCase().startsWith(DERIVED_EXTERNAL_ID_PREFIX);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === '') continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const byNumericId = (a: { id: string }, b: { id: string }): number =>
  Number(a.id) - Number(b.id) || a.id.localeCompare(b.id);
const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function reconcileRecords(
  deals: readonly SignedDealRecord[],
  customers: readonly NetSuiteCustomerRow[],
  generatedAt: string,
  options: ReconciliationOptions = {},
): ReconciliationReport {
  const threshold = options.threshold ?? DEFAULT_MISMATCH_THRESHOLD;
  const isOurs = options.isOurExternalId ?? defaultIsOurs;

  const dealsById = groupBy(deals, (d) => idKey(d.externalId));
  const customersById = groupBy([...customers].sort(byNumericId), (c) => idKey(c.externalId));
  const ours = customers.filter((c) => dealsById.has(idKey(c.externalId)) || isOurs(c.externalId));
  const ourIds = new Set(ours.map((c) => c.id));

  const compared = new Set<string>([...dealsById.keys(), ...ours.map((c) => idKey(c.externalId))]);
  const withProblems = new Set<string>();

  const missingCustomers: ReconciliationReport['missingCustomers'] = [];
  const fieldMismatches: FieldMismatch[] = [];
  for (const [key, group] of dealsById) {
    const match = customersById.get(key)?.[0];
    for (const deal of group) {
      if (!match) {
        missingCustomers.push({
          dealId: deal.dealId,
          externalId: deal.externalId,
          title: deal.title,
          ...(deal.stageName ? { stageName: deal.stageName } : {}),
        });
        withProblems.add(key);
        continue;
      }
      const fields: FieldMismatch['fields'] = [];
      if (
        normaliseText(deal.organizationName) !== '' &&
        normaliseText(deal.organizationName) !== normaliseText(match.companyName)
      ) {
        fields.push({ field: 'companyName', pipedrive: deal.organizationName!, netsuite: match.companyName ?? null });
      }
      if (normaliseEmail(deal.email) !== '' && normaliseEmail(deal.email) !== normaliseEmail(match.email)) {
        fields.push({ field: 'email', pipedrive: deal.email!, netsuite: match.email ?? null });
      }
      // Attribution is compared only where NetSuite's fields were readable: a customer row without them says nothing.
      for (const key of ATTRIBUTION_KEYS) {
        const wanted = deal.attribution?.[key];
        if (
          match.attribution === undefined ||
          normaliseText(wanted) === '' ||
          normaliseText(wanted) === normaliseText(match.attribution[key])
        )
          continue;
        fields.push({ field: key, pipedrive: wanted!, netsuite: match.attribution[key] ?? null });
      }
      if (fields.length > 0) {
        fieldMismatches.push({ dealId: deal.dealId, externalId: deal.externalId, customerId: match.id, fields });
        withProblems.add(key);
      }
    }
  }

  const customersWithoutDeal = ours
    .filter((c) => !dealsById.has(idKey(c.externalId)))
    .sort(byNumericId)
    .map((c) => ({
      customerId: c.id,
      externalId: c.externalId,
      ...(c.companyName ? { companyName: c.companyName } : {}),
      ...(c.email ? { email: c.email } : {}),
    }));
  for (const c of customersWithoutDeal) withProblems.add(idKey(c.externalId));

  const duplicates: DuplicateGroup[] = [];
  const dealIdsFor = (externalIds: Iterable<string>): string[] =>
    uniqueSorted([...externalIds].flatMap((id) => (dealsById.get(idKey(id)) ?? []).map((d) => d.dealId)));
  for (const [key, group] of customersById) {
    if (group.length < 2 || !group.some((c) => ourIds.has(c.id))) continue;
    duplicates.push({
      kind: 'externalId',
      key,
      customerIds: group.map((c) => c.id),
      externalIds: uniqueSorted(group.map((c) => c.externalId)),
      dealIds: dealIdsFor([key]),
    });
    withProblems.add(key);
  }
  for (const [key, group] of groupBy([...customers].sort(byNumericId), (c) => normaliseEmail(c.email))) {
    const distinctIds = new Set(group.map((c) => idKey(c.externalId)));
    // Several rows under one external id are already reported above; here: one e-mail, several external ids.
    if (distinctIds.size < 2 || !group.some((c) => ourIds.has(c.id))) continue;
    duplicates.push({
      kind: 'email',
      key,
      customerIds: group.map((c) => c.id),
      externalIds: uniqueSorted(group.map((c) => c.externalId)),
      dealIds: dealIdsFor(distinctIds),
    });
    for (const c of group) if (ourIds.has(c.id)) withProblems.add(idKey(c.externalId));
  }
  for (const [key, group] of dealsById) {
    if (group.length < 2) continue;
    duplicates.push({
      kind: 'dealExternalId',
      key,
      customerIds: (customersById.get(key) ?? []).map((c) => c.id),
      externalIds: uniqueSorted(group.map((d) => d.externalId)),
      dealIds: uniqueSorted(group.map((d) => d.dealId)),
    });
    withProblems.add(key);
  }

  const mismatchRate = compared.size === 0 ? 0 : withProblems.size / compared.size;
  return {
    generatedAt,
    threshold,
    counts: {
      signedDeals: deals.length,
      customers: ours.length,
      foreignCustomers: customers.length - ours.length,
      compared: compared.size,
      withProblems: withProblems.size,
      missingCustomers: missingCustomers.length,
      customersWithoutDeal: customersWithoutDeal.length,
      fieldMismatches: fieldMismatches.length,
      duplicates: duplicates.length,
    },
    mismatchRate,
    alert: mismatchRate > threshold,
    missingCustomers,
    customersWithoutDeal,
    fieldMismatches,
    duplicates,
  };
}

/** The report's lines, one function per kind, shared by the in-memory report and the one streamed from the scratch file. */
const pct = (r: number): string => `${(r * 100).toFixed(2)}%`;

export function reportHeaderLines(
  r: Pick<ReconciliationReport, 'generatedAt' | 'threshold' | 'counts' | 'mismatchRate' | 'alert'>,
): string[] {
  const c = r.counts;
  return [
    `Reconciliation ${r.generatedAt}`,
    `mismatch rate ${pct(r.mismatchRate)} (${c.withProblems} of ${c.compared} records) — threshold ${pct(r.threshold)}${r.alert ? ' — ALERT' : ''}`,
    `signed deals ${c.signedDeals} · our NetSuite customers ${c.customers} · other customers with an externalId ${c.foreignCustomers}`,
    '',
  ];
}

export const missingCustomerLine = (m: ReconciliationReport['missingCustomers'][number]): string =>
  `  deal ${m.dealId} ${m.externalId} "${m.title}"${m.stageName ? ` [${m.stageName}]` : ''}`;

export const customerWithoutDealLine = (m: ReconciliationReport['customersWithoutDeal'][number]): string =>
  `  customer ${m.customerId} ${m.externalId} ${m.companyName ?? ''} ${m.email ?? ''}`.trimEnd();

export const fieldMismatchLines = (m: FieldMismatch): string[] => [
  `  deal ${m.dealId} ↔ customer ${m.customerId} (${m.externalId})`,
  ...m.fields.map(
    (f) =>
      `    ${f.field}: Pipedrive "${f.pipedrive}" ≠ NetSuite ${f.netsuite === null ? '(empty)' : `"${f.netsuite}"`}`,
  ),
];

export const duplicateLine = (d: DuplicateGroup): string =>
  `  ${d.kind} ${d.key}: customers [${d.customerIds.join(', ')}] external ids [${d.externalIds.join(', ')}] deals [${d.dealIds.join(', ')}]`;

export const SECTION_TITLES = {
  missingCustomers: (n: number): string => `Signed deals without a NetSuite customer (${n}):`,
  customersWithoutDeal: (n: number): string => `NetSuite customers without a signed deal (${n}):`,
  fieldMismatches: (n: number): string => `Field mismatches (${n}):`,
  duplicates: (n: number): string => `Duplicates (${n}):`,
};

/** The report as an operator reads it (the stored .txt and the CLI's output). */
export function formatReconciliationReport(report: ReconciliationReport): string {
  const c = report.counts;
  const lines = [
    ...reportHeaderLines(report),
    SECTION_TITLES.missingCustomers(c.missingCustomers),
    ...report.missingCustomers.map(missingCustomerLine),
    SECTION_TITLES.customersWithoutDeal(c.customersWithoutDeal),
    ...report.customersWithoutDeal.map(customerWithoutDealLine),
    SECTION_TITLES.fieldMismatches(c.fieldMismatches),
    ...report.fieldMismatches.flatMap(fieldMismatchLines),
    SECTION_TITLES.duplicates(c.duplicates),
    ...report.duplicates.map(duplicateLine),
  ];
  return `${lines.join('\n')}\n`;
}
