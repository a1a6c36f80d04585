/**
 * NetSuite's standard customer field `leadSource` as an attribution target (`target: { standard: leadSource }` in the
 * mapping template). It is not text: it references an entry of the account's lead source list (Setup > Sales > CRM
 * Lists > Lead Source; the `leadsource` record), sent as `{ "id": … }`. The deal's value goes through the entry's
 * value map (a Pipedrive option → a NetSuite lead source name or id) and must name an entry of that list, else the
 * deal goes to review with the valid names. Reconciliation compares the same translated value with the list entry's
 * name (reconciliation/activities/reconcile-activities.ts).
 */
import type { Mapping, NetSuiteTarget } from './mapping/schema';
import type { ReferenceData } from './reference-data';
import { mapValue } from './reference-resolution';
import { reviewReason, type ReviewReason } from './review-reason';

export const ATTRIBUTION_NAMES = ['campaign', 'leadSource', 'channel'] as const;
export type AttributionName = (typeof ATTRIBUTION_NAMES)[number];

export function isLeadSourceTarget(target: NetSuiteTarget | undefined): boolean {
  return target !== undefined && 'standard' in target && target.standard === 'leadSource';
}

const same = (a: string, b: string) =>
  a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The deal's attribution as NetSuite should hold it: values bound for `leadSource` through their value maps (NetSuite
 * shows the list entry's name); others as typed, as they are sent to their custom fields.
 */
export function attributionAsNetSuiteHolds(
  mapping: Mapping,
  attribution: Partial<Record<AttributionName, string>>,
): Partial<Record<AttributionName, string>> {
  const out: Partial<Record<AttributionName, string>> = { ...attribution };
  for (const name of ATTRIBUTION_NAMES) {
    const entry = mapping.fields.attribution[name];
    const value = attribution[name];
    if (entry && value !== undefined && isLeadSourceTarget(entry.target)) out[name] = mapValue(entry, value);
  }
  return out;
}

export type LeadSourceResolution = { ok: true; id?: string } | { ok: false; reason: ReviewReason };

/** A non-empty attribution value bound for `leadSource` → the list entry's internal id (by name or id). */
export function resolveLeadSource(
  name: AttributionName,
  raw: string,
  mapping: Mapping,
  ref: Pick<ReferenceData, 'leadSources'>,
): LeadSourceResolution {
  const entry = mapping.fields.attribution[name];
  if (!entry || raw.trim() === '') return { ok: true };
  const wanted = (mapValue(entry, raw.trim()) ?? '').trim();
  const list = ref.leadSources;
  const hit = list?.find((l) => same(l.name, wanted)) ?? list?.find((l) => l.id === wanted);
  if (hit) return { ok: true, id: hit.id };
  return {
    ok: false,
    reason: reviewReason(
      `deal.attribution.${name}`,
      'lead_source.unknown',
      list === undefined
        ? `Lead source "${wanted}" cannot be checked: the NetSuite account's lead source list is not readable.`
        : `Lead source "${wanted}" is not in the NetSuite account's lead source list.`,
      {
        suggestion:
          list === undefined
            ? 'Enable the CRM feature and give the integration role access to lead sources, or target a custom field.'
            : `Use one of ${list.map((l) => `"${l.name}"`).join(', ')}, or map "${raw.trim()}" to one under fields.attribution.${name}.values in the mapping template.`,
        value: raw.trim(),
      },
    ),
  };
}
