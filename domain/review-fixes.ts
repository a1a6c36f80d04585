/**
 * A reviewer's "Fix fields…" applied to the canonical deal: corrected values by canonical field path
 * (`organization.taxId`, `person.email`, `deal.csmUserId`, `organization.address.postalCode`…). Pure, so the
 * same fix gives the same deal on every replay.
 */
import type { ResolvedDeal } from './canonical-deal';

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
