/**
 * Which system owns which field (docs/architecture.md#ownership). After a NetSuite customer exists, a Pipedrive edit to a field
 * NetSuite owns must go to review instead of overwriting NetSuite; Pipedrive-owned fields flow through; the
 * orchestrator's own fields are never taken from either side.
 *
 * Field names are matched loosely (case, spaces, `_`, `-` and `.` ignored) so one table serves the canonical
 * property names (`paymentTerms`), Pipedrive display names ("Payment terms"), Pipedrive API keys (`stage_id`)
 * and NetSuite body fields (`taxRegistration`).
 */
import { PIPEDRIVE_DEAL_ID_FIELD } from './external-id';
import { DEAL_FIELDS, ORGANIZATION_FIELDS } from './pipedrive-fields';
import type { Mapping } from './mapping/schema';

export type FieldOwner = 'pipedrive' | 'netsuite' | 'orchestrator';

/**
 * NetSuite owns the financial identity: internal ids, subsidiary, terms, tax registration, the billing address
 * (it drives tax nexus), and invoices, including what prices and dates them (package, first invoice date).
 */
export const NETSUITE_OWNED = [
  'subsidiary',
  'terms',
  'paymentTerms',
  ORGANIZATION_FIELDS.paymentTerms,
  ORGANIZATION_FIELDS.subsidiary,
  'taxId',
  ORGANIZATION_FIELDS.taxId,
  'taxRegistration',
  'vatRegNumber',
  'internalId',
  'netsuiteCustomerId',
  'customerId',
  'entityId',
  'currency',
  'address',
  'addressBook',
  'invoice',
  'invoices',
  'firstInvoiceDate',
  DEAL_FIELDS.invoiceDate,
  'onboardingPackage',
  DEAL_FIELDS.onboardingPackage,
  'custentity_onboarding_code',
] as const;

/** Pipedrive owns people, conversation context, pipeline position, acquisition data and the handoff people. */
export const PIPEDRIVE_OWNED = [
  'name',
  'title',
  'companyName',
  'firstName',
  'lastName',
  'email',
  'emails',
  'phone',
  'phones',
  'stage',
  'stageId',
  'pipelineId',
  'status',
  'ownerId',
  'personId',
  'orgId',
  'value',
  'campaign',
  'campaignId',
  'acquisitionSource',
  'notes',
  'labels',
  'csm',
  'csmUserId',
  DEAL_FIELDS.csm,
  'custentity_csm',
  'billingOwner',
  DEAL_FIELDS.billingOwner,
  'custentity_billing_owner',
  'expectedTimeToValue',
  DEAL_FIELDS.expectedTimeToValue,
] as const;

/** The orchestrator owns the transaction key, its state and its audit trail. */
export const ORCHESTRATOR_OWNED = [
  'externalId',
  DEAL_FIELDS.externalId,
  'onboardingStatus',
  DEAL_FIELDS.onboardingStatus,
  'needsRemediation',
  DEAL_FIELDS.needsRemediation,
  'state',
  'auditTrail',
  'reviewReasons',
  PIPEDRIVE_DEAL_ID_FIELD,
] as const;

function key(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]/g, '');
}

const OWNER_BY_KEY: ReadonlyMap<string, FieldOwner> = new Map<string, FieldOwner>([
  ...PIPEDRIVE_OWNED.map((f) => [key(f), 'pipedrive'] as [string, FieldOwner]),
  ...NETSUITE_OWNED.map((f) => [key(f), 'netsuite'] as [string, FieldOwner]),
  ...ORCHESTRATOR_OWNED.map((f) => [key(f), 'orchestrator'] as [string, FieldOwner]),
]);

/**
 * Owner of a field. A dotted path is classified by its last known segment first, then its first
 * (`organization.address.city` → `address` → netsuite). Unknown fields are Pipedrive's: they are not mapped to
 * NetSuite at all, so letting Pipedrive win cannot overwrite anything NetSuite owns.
 */
export function classifyFieldChange(fieldName: string): FieldOwner {
  const whole = OWNER_BY_KEY.get(key(fieldName));
  if (whole !== undefined) return whole;
  const segments = fieldName.split('.').filter((s) => s !== '');
  for (const segment of [...segments].reverse()) {
    const owner = OWNER_BY_KEY.get(key(segment));
    if (owner !== undefined) return owner;
  }
  return 'pipedrive';
}

export function isNetSuiteOwned(fieldName: string): boolean {
  return classifyFieldChange(fieldName) === 'netsuite';
}

/** The canonical deal path each template entry feeds, as reviewers and the edit flow name it. */
export const TEMPLATE_FIELD_PATHS: Readonly<Record<string, string>> = {
  companyName: 'organization.name',
  email: 'person.emails',
  phone: 'person.phones',
  taxId: 'organization.taxId',
  subsidiary: 'organization.subsidiary',
  terms: 'organization.paymentTerms',
  package: 'deal.onboardingPackage',
  billingOwner: 'deal.billingOwner',
  csm: 'deal.csmUserId',
  timeToValue: 'deal.expectedTimeToValue',
  invoiceDate: 'deal.firstInvoiceDate',
  address: 'organization.address',
  currency: 'deal.currency',
  'attribution.campaign': 'deal.attribution.campaign',
  'attribution.leadSource': 'deal.attribution.leadSource',
  'attribution.channel': 'deal.attribution.channel',
  contact: 'person.name',
};

/**
 * Owner of a canonical path as the mapping template declares it (`owner:` of its entry), else the built-in table.
 * Activities that hold the template use this; workflow code keeps the built-in table (classifyFieldChange), which the
 * default template must agree with (test/unit/mapping/ownership-template.test.ts) so both answer alike.
 */
export function ownerInTemplate(mapping: Mapping, path: string): FieldOwner {
  const f = mapping.fields;
  for (const [entry, canonical] of Object.entries(TEMPLATE_FIELD_PATHS)) {
    if (path !== canonical && !path.startsWith(`${canonical}.`)) continue;
    const [head, sub] = entry.split('.') as [keyof Mapping['fields'], string | undefined];
    const owner = sub
      ? (f.attribution as Record<string, { owner: FieldOwner } | undefined>)[sub]?.owner
      : (f[head] as { owner: FieldOwner }).owner;
    if (owner) return owner;
  }
  return classifyFieldChange(path);
}
