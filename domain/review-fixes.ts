/**
 * A reviewer's "Fix fields…" applied to the canonical deal: corrected values by canonical field path
 * (`organization.taxId`, `person.email`, `deal.csmUserId`, `organization.address.postalCode`…). Pure, so the
 * same fix gives the same deal on every replay. Fixes of Pipedrive-owned fields are also written back to Pipedrive
 * (pipedriveWriteBackPlan); NetSuite-owned ones go only to NetSuite.
 */
import type { ResolvedDeal } from './canonical-deal';
import { classifyFieldChange } from './ownership';
import { DEAL_FIELDS } from './pipedrive-fields';

const ALLOWED_PREFIXES = ['deal.', 'organization.', 'person.'];

export function applyFixes(deal: ResolvedDeal, fixes: Record<string, string>): ResolvedDeal {
  const entries = Object.entries(fixes).filter(([path]) => ALLOWED_PREFIXES.some((p) => path.startsWith(p)));
  if (entries.length === 0) return deal;
  const copy = JSON.parse(JSON.stringify(deal)) as ResolvedDeal;
  for (const [path, value] of entries) {
    if (path === 'person.email' || path === 'person.emails') {
      const person = copy.person ?? (copy.person = { name: '', emails: [], phones: [] } as unknown as NonNullable<ResolvedDeal['person']>);
      person.emails = [{ value, primary: true, label: 'work' }, ...person.emails.filter((e) => e.value !== value).map((e) => ({ ...e, primary: false }))];
      continue;
    }
    const keys = path.split('.');
    let target: Record<string, unknown> = copy as unknown as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      if (next === undefined || next === null || typeof next !== 'object') target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[keys[keys.length - 1]!] = value;
  }
  return copy;
}

/** Where a Pipedrive-owned fix is written back in Pipedrive. */
export type PipedriveFixTarget =
  | { entity: 'deal'; field: 'title' }
  | { entity: 'deal'; customField: (typeof DEAL_FIELDS)[keyof typeof DEAL_FIELDS] }
  | { entity: 'person'; field: 'name' | 'email' }
  | { entity: 'organization'; field: 'name' };

/**
 * The canonical paths a reviewer may correct that Pipedrive owns (domain/ownership.ts), and where each lives in
 * Pipedrive. NetSuite-owned paths (tax id, subsidiary, terms, address, package, invoice date) are deliberately
 * absent: their fixes reach NetSuite through the onboarding and never Pipedrive.
 */
const PIPEDRIVE_TARGETS: Readonly<Record<string, PipedriveFixTarget>> = {
  'deal.title': { entity: 'deal', field: 'title' },
  'deal.csmUserId': { entity: 'deal', customField: DEAL_FIELDS.csm },
  'deal.billingOwner': { entity: 'deal', customField: DEAL_FIELDS.billingOwner },
  'deal.expectedTimeToValue': { entity: 'deal', customField: DEAL_FIELDS.expectedTimeToValue },
  'person.name': { entity: 'person', field: 'name' },
  'person.email': { entity: 'person', field: 'email' },
  'person.emails': { entity: 'person', field: 'email' },
  'organization.name': { entity: 'organization', field: 'name' },
};

export interface PipedriveWriteBackPlan {
  writes: Array<{ path: string; value: string; target: PipedriveFixTarget }>;
  /** Owned by NetSuite (or the orchestrator): applied to the onboarding only. */
  notPipedriveOwned: string[];
  /** Pipedrive's, but with no known place to write it (left to the reviewer to change in Pipedrive). */
  unmapped: string[];
}

/** Splits a reviewer's fixes by owner: what goes back to Pipedrive, and what stays with NetSuite. */
export function pipedriveWriteBackPlan(fixes: Record<string, string>): PipedriveWriteBackPlan {
  const plan: PipedriveWriteBackPlan = { writes: [], notPipedriveOwned: [], unmapped: [] };
  for (const [path, value] of Object.entries(fixes)) {
    if (!ALLOWED_PREFIXES.some((p) => path.startsWith(p))) continue;
    if (classifyFieldChange(path) !== 'pipedrive') {
      plan.notPipedriveOwned.push(path);
      continue;
    }
    const target = PIPEDRIVE_TARGETS[path];
    if (target) plan.writes.push({ path, value, target });
    else plan.unmapped.push(path);
  }
  return plan;
}

/** Only the fixes that will be written back to Pipedrive (empty: nothing to write, no activity needed). */
export function pipedriveOwnedFixes(fixes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(pipedriveWriteBackPlan(fixes).writes.map((w) => [w.path, w.value]));
}
