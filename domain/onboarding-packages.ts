/**
 * Catalog of onboarding packages sold in Pipedrive (DEAL_FIELDS.onboardingPackage holds the code) and the
 * NetSuite items the first invoice bills for each. Internal ids match the NetSuite simulator's seed; the
 * invoice plan still resolves lines by `itemId` against live reference data, so a real account with other
 * internal ids works unchanged.
 */
export interface PackageLine {
  /** NetSuite item name, e.g. `ONB-GROWTH`. */
  itemId: string;
  /** Internal id in the simulator seed (and the fallback documented for operators). */
  seedInternalId: string;
  /** Contract price per unit, in the deal currency. */
  rate: number;
  quantity: number;
}

export interface OnboardingPackage {
  code: string;
  name: string;
  lines: readonly PackageLine[];
}

export const ONBOARDING_PACKAGES = {
  STARTER: {
    code: 'STARTER',
    name: 'Starter onboarding',
    lines: [{ itemId: 'ONB-STARTER', seedInternalId: '10', rate: 1500, quantity: 1 }],
  },
  GROWTH: {
    code: 'GROWTH',
    name: 'Growth onboarding',
    lines: [{ itemId: 'ONB-GROWTH', seedInternalId: '11', rate: 4500, quantity: 1 }],
  },
  ENTERPRISE: {
    code: 'ENTERPRISE',
    name: 'Enterprise onboarding',
    lines: [
      { itemId: 'ONB-ENTERPRISE', seedInternalId: '12', rate: 12000, quantity: 1 },
      { itemId: 'SUB-ANNUAL', seedInternalId: '20', rate: 10000, quantity: 1 },
    ],
  },
} as const satisfies Record<string, OnboardingPackage>;

export type OnboardingPackageCode = keyof typeof ONBOARDING_PACKAGES;

export const ONBOARDING_PACKAGE_CODES = Object.keys(ONBOARDING_PACKAGES) as OnboardingPackageCode[];

/** Canonical form of a code typed or picked in Pipedrive: trimmed, upper-case (`growth ` → `GROWTH`). */
export function normalizePackageCode(raw: string): string {
  return raw.trim().toUpperCase();
}

export function findOnboardingPackage(raw: string | undefined): OnboardingPackage | undefined {
  if (raw === undefined) return undefined;
  const code = normalizePackageCode(raw);
  return Object.prototype.hasOwnProperty.call(ONBOARDING_PACKAGES, code)
    ? ONBOARDING_PACKAGES[code as OnboardingPackageCode]
    : undefined;
}
