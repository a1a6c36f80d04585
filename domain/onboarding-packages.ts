/**
 * Onboarding packages sold in Pipedrive and the NetSuite items the first invoice bills for each, as the mapping
 * template defines them (`fields.package.packages`; `fields.package.values` translates a company's own option labels
 * to a package code). Lines name items by NetSuite item name; internal ids come from NetSuite's reference data.
 */
import type { Mapping } from './mapping/schema';

export interface PackageLine {
  /** NetSuite item name, e.g. `ONB-GROWTH`. */
  itemId: string;
  /** Contract price per unit, in the deal currency. */
  rate: number;
  quantity: number;
}

export interface OnboardingPackage {
  code: string;
  name: string;
  lines: readonly PackageLine[];
}

/** Canonical form of a code typed or picked in Pipedrive: trimmed, upper-case (`growth ` → `GROWTH`). */
export function normalizePackageCode(raw: string): string {
  return raw.trim().toUpperCase();
}

export function packageCodes(mapping: Mapping): string[] {
  return Object.keys(mapping.fields.package.packages);
}

/** Every package of the template, in its order. */
export function onboardingPackages(mapping: Mapping): OnboardingPackage[] {
  return Object.entries(mapping.fields.package.packages).map(([code, p]) => ({
    code,
    name: p.name,
    lines: p.items.map((i) => ({ itemId: i.item, rate: i.rate, quantity: i.quantity })),
  }));
}

function sameText(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A Pipedrive value → its package: through the template's value map first, then as a code. */
export function findOnboardingPackage(raw: string | undefined, mapping: Mapping): OnboardingPackage | undefined {
  if (raw === undefined) return undefined;
  const mapped = Object.entries(mapping.fields.package.values ?? {}).find(([from]) => sameText(from, raw))?.[1];
  const code = normalizePackageCode(mapped ?? raw);
  const packages = mapping.fields.package.packages;
  if (!Object.prototype.hasOwnProperty.call(packages, code)) return undefined;
  return onboardingPackages(mapping).find((p) => p.code === code);
}
