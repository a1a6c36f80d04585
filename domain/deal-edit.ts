/**
 * A Pipedrive edit to a deal whose customer already exists (docs/architecture.md#ownership): what the deal says now
 * (mapped by customer-mapping.ts) against what NetSuite holds, field by field. Differences in fields Pipedrive owns
 * are written to NetSuite; differences in fields NetSuite owns are held for review. Pure: the `syncDealEdit`
 * workflow and the tests share it.
 */
import type { NetSuiteAddressBookAddress, NetSuiteCustomerBody, NetSuiteTaxRegistration } from './netsuite-records';
import type { FieldEntry, Mapping } from './mapping/schema';
import { classifyFieldChange, ownerInTemplate, TEMPLATE_FIELD_PATHS, type FieldOwner } from './ownership';
import { reviewReason, type ReviewReason } from './review-reason';
import type { OnboardingSettings } from './transaction';

export const DEAL_EDIT_WORKFLOW_TYPE = 'syncDealEdit';

export interface DealEditInput {
  /** The deal's external_id: the NetSuite customer is `eid:<externalId>`. */
  externalId: string;
  pipedriveDealId: string;
  /** Pipedrive webhook event id (`meta.id`) of the edit. */
  eventId?: string;
  receivedAt: string;
  /** Field names the webhook's `previous` listed (for the audit trail; every mapped field is compared). */
  changedFields?: string[];
  settings?: OnboardingSettings;
}

/** The one workflow per delivery: Pipedrive retries of the same event reuse the ID, so they start it once. */
export function dealEditWorkflowId(externalId: string, eventId: string): string {
  return `${externalId}-edit-${eventId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** What NetSuite holds for the customer, reduced to the fields the orchestrator maps (read with sublists expanded). */
export interface NetSuiteCustomerSnapshot {
  id: string;
  externalId?: string;
  companyName?: string;
  email?: string;
  phone?: string;
  subsidiary?: { id: string; refName?: string };
  terms?: { id: string; refName?: string };
  /** The default billing address (else the first line of the address book). */
  billingAddress?: Partial<NetSuiteAddressBookAddress>;
  taxRegistrations: NetSuiteTaxRegistration[];
  /** `custentity_*` fields, keys lowercase as NetSuite returns them. */
  customFields: Record<string, string>;
}

/** The customer body fields compared after onboarding, each with the canonical deal path a reviewer knows it by. */
export const COMPARED_FIELDS = {
  companyName: 'organization.name',
  email: 'person.emails',
  phone: 'person.phones',
  subsidiary: 'organization.subsidiary',
  terms: 'organization.paymentTerms',
  addressBook: 'organization.address',
  taxRegistration: 'organization.taxId',
  custentity_onboarding_code: 'deal.onboardingPackage',
  custentity_csm: 'deal.csmUserId',
  custentity_billing_owner: 'deal.billingOwner',
} as const satisfies Partial<Record<keyof NetSuiteCustomerBody, string>>;
// Not compared: externalId and custentity_pd_deal_id (the orchestrator's), isPerson (fixed), and entityId: NetSuite's
// own record name, set once at creation, so a rename in Pipedrive changes companyName only.

export type ComparedField = keyof typeof COMPARED_FIELDS;

/** A company's own custom target (the mapping template's `custentity_…`), compared beside the built-in fields. */
export type TemplateField = `custentity_${string}`;

export interface FieldDifference {
  /** NetSuite body field. */
  field: ComparedField | TemplateField;
  /** Canonical deal path (`organization.taxId`), as review reasons and "Fix fields…" name it. */
  source: string;
  owner: FieldOwner;
  /** Display values, for the reviewer and the audit trail's field list (never logged). */
  pipedrive: string;
  netsuite: string;
}

const text = (v: string | undefined | null): string => (v ?? '').trim();
const ADDRESS_PARTS = ['addr1', 'addr2', 'city', 'state', 'zip', 'country'] as const;

function addressText(a: Partial<NetSuiteAddressBookAddress> | undefined): string {
  if (!a) return '';
  const cityLine = [a.city, a.state, a.zip].map(text).filter(Boolean).join(' ');
  return [a.addr1, a.addr2, cityLine, a.country].map(text).filter(Boolean).join(', ');
}

function sameAddress(
  a: Partial<NetSuiteAddressBookAddress> | undefined,
  b: Partial<NetSuiteAddressBookAddress> | undefined,
): boolean {
  return ADDRESS_PARTS.every((k) => text(a?.[k]).toLowerCase() === text(b?.[k]).toLowerCase());
}

const taxKey = (t: NetSuiteTaxRegistration): string =>
  `${text(t.nexusCountry).toUpperCase()}:${text(t.taxRegistrationNumber)
    .toUpperCase()
    .replace(/[\s.-]/g, '')}`;
const taxText = (items: readonly NetSuiteTaxRegistration[]): string =>
  items
    .map((t) => (t.nexusCountry ? `${t.taxRegistrationNumber} (${t.nexusCountry})` : t.taxRegistrationNumber))
    .join(', ');

const refText = (r: { id: string; refName?: string } | undefined): string =>
  r ? (r.refName ? `${r.refName} (${r.id})` : r.id) : '';

/** The pair of display values for one field, or undefined when both sides agree. */
function difference(
  field: ComparedField,
  desired: NetSuiteCustomerBody,
  current: NetSuiteCustomerSnapshot,
): [string, string] | undefined {
  switch (field) {
    case 'companyName':
      return text(desired.companyName) === text(current.companyName)
        ? undefined
        : [text(desired.companyName), text(current.companyName)];
    case 'email':
      return text(desired.email).toLowerCase() === text(current.email).toLowerCase()
        ? undefined
        : [text(desired.email), text(current.email)];
    case 'phone':
      return text(desired.phone) === text(current.phone) ? undefined : [text(desired.phone), text(current.phone)];
    case 'subsidiary':
    case 'terms':
      return desired[field].id === current[field]?.id ? undefined : [desired[field].id, refText(current[field])];
    case 'addressBook': {
      const wanted =
        desired.addressBook.items.find((i) => i.defaultBilling)?.addressBookAddress ??
        desired.addressBook.items[0]?.addressBookAddress;
      return sameAddress(wanted, current.billingAddress)
        ? undefined
        : [addressText(wanted), addressText(current.billingAddress)];
    }
    case 'taxRegistration': {
      const wanted = desired.taxRegistration.items.map(taxKey).sort().join('|');
      const held = current.taxRegistrations.map(taxKey).sort().join('|');
      return wanted === held ? undefined : [taxText(desired.taxRegistration.items), taxText(current.taxRegistrations)];
    }
    default: {
      const have = text(current.customFields[field]);
      return text(desired[field]) === have ? undefined : [text(desired[field]), have];
    }
  }
}

/**
 * The template's custom targets the built-in list does not name (a company's own custentity ids, attribution),
 * each with the canonical path it comes from.
 */
export function templateComparedFields(mapping: Mapping): Array<{ field: TemplateField; source: string }> {
  const builtIn = new Set<string>(Object.keys(COMPARED_FIELDS));
  return Object.entries(TEMPLATE_FIELD_PATHS).flatMap(([entryName, source]) => {
    const [head, sub] = entryName.split('.') as [string, string | undefined];
    const entry = (
      sub
        ? (mapping.fields.attribution as Record<string, FieldEntry | undefined>)[sub]
        : (mapping.fields as unknown as Record<string, Partial<FieldEntry>>)[head]
    ) as Partial<FieldEntry> | undefined;
    const target = entry?.target;
    return target && 'custom' in target && !builtIn.has(target.custom)
      ? [{ field: target.custom as TemplateField, source }]
      : [];
  });
}

/**
 * Every mapped field where the deal and NetSuite disagree, with who owns it. With the deal's template, its own custom
 * targets are compared too, owned as the template says.
 */
export function compareWithNetSuite(
  desired: NetSuiteCustomerBody,
  current: NetSuiteCustomerSnapshot,
  mapping?: Mapping,
): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const field of Object.keys(COMPARED_FIELDS) as ComparedField[]) {
    const diff = difference(field, desired, current);
    if (diff)
      out.push({
        field,
        source: COMPARED_FIELDS[field],
        owner: classifyFieldChange(field),
        pipedrive: diff[0],
        netsuite: diff[1],
      });
  }
  for (const { field, source } of mapping ? templateComparedFields(mapping) : []) {
    const want = text(desired[field]);
    const have = text(current.customFields[field.toLowerCase()]);
    if (want !== have)
      out.push({ field, source, owner: ownerInTemplate(mapping!, source), pipedrive: want, netsuite: have });
  }
  return out;
}

export type CustomerPatch = { [K in ComparedField]?: NetSuiteCustomerBody[K] | null } & {
  [K in TemplateField]?: string | null;
};

/** The PATCH body that writes the deal's values for these fields (a value Pipedrive no longer has is cleared). */
export function patchFor(desired: NetSuiteCustomerBody, fields: readonly FieldDifference[]): CustomerPatch {
  const patch: Record<string, unknown> = {};
  for (const { field } of fields)
    patch[field] = desired[field] === undefined || desired[field] === '' ? null : desired[field];
  return patch as CustomerPatch;
}

/** One review reason per NetSuite-owned field the edit would change: "Pipedrive says X, NetSuite has Y". */
export function ownershipReasons(held: readonly FieldDifference[]): ReviewReason[] {
  return held.map((d) =>
    reviewReason(
      d.source,
      `ownership.${d.field}`,
      `Pipedrive says "${d.pipedrive || '(empty)'}", NetSuite has "${d.netsuite || '(empty)'}". NetSuite owns this field, so the edit was not written.`,
      {
        suggestion: "Retry writes the Pipedrive value to NetSuite; Cancel keeps NetSuite's value.",
        value: d.pipedrive,
      },
    ),
  );
}

/** How an edit workflow ended, in its `state` query. */
export type DealEditOutcome = 'no_customer' | 'in_sync' | 'applied' | 'applied_after_review' | 'netsuite_kept';

export interface DealEditSummary {
  outcome?: DealEditOutcome;
  changedFields: string[];
  /** NetSuite body fields written (Pipedrive-owned at once; NetSuite-owned after approval). */
  applied: string[];
  /** NetSuite-owned fields held for review. */
  held: string[];
}
