/**
 * Turns what sales typed in Pipedrive (subsidiary / terms names, package code) into NetSuite references, against
 * the reference data fetched from NetSuite. Shared by the customer mapping and the invoice plan so both resolve
 * identically. NetSuite owns these values (DESIGN.md §2): an unknown name is never guessed, it goes to review
 * with the valid choices as the suggestion.
 */
import { findOnboardingPackage, ONBOARDING_PACKAGE_CODES, type OnboardingPackage } from './onboarding-packages';
import { ORGANIZATION_FIELDS, DEAL_FIELDS } from './pipedrive-fields';
import type { Item, PaymentTerm, Subsidiary } from './reference-data';
import { reviewReason, type ReviewReason } from './review-reason';

/** Terms applied when the organization has none: the common B2B default, flagged as a warning. */
export const DEFAULT_TERMS_NAME = 'Net 30';

function sameName(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

function list(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

export type SubsidiaryResolution =
  | { ok: true; subsidiary: Subsidiary; inferred: boolean }
  | { ok: false; reason: ReviewReason };

/** By internal id or name (case/space-insensitive); when empty, inferred from the country if exactly one matches. */
export function resolveSubsidiary(raw: string | undefined, country: string | undefined, subsidiaries: readonly Subsidiary[]): SubsidiaryResolution {
  const wanted = (raw ?? '').trim();
  const field = 'organization.subsidiary';
  const valid = `Valid subsidiaries: ${list(subsidiaries.map((s) => s.name))}.`;
  if (wanted !== '') {
    const hit = subsidiaries.find((s) => s.id === wanted) ?? subsidiaries.find((s) => sameName(s.name, wanted));
    if (hit) return { ok: true, subsidiary: hit, inferred: false };
    return { ok: false, reason: reviewReason(field, 'subsidiary.unknown', `Subsidiary "${wanted}" does not exist in NetSuite.`, { suggestion: valid, value: wanted }) };
  }
  const byCountry = country === undefined ? [] : subsidiaries.filter((s) => s.country.toUpperCase() === country);
  const only = byCountry[0];
  if (byCountry.length === 1 && only !== undefined) return { ok: true, subsidiary: only, inferred: true };
  const why =
    country === undefined
      ? 'No subsidiary set and no organization country to infer it from.'
      : byCountry.length === 0
        ? `No subsidiary set and no subsidiary is in ${country}.`
        : `No subsidiary set and ${byCountry.length} subsidiaries are in ${country}.`;
  return {
    ok: false,
    reason: reviewReason(field, 'subsidiary.missing', why, { suggestion: `Set the organization's "${ORGANIZATION_FIELDS.subsidiary}" field. ${valid}` }),
  };
}

export type TermsResolution = { ok: true; terms: PaymentTerm; defaulted: boolean } | { ok: false; reason: ReviewReason };

/** By name (or internal id); empty ⇒ DEFAULT_TERMS_NAME with `defaulted: true` so the caller can warn. */
export function resolveTerms(raw: string | undefined, terms: readonly PaymentTerm[]): TermsResolution {
  const wanted = (raw ?? '').trim();
  const field = 'organization.paymentTerms';
  const valid = `Valid terms: ${list(terms.map((t) => t.name))}.`;
  const name = wanted === '' ? DEFAULT_TERMS_NAME : wanted;
  const hit = terms.find((t) => sameName(t.name, name)) ?? (wanted === '' ? undefined : terms.find((t) => t.id === wanted));
  if (hit) return { ok: true, terms: hit, defaulted: wanted === '' };
  return {
    ok: false,
    reason:
      wanted === ''
        ? reviewReason(field, 'terms.default_missing', `No payment terms set and the default "${DEFAULT_TERMS_NAME}" does not exist in NetSuite.`, {
            suggestion: `Set the organization's "${ORGANIZATION_FIELDS.paymentTerms}" field. ${valid}`,
          })
        : reviewReason(field, 'terms.unknown', `Payment terms "${wanted}" do not exist in NetSuite.`, { suggestion: valid, value: wanted }),
  };
}

export interface ResolvedPackageLine {
  item: Item;
  rate: number;
  quantity: number;
}

export type PackageResolution =
  | { ok: true; pkg: OnboardingPackage; lines: ResolvedPackageLine[] }
  | { ok: false; reasons: ReviewReason[] };

/** Package code → catalog entry → NetSuite items (matched by item name, so internal ids come from NetSuite). */
export function resolvePackage(raw: string | undefined, items: readonly Item[]): PackageResolution {
  const field = 'deal.onboardingPackage';
  const valid = `Valid packages: ${list([...ONBOARDING_PACKAGE_CODES])}.`;
  const wanted = (raw ?? '').trim();
  if (wanted === '') {
    return {
      ok: false,
      reasons: [reviewReason(field, 'package.missing', 'No onboarding package: the first invoice cannot be priced.', { suggestion: `Set the deal's "${DEAL_FIELDS.onboardingPackage}" field. ${valid}` })],
    };
  }
  const pkg = findOnboardingPackage(wanted);
  if (pkg === undefined) {
    return { ok: false, reasons: [reviewReason(field, 'package.unknown', `Onboarding package "${wanted}" is not in the catalog.`, { suggestion: valid, value: wanted })] };
  }
  const lines: ResolvedPackageLine[] = [];
  const reasons: ReviewReason[] = [];
  for (const line of pkg.lines) {
    const item = items.find((i) => i.itemId === line.itemId);
    if (item === undefined) {
      reasons.push(
        reviewReason(field, 'package.item_missing', `Item "${line.itemId}" of package ${pkg.code} does not exist in NetSuite.`, {
          suggestion: `Create item "${line.itemId}" in NetSuite or fix the package catalog.`,
          value: pkg.code,
        }),
      );
    } else {
      lines.push({ item, rate: line.rate, quantity: line.quantity });
    }
  }
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, pkg, lines };
}
