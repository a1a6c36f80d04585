/**
 * A reviewer's "Fix fields…" applied to the canonical deal: corrected values by canonical field path
 * (`organization.taxId`, `person.email`, `deal.csmUserId`, `organization.address.postalCode`…). Pure, so the
 * same fix gives the same deal on every replay. Fixes of Pipedrive-owned fields are also written back to Pipedrive
 * (pipedriveWriteBackPlan), only once their value passed its check; NetSuite-owned ones go only to NetSuite. Only
 * the paths in FIXABLE_PATHS are applied: a fix comes from a signal anyone with Temporal access can send.
 */
import type { ResolvedDeal } from './canonical-deal';
import { classifyFieldChange } from './ownership';
import { DEAL_FIELDS } from './pipedrive-fields';
import { validateEmail } from './validators/email';

/** Why a fixed value is refused; undefined when it may be applied. */
type FixRule = (value: string) => string | undefined;

/** C0 control characters and DEL: no field a reviewer types holds them. */
const hasControl = (v: string): boolean => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const text =
  (max: number): FixRule =>
  (v) => {
    if (v.trim() === '') return 'is empty';
    if (v.length > max) return `is ${v.length} characters; at most ${max}`;
    return hasControl(v) ? 'contains control characters' : undefined;
  };
const email: FixRule = (v) => {
  const r = validateEmail(v);
  return r.ok ? undefined : r.message;
};
const phone: FixRule = (v) =>
  text(32)(v) ??
  (/^\+?[0-9 ()./-]{3,32}$/.test(v.trim()) ? undefined : 'is not a phone number (digits, spaces, + ( ) . / -)');
const isoDate: FixRule = (v) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) && !Number.isNaN(Date.parse(`${v.trim()}T00:00:00Z`))
    ? undefined
    : 'is not a date (YYYY-MM-DD)';
const isoDateTime: FixRule = (v) =>
  /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim()) && !Number.isNaN(Date.parse(v.trim()))
    ? undefined
    : 'is not a date or date-time (ISO 8601)';
const currency: FixRule = (v) =>
  /^[A-Z]{3}$/.test(v.trim()) ? undefined : 'is not a three-letter currency code (e.g. EUR)';

/**
 * The canonical paths a reviewer may correct (every field a review reason names that a value can fix), each with its
 * check. Nothing else is applied: a path is looked up here, never walked into the deal, so `deal.__proto__.x`,
 * `constructor` or `prototype` paths cannot reach Object.prototype of the workflow context (docs/trust-boundaries.md).
 * Limits follow NetSuite's field lengths where they bind (domain/customer-mapping.ts checks them again).
 */
export const FIXABLE_PATHS: ReadonlyMap<string, FixRule> = new Map<string, FixRule>([
  ['deal.title', text(255)],
  ['deal.csmUserId', text(100)],
  ['deal.billingOwner', text(255)],
  ['deal.expectedTimeToValue', text(100)],
  ['deal.onboardingPackage', text(100)],
  ['deal.firstInvoiceDate', isoDate],
  ['deal.signedAt', isoDateTime],
  ['deal.currency', currency],
  ['person.name', text(255)],
  ['person.firstName', text(100)],
  ['person.lastName', text(100)],
  ['person.email', email],
  ['person.emails', email],
  ['person.phone', phone],
  ['person.phones', phone],
  ['organization.name', text(255)],
  ['organization.taxId', text(64)],
  ['organization.subsidiary', text(255)],
  ['organization.paymentTerms', text(100)],
  ['organization.address.formatted', text(500)],
  ['organization.address.street', text(300)],
  ['organization.address.street2', text(300)],
  ['organization.address.city', text(100)],
  ['organization.address.region', text(100)],
  ['organization.address.postalCode', text(36)],
  ['organization.address.country', text(100)],
]);

/** More fields than any card offers (the fix modal shows at most 40). */
export const MAX_FIXES = 40;

export interface FixCheck {
  /** The fixes that may be applied, trimmed. */
  accepted: Record<string, string>;
  /** Every other one, with the reason, for the audit trail and the reviewer. */
  refused: Array<{ path: string; reason: string }>;
}

/** Splits a reviewer's fixes into the allowed and valid ones and the refused ones. Pure, never throws. */
export function checkFixes(fixes: unknown): FixCheck {
  const check: FixCheck = { accepted: {}, refused: [] };
  if (fixes === null || typeof fixes !== 'object' || Array.isArray(fixes)) return check;
  const entries = Object.entries(fixes as Record<string, unknown>);
  for (const [i, [path, value]] of entries.entries()) {
    const shown = path.length > 80 ? `${path.slice(0, 80)}…` : path;
    const rule = FIXABLE_PATHS.get(path);
    if (i >= MAX_FIXES) check.refused.push({ path: shown, reason: `more than ${MAX_FIXES} fields in one fix` });
    else if (!rule) check.refused.push({ path: shown, reason: 'not a field a fix may change' });
    else if (typeof value !== 'string') check.refused.push({ path, reason: 'value is not text' });
    else {
      const why = rule(value);
      if (why) check.refused.push({ path, reason: `value ${why}` });
      else check.accepted[path] = value.trim();
    }
  }
  return check;
}

/** One line per refused fix, for the audit trail, the CLI and the Slack modal. */
export const describeRefusedFixes = (refused: FixCheck['refused']): string =>
  refused.map((r) => `${r.path}: ${r.reason}`).join('; ');

type Obj = Record<string, unknown>;

/** The object at `keys` under `root`, created as a plain object where missing; keys come from FIXABLE_PATHS only. */
function objectAt(root: Obj, keys: string[]): Obj {
  let target = root;
  for (const key of keys) {
    const next = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) target[key] = {};
    target = target[key] as Obj;
  }
  return target;
}

export function applyFixes(deal: ResolvedDeal, fixes: Record<string, string>): ResolvedDeal {
  const { accepted } = checkFixes(fixes);
  const entries = Object.entries(accepted);
  if (entries.length === 0) return deal;
  const copy = JSON.parse(JSON.stringify(deal)) as ResolvedDeal;
  for (const [path, value] of entries) {
    if (path === 'person.email' || path === 'person.emails') {
      const person =
        copy.person ??
        (copy.person = { name: '', emails: [], phones: [] } as unknown as NonNullable<ResolvedDeal['person']>);
      person.emails = [
        { value, primary: true, label: 'work' },
        ...person.emails.filter((e) => e.value !== value).map((e) => ({ ...e, primary: false })),
      ];
      continue;
    }
    if (path === 'person.phone' || path === 'person.phones') {
      const person =
        copy.person ??
        (copy.person = { name: '', emails: [], phones: [] } as unknown as NonNullable<ResolvedDeal['person']>);
      person.phones = [
        { value, primary: true, label: 'work' },
        ...person.phones.filter((e) => e.value !== value).map((e) => ({ ...e, primary: false })),
      ];
      continue;
    }
    const keys = path.split('.');
    objectAt(copy as unknown as Obj, keys.slice(0, -1))[keys[keys.length - 1]!] = value;
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
  /** Pipedrive's, but not a valid value (checkFixes): never written to Pipedrive. */
  invalid: Array<{ path: string; reason: string }>;
  /** Owned by NetSuite (or the orchestrator): applied to the onboarding only. */
  notPipedriveOwned: string[];
  /** Pipedrive's, but with no known place to write it (left to the reviewer to change in Pipedrive). */
  unmapped: string[];
}

/** Splits a reviewer's fixes by owner: what goes back to Pipedrive, and what stays with NetSuite. */
export function pipedriveWriteBackPlan(fixes: Record<string, string>): PipedriveWriteBackPlan {
  const plan: PipedriveWriteBackPlan = { writes: [], invalid: [], notPipedriveOwned: [], unmapped: [] };
  const { accepted, refused } = checkFixes(fixes);
  for (const r of refused)
    if (FIXABLE_PATHS.has(r.path) && classifyFieldChange(r.path) === 'pipedrive') plan.invalid.push(r);
  for (const [path, value] of Object.entries(accepted)) {
    if (classifyFieldChange(path) !== 'pipedrive') {
      plan.notPipedriveOwned.push(path);
      continue;
    }
    const target = Object.prototype.hasOwnProperty.call(PIPEDRIVE_TARGETS, path) ? PIPEDRIVE_TARGETS[path] : undefined;
    if (target) plan.writes.push({ path, value, target });
    else plan.unmapped.push(path);
  }
  return plan;
}

/**
 * The Pipedrive-owned fixes of a decision as runs before validated fixes (patch `validated-fixes` in the workflows)
 * computed them: by prefix and target only, values unchecked. Kept so those runs replay the write-backs they made.
 */
export function unvalidatedPipedriveOwnedFixes(fixes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, value] of Object.entries(fixes)) {
    if (
      !['deal.', 'organization.', 'person.'].some((p) => path.startsWith(p)) ||
      classifyFieldChange(path) !== 'pipedrive'
    )
      continue;
    if (Object.prototype.hasOwnProperty.call(PIPEDRIVE_TARGETS, path)) out[path] = value;
  }
  return out;
}

/** Only the valid fixes that will be written back to Pipedrive (empty: nothing to write, no activity needed). */
export function pipedriveOwnedFixes(fixes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(pipedriveWriteBackPlan(fixes).writes.map((w) => [w.path, w.value]));
}
