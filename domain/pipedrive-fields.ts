/**
 * The Pipedrive custom fields the product reads and writes, by their display names. Pipedrive keys custom fields
 * by 40-character hashes that differ per company, so the product resolves these names through `dealFields` /
 * `organizationFields` at run time; the sandbox seeds a company with exactly these names.
 */
export const DEAL_FIELDS = {
  externalId: 'External ID',
  onboardingPackage: 'Onboarding package',
  billingOwner: 'Billing owner',
  csm: 'CSM',
  expectedTimeToValue: 'Expected time-to-value',
  invoiceDate: 'First invoice date',
  onboardingStatus: 'Onboarding status',
  needsRemediation: 'Needs remediation',
} as const;

export const ORGANIZATION_FIELDS = {
  taxId: 'Tax ID',
  subsidiary: 'Subsidiary',
  paymentTerms: 'Payment terms',
} as const;

/** Fields only the orchestrator writes: a webhook whose `previous` holds nothing else is our own echo. */
export const ORCHESTRATOR_OWNED_DEAL_FIELDS = [DEAL_FIELDS.externalId, DEAL_FIELDS.onboardingStatus, DEAL_FIELDS.needsRemediation] as const;

export const CONTRACT_SIGNED_STAGE = 'Contract Signed';
