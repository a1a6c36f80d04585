/**
 * Pipedrive's v2 deal, person and organization → the canonical ResolvedDeal: custom fields read by NAME through the
 * company's field catalogs, enum ids as labels, user fields as user id strings, the address with an ISO-2 country,
 * signedAt = stage_change_time. Pure; validated with ResolvedDealSchema so a surprise shape fails here, not later.
 */
import { ResolvedDealSchema, type ContactEntry, type ResolvedDeal } from '../../domain/canonical-deal';
import { DEAL_FIELDS, ORGANIZATION_FIELDS } from '../../domain/pipedrive-fields';
import { decodeCustomField } from './custom-field-values';
import type { FieldCatalog } from './field-catalog';
import { toPostalAddress } from './postal-address';
import type { CustomFieldsWire, V2ContactPoint, V2Deal, V2Organization, V2Person } from './wire-types';

function reader(catalog: FieldCatalog, values: CustomFieldsWire | null | undefined) {
  return (name: string): string | undefined => {
    const field = catalog.get(name);
    if (!field || !values) return undefined;
    return decodeCustomField(field, values[field.key])?.trim() || undefined;
  };
}

function contacts(points: V2ContactPoint[] | null | undefined): ContactEntry[] {
  return (points ?? [])
    .filter((p) => typeof p.value === 'string' && p.value.trim() !== '')
    .map((p) => ({ value: p.value.trim(), primary: p.primary === true, ...(p.label ? { label: p.label } : {}) }));
}

const optional = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export interface ResolvedDealSources {
  deal: V2Deal;
  person?: V2Person;
  organization?: V2Organization;
  dealFields: FieldCatalog;
  organizationFields: FieldCatalog;
}

export function toResolvedDeal({ deal, person, organization, dealFields, organizationFields }: ResolvedDealSources): ResolvedDeal {
  const dealField = reader(dealFields, deal.custom_fields);
  const resolved: ResolvedDeal = {
    deal: {
      id: String(deal.id),
      title: deal.title,
      value: deal.value ?? null,
      currency: deal.currency ?? null,
      stageId: String(deal.stage_id),
      ownerId: deal.owner_id === null || deal.owner_id === undefined ? undefined : String(deal.owner_id),
      signedAt: optional(deal.stage_change_time),
      externalId: dealField(DEAL_FIELDS.externalId),
      onboardingPackage: dealField(DEAL_FIELDS.onboardingPackage),
      billingOwner: dealField(DEAL_FIELDS.billingOwner),
      csmUserId: dealField(DEAL_FIELDS.csm),
      expectedTimeToValue: dealField(DEAL_FIELDS.expectedTimeToValue),
      firstInvoiceDate: dealField(DEAL_FIELDS.invoiceDate),
    },
  };
  if (person) {
    resolved.person = { id: String(person.id), name: person.name, emails: contacts(person.emails), phones: contacts(person.phones) };
  }
  if (organization) {
    const orgField = reader(organizationFields, organization.custom_fields);
    resolved.organization = {
      id: String(organization.id),
      name: organization.name,
      address: toPostalAddress(organization.address),
      taxId: orgField(ORGANIZATION_FIELDS.taxId),
      subsidiary: orgField(ORGANIZATION_FIELDS.subsidiary),
      paymentTerms: orgField(ORGANIZATION_FIELDS.paymentTerms),
    };
  }
  return ResolvedDealSchema.parse(stripUndefined(resolved));
}

/** Plain JSON for the Temporal payload: no `undefined` keys. */
function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
