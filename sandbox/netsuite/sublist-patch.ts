/**
 * NetSuite's PATCH of a sublist (help center "Updating a Sublist" / "Replacing a Sublist"): without `?replace=<name>`
 * the request's lines are added to the record's; with it they replace them. The simulator treats the customer's
 * address book and tax registrations and the invoice's items as non-keyed sublists (no line key is documented for
 * them in reference/), so an update appends.
 */
import type { FlatRecord } from './store';
import { sublistItems } from './sublists';

const SUBLISTS = ['addressBook', 'taxRegistration', 'item'];
/** Oracle's examples spell the customer's sublists in lowercase too. */
const ALIASES: Record<string, string> = { addressbook: 'addressBook', taxregistration: 'taxRegistration' };

/** The PATCH body with every sublist not named in `replace` prefixed by the record's current lines. */
export function withPatchedSublists(
  existing: FlatRecord,
  body: Record<string, unknown>,
  replace: string | null,
): Record<string, unknown> {
  const replaced = new Set(
    (replace ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => ALIASES[s.toLowerCase()] ?? s),
  );
  const out: Record<string, unknown> = { ...body };
  for (const [given, value] of Object.entries(body)) {
    const name = ALIASES[given.toLowerCase()] ?? given;
    if (!SUBLISTS.includes(name) || replaced.has(name) || value === null) continue;
    const incoming = sublistItems(value);
    const current = existing[name];
    if (!incoming || !Array.isArray(current)) continue;
    // Stored lines carry the simulator's line ids; the writer numbers the merged list afresh.
    out[given] = {
      items: [...(current as Array<Record<string, unknown>>).map(({ id: _id, ...line }) => line), ...incoming],
    };
  }
  return out;
}
