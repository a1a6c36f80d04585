/**
 * Turns what sales typed in Pipedrive (subsidiary / terms names, package code) into NetSuite references, against
 * the reference data fetched from NetSuite. Shared by the customer mapping and the invoice plan so both resolve
 * identically. NetSuite owns these values (docs/architecture.md#ownership): an unknown name is never guessed, it goes to review
 * with the valid choices as the suggestion. The mapping template supplies the value maps (a company's own labels →
 * NetSuite names or ids), the default terms, whether a subsidiary may be inferred, and the package catalog.
 */
import { activeMapping } from './mapping/active-mapping';
import type { FieldEntry, Mapping } from './mapping/schema';
import { findOnboardingPackage, packageCodes, type OnboardingPackage } from './onboarding-packages';
import { pipedriveFieldLabel } from './pipedrive-fields';
import type { Currency, Item, PaymentTerm, Subsidiary } from './reference-data';
import { reviewReason, type ReviewReason } from './review-reason';

/** A Pipedrive value through the entry's value map (case/space-insensitive); unmapped values pass as typed. */
export function mapValue(entry: Pick<FieldEntry, 'values'>, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const hit = Object.entries(entry.values ?? {}).find(([from]) => sameName(from, raw));
  return hit ? hit[1] : raw;
}

function sameName(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

function list(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

export type SubsidiaryResolution =
  { ok: true; subsidiary: Subsidiary; inferred: boolean } | { ok: false; reason: ReviewReason };

/** By internal id or name (case/space-insensitive); when empty, inferred from the country if exactly one matches. */
export function resolveSubsidiary(
  raw: string | undefined,
  country: string | undefined,
  subsidiaries: readonly Subsidiary[],
  mapping: Mapping = activeMapping(),
): SubsidiaryResolution {
  const entry = mapping.fields.subsidiary;
  const wanted = (mapValue(entry, raw?.trim() || undefined) ?? entry.default ?? '').trim();
  const label = pipedriveFieldLabel(entry.source);
  const field = 'organization.subsidiary';
  const valid = `Valid subsidiaries: ${list(subsidiaries.map((s) => s.name))}.`;
  if (wanted !== '') {
    const hit = subsidiaries.find((s) => s.id === wanted) ?? subsidiaries.find((s) => sameName(s.name, wanted));
    if (hit) return { ok: true, subsidiary: hit, inferred: false };
    return {
      ok: false,
      reason: reviewReason(field, 'subsidiary.unknown', `Subsidiary "${wanted}" does not exist in NetSuite.`, {
        suggestion: valid,
        value: wanted,
      }),
    };
  }
  const byCountry =
    country === undefined || !entry.inferFromCountry
      ? []
      : subsidiaries.filter((s) => s.country.toUpperCase() === country);
  const only = byCountry[0];
  if (byCountry.length === 1 && only !== undefined) return { ok: true, subsidiary: only, inferred: true };
  const why = !entry.inferFromCountry
    ? 'No subsidiary set (the mapping template does not infer it from the country).'
    : country === undefined
      ? 'No subsidiary set and no organization country to infer it from.'
      : byCountry.length === 0
        ? `No subsidiary set and no subsidiary is in ${country}.`
        : `No subsidiary set and ${byCountry.length} subsidiaries are in ${country}.`;
  return {
    ok: false,
    reason: reviewReason(field, 'subsidiary.missing', why, {
      suggestion: `Set the ${entry.source.from}'s "${label}" field. ${valid}`,
    }),
  };
}

export type TermsResolution =
  { ok: true; terms: PaymentTerm; defaulted: boolean } | { ok: false; reason: ReviewReason };

/**
 * By name or internal id, through the template's value map; empty ⇒ the template's `default` with `defaulted: true`
 * so the caller can warn, or review when the template has no default.
 */
export function resolveTerms(
  raw: string | undefined,
  terms: readonly PaymentTerm[],
  mapping: Mapping = activeMapping(),
): TermsResolution {
  const entry = mapping.fields.terms;
  const typed = (raw ?? '').trim();
  const wanted = (mapValue(entry, typed || undefined) ?? '').trim();
  const field = 'organization.paymentTerms';
  const label = pipedriveFieldLabel(entry.source);
  const valid = `Valid terms: ${list(terms.map((t) => t.name))}.`;
  const defaultName = entry.default;
  const name = wanted === '' ? defaultName : wanted;
  const hit =
    name === undefined ? undefined : (terms.find((t) => sameName(t.name, name)) ?? terms.find((t) => t.id === name));
  if (hit) return { ok: true, terms: hit, defaulted: wanted === '' };
  if (wanted !== '') {
    return {
      ok: false,
      reason: reviewReason(
        field,
        'terms.unknown',
        `Payment terms "${typed}"${wanted !== typed ? ` (mapped to "${wanted}")` : ''} do not exist in NetSuite.`,
        { suggestion: `${valid} Or add "${typed}" to fields.terms.values in the mapping template.`, value: typed },
      ),
    };
  }
  return {
    ok: false,
    reason:
      defaultName === undefined
        ? reviewReason(field, 'terms.missing', 'No payment terms set and the mapping template has no default.', {
            suggestion: `Set the ${entry.source.from}'s "${label}" field. ${valid}`,
          })
        : reviewReason(
            field,
            'terms.default_missing',
            `No payment terms set and the default "${defaultName}" does not exist in NetSuite.`,
            {
              suggestion: `Set the ${entry.source.from}'s "${label}" field. ${valid}`,
            },
          ),
  };
}

export type CurrencyResolution = { ok: true; currency?: Currency } | { ok: false; reason: ReviewReason };

/**
 * The deal's currency (ISO code, through the template's value map) → a NetSuite currency by symbol, name or id. No
 * currency on the deal ⇒ none sent (NetSuite uses the subsidiary's); one the account lacks ⇒ review.
 */
export function resolveCurrency(
  raw: string | null | undefined,
  currencies: readonly Currency[] | undefined,
  mapping: Mapping = activeMapping(),
): CurrencyResolution {
  const entry = mapping.fields.currency;
  const wanted = (mapValue(entry, raw?.trim() || undefined) ?? entry.default ?? '').trim();
  if (wanted === '') {
    return entry.required
      ? {
          ok: false,
          reason: reviewReason('deal.currency', 'currency.missing', 'The deal has no currency.', {
            suggestion: `Set the deal's currency in Pipedrive.`,
          }),
        }
      : { ok: true };
  }
  // Reference data loaded before currencies were read carries none: nothing to check against, nothing sent.
  if (currencies === undefined) return { ok: true };
  const hit =
    currencies.find((c) => sameName(c.symbol, wanted)) ??
    currencies.find((c) => sameName(c.name, wanted)) ??
    currencies.find((c) => c.id === wanted);
  if (hit) return { ok: true, currency: hit };
  return {
    ok: false,
    reason: reviewReason(
      'deal.currency',
      'currency.unknown',
      `Currency "${wanted}" does not exist in the NetSuite account.`,
      {
        suggestion: `Enable ${wanted} in NetSuite (Lists > Accounting > Currencies), or change the deal's currency. Valid: ${list(currencies.map((c) => c.symbol))}.`,
        value: raw ?? wanted,
      },
    ),
  };
}

export interface ResolvedPackageLine {
  item: Item;
  rate: number;
  quantity: number;
}

export type PackageResolution =
  { ok: true; pkg: OnboardingPackage; lines: ResolvedPackageLine[] } | { ok: false; reasons: ReviewReason[] };

/** Package code → the template's package → NetSuite items (matched by item name, so internal ids come from NetSuite). */
export function resolvePackage(
  raw: string | undefined,
  items: readonly Item[],
  mapping: Mapping = activeMapping(),
): PackageResolution {
  const field = 'deal.onboardingPackage';
  const entry = mapping.fields.package;
  const valid = `Valid packages: ${list([...Object.keys(entry.values ?? {}), ...packageCodes(mapping)])}.`;
  const wanted = (raw ?? '').trim();
  if (wanted === '') {
    return {
      ok: false,
      reasons: [
        reviewReason(field, 'package.missing', 'No onboarding package: the first invoice cannot be priced.', {
          suggestion: `Set the ${entry.source.from}'s "${pipedriveFieldLabel(entry.source)}" field. ${valid}`,
        }),
      ],
    };
  }
  const pkg = findOnboardingPackage(wanted, mapping);
  if (pkg === undefined) {
    return {
      ok: false,
      reasons: [
        reviewReason(field, 'package.unknown', `Onboarding package "${wanted}" is not in the catalog.`, {
          suggestion: `${valid} Or add it to fields.package in the mapping template.`,
          value: wanted,
        }),
      ],
    };
  }
  const lines: ResolvedPackageLine[] = [];
  const reasons: ReviewReason[] = [];
  for (const line of pkg.lines) {
    const item = items.find((i) => i.itemId === line.itemId);
    if (item === undefined) {
      reasons.push(
        reviewReason(
          field,
          'package.item_missing',
          `Item "${line.itemId}" of package ${pkg.code} does not exist in NetSuite.`,
          {
            suggestion: `Create item "${line.itemId}" in NetSuite or fix fields.package.packages.${pkg.code} in the mapping template.`,
            value: pkg.code,
          },
        ),
      );
    } else {
      lines.push({ item, rate: line.rate, quantity: line.quantity });
    }
  }
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, pkg, lines };
}
