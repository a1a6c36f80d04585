/**
 * Pipedrive deal → NetSuite customer body: the field mapping the guide calls "mapping debt" when left implicit, driven
 * by the mapping template (targets, required/default, value maps, length limits; domain/mapping/schema.ts).
 * Collects EVERY problem as a field-level review reason (a reviewer fixes them all in one pass instead of
 * discovering them one retry at a time); non-blocking findings come back as warnings. Every NetSuite length limit on
 * a mapped field is checked here, so an over-long value is a field-level reason before any NetSuite round trip.
 */
import { planBillingContact } from './billing-contact';
import {
  cleanName,
  lengthReason,
  PHONE_MAX_LENGTH,
  selectBillingEmail,
  selectPhone,
  truncateCodePoints,
} from './contact-fields';
import type { PostalAddress, ResolvedDeal } from './canonical-deal';
import { normalizeCountryCode } from './countries';
import { isValidExternalId, PIPEDRIVE_DEAL_ID_FIELD } from './external-id';
import { checkHandoff } from './handoff-checklist';
import { isLeadSourceTarget, resolveLeadSource } from './lead-source';
import type { NetSuiteAddressBookAddress, NetSuiteCustomerBody, NetSuiteTaxRegistration } from './netsuite-records';
import { activeMapping } from './mapping/active-mapping';
import type { FieldEntry, Mapping, NetSuiteTarget } from './mapping/schema';
import { pipedriveFieldLabel } from './pipedrive-fields';
import type { ReferenceData } from './reference-data';
import { resolveCurrency, resolvePackage, resolveSubsidiary, resolveTerms } from './reference-resolution';
import { reviewReason, type ReviewReason } from './review-reason';
import { validatePostalCode } from './validators/postal-code';
import { validateTaxId } from './validators/tax-id';

/** NetSuite `entityId` limit. */
export const ENTITY_ID_MAX_LENGTH = 83;

/** NetSuite's address line limit (phone: contact-fields.ts): over it NetSuite answers USER_ERROR, so we catch it first. */
export const ADDRESS_FIELD_MAX_LENGTH = 150;

/** Regions that a billing address in these countries is expected to carry (warned, not blocked, when missing). */
const REGION_EXPECTED = new Set(['US', 'CA', 'AU']);

// Their home is contact-fields.ts (shared with the billing contact); importers of the customer mapping keep finding them here.
export {
  cleanName,
  lengthReason,
  PHONE_MAX_LENGTH,
  selectBillingEmail,
  selectPhone,
  truncateCodePoints,
  type EmailSelection,
} from './contact-fields';

export type CustomerMappingResult =
  | { ok: true; customer: NetSuiteCustomerBody; warnings: ReviewReason[] }
  | { ok: false; reasons: ReviewReason[]; warnings: ReviewReason[] };

type AddressMapping = {
  address?: NetSuiteAddressBookAddress;
  country?: string;
  reasons: ReviewReason[];
  warnings: ReviewReason[];
};

function mapAddress(
  address: PostalAddress | undefined,
  addressee: string,
  lineLimit = ADDRESS_FIELD_MAX_LENGTH,
): AddressMapping {
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];
  const street = cleanName(address?.street);
  const street2 = cleanName(address?.street2);
  const city = cleanName(address?.city);
  const region = cleanName(address?.region);
  const rawCountry = cleanName(address?.country);
  const formatted = cleanName(address?.formatted);
  if (
    address === undefined ||
    [street, city, rawCountry, address.postalCode ?? '', formatted].every((s) => s.trim() === '')
  ) {
    reasons.push(
      reviewReason(
        'organization.address',
        'address.missing',
        'The organization has no address: NetSuite needs a billing address.',
        { suggestion: "Fill the organization's address in Pipedrive." },
      ),
    );
    return { reasons, warnings };
  }

  const country = normalizeCountryCode(rawCountry);
  if (rawCountry === '') {
    const why = formatted
      ? `No country could be read from the address "${formatted}" (its last part is neither a country name nor an ISO code, and no postal code pattern names one).`
      : 'The address has no country.';
    reasons.push(
      reviewReason('organization.address.country', 'address.country_missing', why, {
        suggestion: 'Add the country at the end of the address (e.g. ", USA", ", Germany", ", GB").',
        ...(formatted ? { value: formatted } : {}),
      }),
    );
  } else if (country === undefined) {
    reasons.push(
      reviewReason(
        'organization.address.country',
        'address.country_invalid',
        `"${rawCountry}" is not a recognised country.`,
        { suggestion: 'Use the two-letter ISO code, e.g. US, GB, DE, NL, CA, AU.', value: rawCountry },
      ),
    );
  }
  if (street === '') {
    reasons.push(
      reviewReason(
        'organization.address.street',
        'address.street_missing',
        'The address has no street.',
        formatted ? { value: formatted } : {},
      ),
    );
  }
  if (city === '') {
    reasons.push(
      reviewReason(
        'organization.address.city',
        'address.city_missing',
        'The address has no city.',
        formatted ? { value: formatted } : {},
      ),
    );
  }
  for (const [name, value] of [
    ['street', street],
    ['street2', street2],
    ['city', city],
    ['region', region],
  ] as const) {
    const tooLong = lengthReason(
      `organization.address.${name}`,
      `Address ${name}`,
      value,
      lineLimit,
      "the organization's address in Pipedrive",
    );
    if (tooLong) reasons.push({ ...tooLong, code: 'address.too_long' });
  }
  let zip: string | undefined;
  if (country !== undefined) {
    const postal = validatePostalCode(address.postalCode, country);
    if (postal.ok) {
      if (postal.normalized !== '') zip = postal.normalized;
    } else {
      reasons.push(
        reviewReason('organization.address.postalCode', postal.code, postal.message, {
          ...(postal.suggestion ? { suggestion: postal.suggestion } : {}),
          ...(address.postalCode ? { value: address.postalCode } : {}),
        }),
      );
    }
    if (region === '' && REGION_EXPECTED.has(country)) {
      warnings.push(
        reviewReason(
          'organization.address.region',
          'address.region_missing',
          `A ${country} address usually carries a state or province.`,
        ),
      );
    }
  }
  if (reasons.length > 0 || country === undefined) return { reasons, warnings };
  const mapped: NetSuiteAddressBookAddress = {
    addr1: street,
    city,
    country,
    addressee: truncateCodePoints(addressee, lineLimit),
  };
  if (street2 !== '') mapped.addr2 = street2;
  if (region !== '')
    mapped.state = country === 'US' || country === 'CA' || country === 'AU' ? region.toUpperCase() : region;
  if (zip !== undefined) mapped.zip = zip;
  return { address: mapped, country, reasons, warnings };
}

/** Sets a template target on the customer body (custom field or a free-form standard one). */
function setTarget(
  customer: NetSuiteCustomerBody,
  target: NetSuiteTarget | undefined,
  value: string | undefined,
): void {
  if (target === undefined || value === undefined || value === '') return;
  if ('custom' in target) customer[target.custom as `custentity_${string}`] = value;
  else (customer as unknown as Record<string, unknown>)[target.standard] = value;
}

/** `the deal's "CSM" field`: where a reviewer fixes a value, in the company's own words. */
function whereIn(entry: Pick<FieldEntry, 'source'>): string {
  return `the ${entry.source.from}'s "${pipedriveFieldLabel(entry.source)}" field in Pipedrive`;
}

/**
 * Maps a resolved deal to the NetSuite customer upsert body keyed by `externalId`. Everything the first invoice
 * needs is validated here too (package, terms, currency), so a deal is either fully "ready for billing" or in review.
 * The template is the one the deal was fetched with (`deal.mapping`), else this process's.
 */
export function mapToNetSuiteCustomer(
  deal: ResolvedDeal,
  ref: ReferenceData,
  externalId: string,
  mapping: Mapping = deal.mapping ?? activeMapping(),
): CustomerMappingResult {
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];
  const org = deal.organization;
  const f = mapping.fields;
  const checkLimits = (
    path: string,
    what: string,
    value: string,
    entry: Pick<FieldEntry, 'maxLength' | 'source'> & Partial<Pick<FieldEntry, 'pattern' | 'patternHint'>>,
  ) => {
    const r = lengthReason(path, what, value, entry.maxLength, whereIn(entry));
    if (r) reasons.push(r);
    // The template's format rule, over the whole value (an empty value is a "missing", not a format problem).
    if (entry.pattern !== undefined && value !== '' && !new RegExp(`^(?:${entry.pattern})$`, 'u').test(value)) {
      reasons.push(
        reviewReason(
          path,
          'field.format',
          `${what} "${value}" does not have the format the mapping template requires${entry.patternHint ? ` (${entry.patternHint})` : ''}.`,
          {
            suggestion: `Correct ${whereIn(entry)}${entry.patternHint ? ` to the form ${entry.patternHint}` : ` to match ${entry.pattern}`}.`,
            value,
          },
        ),
      );
    }
  };

  if (!isValidExternalId(externalId)) {
    reasons.push(
      reviewReason('deal.externalId', 'external_id.invalid', 'External ID must be 1–64 letters, digits, "-" or "_".', {
        value: externalId,
      }),
    );
  }

  // Company identity
  const companyName = cleanName(org?.name);
  if (org === undefined) {
    reasons.push(
      reviewReason(
        'organization',
        'organization.missing',
        'The deal has no organization: a NetSuite customer is a company.',
        { suggestion: 'Link the deal to an organization in Pipedrive.' },
      ),
    );
  } else if (companyName === '') {
    reasons.push(
      reviewReason('organization.name', 'organization.name_missing', 'The organization has no name.', {
        suggestion: `Fill ${whereIn(f.companyName)}.`,
      }),
    );
  } else {
    checkLimits('organization.name', 'Company name', companyName, f.companyName);
  }
  const entityId = truncateCodePoints(companyName, ENTITY_ID_MAX_LENGTH);
  if (entityId !== companyName && f.companyName.maxLength === undefined) {
    warnings.push(
      reviewReason(
        'organization.name',
        'entity_id.truncated',
        `Company name is longer than ${ENTITY_ID_MAX_LENGTH} characters; the NetSuite entity id was shortened.`,
        { value: companyName },
      ),
    );
  }

  // Contact
  const email = selectBillingEmail(deal.person?.emails ?? []);
  if (email.ok) {
    warnings.push(...email.warnings);
    checkLimits('person.emails', 'E-mail address', email.email, f.email);
  } else if (f.email.required || email.reason.code !== 'email.missing') {
    reasons.push(email.reason);
  }
  const phone = f.phone.target
    ? selectPhone(deal.person?.phones ?? [], f.phone.maxLength ?? PHONE_MAX_LENGTH)
    : { warnings: [] };
  warnings.push(...phone.warnings);
  if (f.phone.required && phone.phone === undefined) {
    reasons.push(
      reviewReason('person.phones', 'phone.missing', 'No usable phone number, and the mapping template requires one.', {
        suggestion: `Add a phone to ${whereIn(f.phone)}.`,
      }),
    );
  }

  // Address (only meaningful with an organization)
  const address =
    org === undefined ? undefined : mapAddress(org.address, entityId, f.address.maxLength ?? ADDRESS_FIELD_MAX_LENGTH);
  if (address) {
    if (f.address.required || org?.address !== undefined) reasons.push(...address.reasons);
    warnings.push(...address.warnings);
  }
  const country = address?.country ?? normalizeCountryCode(org?.address?.country);

  // Tax registration
  let taxRegistration: NetSuiteTaxRegistration | undefined;
  const taxTyped = org?.taxId?.trim() ?? '';
  if (org !== undefined && (f.taxId.required || taxTyped !== '')) {
    const tax = validateTaxId(org.taxId, country);
    if (!tax.ok) {
      reasons.push(
        reviewReason('organization.taxId', tax.code, tax.message, {
          ...(tax.suggestion ? { suggestion: tax.suggestion } : {}),
          ...(taxTyped ? { value: org.taxId } : {}),
        }),
      );
    } else {
      checkLimits('organization.taxId', 'Tax id', tax.normalized, f.taxId);
      const nexusCountry = tax.country ?? country;
      taxRegistration =
        nexusCountry === undefined
          ? { taxRegistrationNumber: tax.normalized }
          : { nexusCountry, taxRegistrationNumber: tax.normalized };
      if (tax.scheme === 'UNVERIFIED') {
        warnings.push(
          reviewReason(
            'organization.taxId',
            'tax_id.unverified',
            `No tax id rule for ${tax.country ?? 'this country'}: accepted as typed.`,
            { value: tax.normalized },
          ),
        );
      } else if (country !== undefined && tax.country !== undefined && tax.country !== country) {
        warnings.push(
          reviewReason(
            'organization.taxId',
            'tax_id.country_mismatch',
            `Tax id is registered in ${tax.country} but the billing address is in ${country}.`,
            { value: tax.normalized },
          ),
        );
      }
    }
  }

  // NetSuite-owned financial fields
  const subsidiary = resolveSubsidiary(org?.subsidiary, country, ref.subsidiaries, mapping);
  if (!subsidiary.ok) reasons.push(subsidiary.reason);
  else if (subsidiary.inferred) {
    warnings.push(
      reviewReason(
        'organization.subsidiary',
        'subsidiary.inferred',
        `No subsidiary set; "${subsidiary.subsidiary.name}" inferred from the country ${country ?? ''}.`.trim(),
        { suggestion: `Set ${whereIn(f.subsidiary)} to confirm.` },
      ),
    );
  }
  const terms = resolveTerms(org?.paymentTerms, ref.terms, mapping);
  if (!terms.ok) reasons.push(terms.reason);
  else if (terms.defaulted) {
    warnings.push(
      reviewReason(
        'organization.paymentTerms',
        'terms.defaulted',
        `No payment terms set; defaulted to "${terms.terms.name}".`,
        { suggestion: `Set ${whereIn(f.terms)} to confirm.` },
      ),
    );
  }
  const pkg = resolvePackage(deal.deal.onboardingPackage, ref.items, mapping);
  if (!pkg.ok) reasons.push(...pkg.reasons);
  const currency = resolveCurrency(deal.deal.currency, ref.currencies, mapping);
  if (!currency.ok) reasons.push(currency.reason);

  // Handoff gate
  const handoff = checkHandoff(deal.deal, deal.deal.signedAt, mapping);
  reasons.push(...handoff.reasons);
  warnings.push(...handoff.warnings);

  // The billing contact is created right after the customer: what NetSuite would refuse of it is a reason now.
  const contact = planBillingContact(deal, 'pending', externalId, ref, mapping);
  if (!contact.ok) reasons.push(...contact.reasons);

  // Custom targets: handoff people and attribution, each within its NetSuite limit.
  const csm = (deal.deal.csmUserId ?? '').trim();
  const billingOwner = (deal.deal.billingOwner ?? '').trim();
  checkLimits('deal.csmUserId', 'CSM', csm, f.csm);
  checkLimits('deal.billingOwner', 'Billing owner', billingOwner, f.billingOwner);
  const attribution = deal.deal.attribution ?? {};
  // Bound for NetSuite's standard leadSource: an entry of the account's list, by internal id.
  let leadSourceId: string | undefined;
  for (const name of ['campaign', 'leadSource', 'channel'] as const) {
    const entry = f.attribution[name];
    const value = attribution[name]?.trim() ?? '';
    if (!entry) continue;
    if (value === '' && entry.required)
      reasons.push(
        reviewReason(
          `deal.attribution.${name}`,
          'attribution.missing',
          `No ${name} on the deal, and the mapping template requires it.`,
          { suggestion: `Set ${whereIn(entry)}.` },
        ),
      );
    checkLimits(`deal.attribution.${name}`, `Attribution ${name}`, value, entry);
    if (isLeadSourceTarget(entry.target) && value !== '') {
      const resolved = resolveLeadSource(name, value, mapping, ref);
      if (!resolved.ok) reasons.push(resolved.reason);
      else leadSourceId = resolved.id;
    }
  }

  const addressOk = address?.address !== undefined || (!f.address.required && org?.address === undefined);
  const taxOk = taxRegistration !== undefined || !f.taxId.required;
  if (
    reasons.length > 0 ||
    !(email.ok || !f.email.required) ||
    !subsidiary.ok ||
    !terms.ok ||
    !pkg.ok ||
    !currency.ok ||
    !addressOk ||
    !taxOk
  ) {
    return { ok: false, reasons, warnings };
  }

  const customer: NetSuiteCustomerBody = {
    externalId,
    entityId,
    companyName,
    isPerson: false,
    email: email.ok ? email.email : '',
    subsidiary: { id: subsidiary.subsidiary.id },
    terms: { id: terms.terms.id },
    addressBook: {
      items: address?.address
        ? [{ defaultBilling: true, defaultShipping: true, label: 'Billing', addressBookAddress: address.address }]
        : [],
    },
    taxRegistration: { items: taxRegistration ? [taxRegistration] : [] },
    [PIPEDRIVE_DEAL_ID_FIELD]: deal.deal.id,
  };
  if (currency.currency && f.currency.target) customer.currency = { id: currency.currency.id };
  setTarget(customer, f.package.target, pkg.pkg.code);
  setTarget(customer, f.csm.target, csm);
  setTarget(customer, f.billingOwner.target, billingOwner);
  for (const name of ['campaign', 'leadSource', 'channel'] as const)
    if (!isLeadSourceTarget(f.attribution[name]?.target))
      setTarget(customer, f.attribution[name]?.target, attribution[name]?.trim());
  if (leadSourceId) customer.leadSource = { id: leadSourceId };
  if (phone.phone !== undefined) customer.phone = phone.phone;
  return { ok: true, customer, warnings };
}
