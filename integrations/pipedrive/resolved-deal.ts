/**
 * Pipedrive's v2 deal, person and organization → the canonical ResolvedDeal, each canonical field read where the mapping
 * template says (a standard field by API key, or a custom field by name or key, on the deal, organization or person):
 * enum ids as labels, user fields as user id strings, the address as parts (free text parsed when the template allows),
 * signedAt = stage_change_time. The template rides along (`mapping`) so the rest of the attempt uses the same one.
 * Pure; validated with ResolvedDealSchema so a surprise shape fails here, not later.
 */
import {
  ResolvedDealSchema,
  type ContactEntry,
  type PostalAddress,
  type ResolvedDeal,
} from '../../domain/canonical-deal';
import type { MappingSnapshot, PipedriveSource } from '../../domain/mapping/schema';
import { contactEntries } from './contact-points';
import { decodeCustomField } from './custom-field-values';
import { findField, type FieldCatalog } from './field-catalog';
import { toPostalAddress } from './postal-address';
import type { CustomFieldsWire, V2Address, V2ContactPoint, V2Deal, V2Organization, V2Person } from './wire-types';

const optional = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export interface ResolvedDealSources {
  deal: V2Deal;
  person?: V2Person;
  organization?: V2Organization;
  dealFields: FieldCatalog;
  organizationFields: FieldCatalog;
  /** Needed only when the template reads a person custom field. */
  personFields?: FieldCatalog;
  mapping: MappingSnapshot;
}

type Entity = { custom_fields?: CustomFieldsWire | null } & object;

function reader(src: ResolvedDealSources) {
  const entities: Record<PipedriveSource['from'], Entity | undefined> = {
    deal: src.deal,
    organization: src.organization,
    person: src.person,
  };
  const catalogs: Record<PipedriveSource['from'], FieldCatalog | undefined> = {
    deal: src.dealFields,
    organization: src.organizationFields,
    person: src.personFields,
  };
  /** The stored value: a standard field as Pipedrive sends it, a custom field decoded to text (an address stays an object). */
  const raw = (source: PipedriveSource | undefined): unknown => {
    if (source === undefined) return undefined;
    const entity = entities[source.from];
    if (entity === undefined) return undefined;
    if (source.standard !== undefined) return (entity as Record<string, unknown>)[source.standard];
    const catalog = catalogs[source.from];
    const field =
      catalog && findField(catalog, source.field !== undefined ? { name: source.field } : { key: source.key! });
    if (!field) return undefined;
    const stored = entity.custom_fields?.[field.key];
    if (field.type === 'address' && stored !== null && typeof stored === 'object') return stored;
    return decodeCustomField(field, stored);
  };
  const text = (source: PipedriveSource | undefined): string | undefined => {
    const v = raw(source);
    if (v === null || v === undefined) return undefined;
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const inner = o.formatted_address ?? o.value ?? o.label;
      return inner === null || inner === undefined ? undefined : String(inner).trim() || undefined;
    }
    return String(v).trim() || undefined;
  };
  const list = (source: PipedriveSource | undefined): ContactEntry[] => {
    const v = raw(source);
    if (Array.isArray(v)) return contactEntries(v as V2ContactPoint[]);
    const single = text(source);
    return single ? [{ value: single, primary: true }] : [];
  };
  const address = (source: PipedriveSource | undefined, parseFreeText: boolean): PostalAddress | undefined => {
    const v = raw(source);
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return toPostalAddress(v as V2Address, { parseFreeText });
    const free = text(source);
    return free ? toPostalAddress({ value: free }, { parseFreeText }) : undefined;
  };
  return { text, list, address };
}

export function toResolvedDeal(src: ResolvedDealSources): ResolvedDeal {
  const { deal, person, organization, mapping } = src;
  const f = mapping.fields;
  const read = reader(src);
  const attribution = {
    campaign: read.text(f.attribution.campaign?.source),
    leadSource: read.text(f.attribution.leadSource?.source),
    channel: read.text(f.attribution.channel?.source),
  };
  const externalIdRef = mapping.pipedrive.orchestratorFields.externalId;
  const resolved: ResolvedDeal = {
    deal: {
      id: String(deal.id),
      title: deal.title,
      value: deal.value ?? null,
      currency: read.text(f.currency.source) ?? null,
      stageId: String(deal.stage_id),
      status: optional(deal.status),
      ownerId: deal.owner_id === null || deal.owner_id === undefined ? undefined : String(deal.owner_id),
      signedAt: optional(deal.stage_change_time),
      externalId: read.text({
        from: 'deal',
        ...(externalIdRef.key ? { key: externalIdRef.key } : { field: externalIdRef.field! }),
      }),
      onboardingPackage: read.text(f.package.source),
      billingOwner: read.text(f.billingOwner.source),
      csmUserId: read.text(f.csm.source),
      expectedTimeToValue: read.text(f.timeToValue.source),
      firstInvoiceDate: read.text(f.invoiceDate.source),
      ...(Object.values(attribution).some((v) => v !== undefined) ? { attribution } : {}),
    },
  };
  if (person) {
    const p = person as V2Person & { first_name?: string | null; last_name?: string | null };
    resolved.person = {
      id: String(person.id),
      name: read.text(f.contact.source) ?? person.name,
      firstName: optional(p.first_name)?.trim() || undefined,
      lastName: optional(p.last_name)?.trim() || undefined,
      emails: read.list(f.email.source),
      phones: read.list(f.phone.source),
    };
  }
  if (organization) {
    resolved.organization = {
      id: String(organization.id),
      name: read.text(f.companyName.source) ?? '',
      address: read.address(f.address.source, f.address.parseFreeText),
      taxId: read.text(f.taxId.source),
      subsidiary: read.text(f.subsidiary.source),
      paymentTerms: read.text(f.terms.source),
    };
  }
  // Last, so a reviewer's payload preview (cut to a few hundred characters) shows the deal, not the template.
  resolved.mapping = mapping;
  return ResolvedDealSchema.parse(stripUndefined(resolved));
}

/** Plain JSON for the Temporal payload: no `undefined` keys. */
function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
