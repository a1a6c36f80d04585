/**
 * The canonical Pipedrive fields the product reads and writes. These names are canonical ids, not the company's
 * names: the mapping template (mapping/default.yaml, MAPPING_FILE) says which of the company's fields each one is, by
 * display name or 40-char key, and the Pipedrive client's field catalog answers a canonical id with that field
 * (integrations/pipedrive/field-catalog.ts). The default template maps each to a field of the same name, as the
 * sandbox company has them.
 */
import type { DealCustomFieldRef, Mapping, PipedriveSource } from './mapping/schema';

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
export const ORCHESTRATOR_OWNED_DEAL_FIELDS = [
  DEAL_FIELDS.externalId,
  DEAL_FIELDS.onboardingStatus,
  DEAL_FIELDS.needsRemediation,
] as const;

/** Canonical ids of the attribution fields (template `fields.attribution`), for readers that list many deals. */
export const ATTRIBUTION_FIELDS = {
  campaign: 'Attribution: campaign',
  leadSource: 'Attribution: lead source',
  channel: 'Attribution: channel',
} as const;

/** Canonical id of the stage that starts onboarding; the template's `pipedrive.contractSignedStage` names it. */
export const CONTRACT_SIGNED_STAGE = 'Contract Signed';

/** A custom field as the template points at it: by display name or by key. */
export type FieldRef = { name: string } | { key: string };

export interface FieldAliases {
  deal: Map<string, FieldRef>;
  organization: Map<string, FieldRef>;
  person: Map<string, FieldRef>;
}

function refOf(source: PipedriveSource | DealCustomFieldRef | undefined): FieldRef | undefined {
  if (source === undefined) return undefined;
  if (source.key !== undefined) return { key: source.key };
  if (source.field !== undefined) return { name: source.field };
  return undefined;
}

/**
 * Canonical id → the company's custom field, for each entity. Only custom-field sources alias: a canonical field the
 * template reads from a standard field (or from another entity) has no custom field to write back to.
 */
export function fieldAliases(mapping: Mapping): FieldAliases {
  const out: FieldAliases = { deal: new Map(), organization: new Map(), person: new Map() };
  const add = (
    entity: keyof FieldAliases,
    canonical: string,
    source: PipedriveSource | DealCustomFieldRef | undefined,
  ) => {
    const ref = refOf(source);
    if (ref !== undefined && (!('from' in (source ?? {})) || (source as PipedriveSource).from === entity))
      out[entity].set(canonical, ref);
  };
  const f = mapping.fields;
  const o = mapping.pipedrive.orchestratorFields;
  add('deal', DEAL_FIELDS.externalId, o.externalId);
  add('deal', DEAL_FIELDS.onboardingStatus, o.onboardingStatus);
  add('deal', DEAL_FIELDS.needsRemediation, o.needsRemediation);
  add('deal', DEAL_FIELDS.onboardingPackage, f.package.source);
  add('deal', DEAL_FIELDS.billingOwner, f.billingOwner.source);
  add('deal', DEAL_FIELDS.csm, f.csm.source);
  add('deal', DEAL_FIELDS.expectedTimeToValue, f.timeToValue.source);
  add('deal', DEAL_FIELDS.invoiceDate, f.invoiceDate.source);
  for (const name of ['campaign', 'leadSource', 'channel'] as const)
    add('deal', ATTRIBUTION_FIELDS[name], f.attribution[name]?.source);
  add('organization', ORGANIZATION_FIELDS.taxId, f.taxId.source);
  add('organization', ORGANIZATION_FIELDS.subsidiary, f.subsidiary.source);
  add('organization', ORGANIZATION_FIELDS.paymentTerms, f.terms.source);
  return out;
}

/** Display name of a canonical field in the company's Pipedrive, for a reviewer's suggestion ("Set the deal's …"). */
export function pipedriveFieldLabel(source: PipedriveSource): string {
  return source.field ?? source.standard ?? `custom field ${source.key}`;
}
