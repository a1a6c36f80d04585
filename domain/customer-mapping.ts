/**
 * Pipedrive deal → NetSuite customer body: the field mapping the guide calls "mapping debt" when left implicit.
 * Collects EVERY problem as a field-level review reason (a reviewer fixes them all in one pass instead of
 * discovering them one retry at a time); non-blocking findings come back as warnings.
 */
import type { ContactEntry, PostalAddress, ResolvedDeal } from './canonical-deal';
import { normalizeCountryCode } from './countries';
import { isValidExternalId } from './external-id';
import { checkHandoff } from './handoff-checklist';
import type { NetSuiteAddressBookAddress, NetSuiteCustomerBody, NetSuiteTaxRegistration } from './netsuite-records';
import { ORGANIZATION_FIELDS } from './pipedrive-fields';
import type { ReferenceData } from './reference-data';
import { resolvePackage, resolveSubsidiary, resolveTerms, DEFAULT_TERMS_NAME } from './reference-resolution';
import { reviewReason, type ReviewReason } from './review-reason';
import { validateEmail } from './validators/email';
import { validatePostalCode } from './validators/postal-code';
import { validateTaxId } from './validators/tax-id';

/** NetSuite `entityId` limit. */
export const ENTITY_ID_MAX_LENGTH = 83;

/** NetSuite field limits (phone 32, address lines 150): over them NetSuite answers USER_ERROR, so we catch it first. */
export const PHONE_MAX_LENGTH = 32;
export const ADDRESS_FIELD_MAX_LENGTH = 150;

/** Regions that a billing address in these countries is expected to carry (warned, not blocked, when missing). */
const REGION_EXPECTED = new Set(['US', 'CA', 'AU']);

export type CustomerMappingResult =
  | { ok: true; customer: NetSuiteCustomerBody; warnings: ReviewReason[] }
  | { ok: false; reasons: ReviewReason[]; warnings: ReviewReason[] };

/** Trim and collapse inner whitespace; every other character (accents, `&`, `'`, CJK) is kept as typed. */
export function cleanName(raw: string | undefined): string {
  return (raw ?? '').trim().replace(/\s+/g, ' ');
}

/** Truncates by code points so a CJK or emoji name is never cut inside a surrogate pair. */
export function truncateCodePoints(s: string, max: number): string {
  const points = Array.from(s);
  return points.length <= max ? s : points.slice(0, max).join('').trimEnd();
}

export type EmailSelection =
  | { ok: true; email: string; warnings: ReviewReason[] }
  | { ok: false; reason: ReviewReason };

/**
 * The billing e-mail among a person's addresses: the primary one; when none is marked primary, the first valid
 * one. A malformed primary falls back to the first valid other address, with a warning so the reviewer sees it.
 */
export function selectBillingEmail(emails: readonly ContactEntry[]): EmailSelection {
  const field = 'person.emails';
  const present = emails.filter((e) => e.value.trim() !== '');
  if (present.length === 0) {
    return { ok: false, reason: reviewReason(field, 'email.missing', 'The contact person has no e-mail address: invoices cannot be sent.', { suggestion: 'Add an e-mail address to the deal\'s person in Pipedrive.' }) };
  }
  const warnings: ReviewReason[] = [];
  const primary = present.find((e) => e.primary);
  if (primary !== undefined) {
    const v = validateEmail(primary.value);
    if (v.ok) return { ok: true, email: v.normalized, warnings };
    warnings.push(reviewReason(field, 'email.primary_invalid', `The primary e-mail is invalid (${v.message}); another address was used.`, { value: primary.value, ...(v.suggestion ? { suggestion: v.suggestion } : {}) }));
  }
  const candidates = present.filter((e) => e !== primary);
  for (const e of candidates) {
    const v = validateEmail(e.value);
    if (v.ok) return { ok: true, email: v.normalized, warnings };
  }
  const first = present[0];
  const firstCheck = validateEmail(first?.value);
  return {
    ok: false,
    reason: reviewReason(field, 'email.invalid', present.length === 1 ? `The e-mail address is invalid: ${firstCheck.ok ? '' : firstCheck.message}` : `None of the ${present.length} e-mail addresses is valid.`, {
      suggestion: !firstCheck.ok && firstCheck.suggestion ? firstCheck.suggestion : 'Correct the person\'s e-mail address in Pipedrive.',
      value: present.map((e) => e.value).join(', '),
    }),
  };
}

/** Primary phone, else the first one; dropped with a warning when it has fewer than 7 digits. */
export function selectPhone(phones: readonly ContactEntry[]): { phone?: string; warnings: ReviewReason[] } {
  const present = phones.filter((p) => p.value.trim() !== '');
  const chosen = present.find((p) => p.primary) ?? present[0];
  if (chosen === undefined) return { warnings: [] };
  const phone = chosen.value.trim();
  if (phone.replace(/\D/g, '').length < 7) {
    return { warnings: [reviewReason('person.phones', 'phone.invalid', 'Phone number has fewer than 7 digits; left out of the customer.', { value: phone })] };
  }
  if (phone.length > PHONE_MAX_LENGTH) {
    return { warnings: [reviewReason('person.phones', 'phone.too_long', `Phone number is longer than ${PHONE_MAX_LENGTH} characters; left out of the customer.`, { value: phone })] };
  }
  return { phone, warnings: [] };
}

type AddressMapping = { address?: NetSuiteAddressBookAddress; country?: string; reasons: ReviewReason[]; warnings: ReviewReason[] };

function mapAddress(address: PostalAddress | undefined, addressee: string): AddressMapping {
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];
  const street = cleanName(address?.street);
  const street2 = cleanName(address?.street2);
  const city = cleanName(address?.city);
  const region = cleanName(address?.region);
  const rawCountry = cleanName(address?.country);
  const formatted = cleanName(address?.formatted);
  if (address === undefined || [street, city, rawCountry, address.postalCode ?? '', formatted].every((s) => s.trim() === '')) {
    reasons.push(reviewReason('organization.address', 'address.missing', 'The organization has no address: NetSuite needs a billing address.', { suggestion: 'Fill the organization\'s address in Pipedrive.' }));
    return { reasons, warnings };
  }

  const country = normalizeCountryCode(rawCountry);
  if (rawCountry === '') {
    reasons.push(reviewReason('organization.address.country', 'address.country_missing', 'The address has no country.', { suggestion: 'Add the country (e.g. US, GB, DE).', ...(formatted ? { value: formatted } : {}) }));
  } else if (country === undefined) {
    reasons.push(reviewReason('organization.address.country', 'address.country_invalid', `"${rawCountry}" is not a recognised country.`, { suggestion: 'Use the two-letter ISO code, e.g. US, GB, DE, NL, CA, AU.', value: rawCountry }));
  }
  if (street === '') {
    reasons.push(reviewReason('organization.address.street', 'address.street_missing', 'The address has no street.', formatted ? { value: formatted } : {}));
  }
  if (city === '') {
    reasons.push(reviewReason('organization.address.city', 'address.city_missing', 'The address has no city.', formatted ? { value: formatted } : {}));
  }
  for (const [name, value] of [['street', street], ['street2', street2], ['city', city], ['region', region]] as const) {
    if (Array.from(value).length > ADDRESS_FIELD_MAX_LENGTH) {
      reasons.push(reviewReason(`organization.address.${name}`, 'address.too_long', `Address ${name} is longer than ${ADDRESS_FIELD_MAX_LENGTH} characters.`, { value }));
    }
  }
  let zip: string | undefined;
  if (country !== undefined) {
    const postal = validatePostalCode(address.postalCode, country);
    if (postal.ok) {
      if (postal.normalized !== '') zip = postal.normalized;
    } else {
      reasons.push(reviewReason('organization.address.postalCode', postal.code, postal.message, { ...(postal.suggestion ? { suggestion: postal.suggestion } : {}), ...(address.postalCode ? { value: address.postalCode } : {}) }));
    }
    if (region === '' && REGION_EXPECTED.has(country)) {
      warnings.push(reviewReason('organization.address.region', 'address.region_missing', `A ${country} address usually carries a state or province.`));
    }
  }
  if (reasons.length > 0 || country === undefined) return { reasons, warnings };
  const mapped: NetSuiteAddressBookAddress = { addr1: street, city, country, addressee: truncateCodePoints(addressee, ADDRESS_FIELD_MAX_LENGTH) };
  if (street2 !== '') mapped.addr2 = street2;
  if (region !== '') mapped.state = country === 'US' || country === 'CA' || country === 'AU' ? region.toUpperCase() : region;
  if (zip !== undefined) mapped.zip = zip;
  return { address: mapped, country, reasons, warnings };
}

/**
 * Maps a resolved deal to the NetSuite customer upsert body keyed by `externalId`. Everything the first invoice
 * needs is validated here too (package, terms), so a deal is either fully "ready for billing" or in review.
 */
export function mapToNetSuiteCustomer(deal: ResolvedDeal, ref: ReferenceData, externalId: string): CustomerMappingResult {
  const reasons: ReviewReason[] = [];
  const warnings: ReviewReason[] = [];
  const org = deal.organization;

  if (!isValidExternalId(externalId)) {
    reasons.push(reviewReason('deal.externalId', 'external_id.invalid', 'External ID must be 1–64 letters, digits, "-" or "_".', { value: externalId }));
  }

  // Company identity
  const companyName = cleanName(org?.name);
  if (org === undefined) {
    reasons.push(reviewReason('organization', 'organization.missing', 'The deal has no organization: a NetSuite customer is a company.', { suggestion: 'Link the deal to an organization in Pipedrive.' }));
  } else if (companyName === '') {
    reasons.push(reviewReason('organization.name', 'organization.name_missing', 'The organization has no name.'));
  }
  const entityId = truncateCodePoints(companyName, ENTITY_ID_MAX_LENGTH);
  if (entityId !== companyName) {
    warnings.push(reviewReason('organization.name', 'entity_id.truncated', `Company name is longer than ${ENTITY_ID_MAX_LENGTH} characters; the NetSuite entity id was shortened.`, { value: companyName }));
  }

  // Contact
  const email = selectBillingEmail(deal.person?.emails ?? []);
  if (email.ok) warnings.push(...email.warnings);
  else reasons.push(email.reason);
  const phone = selectPhone(deal.person?.phones ?? []);
  warnings.push(...phone.warnings);

  // Address (only meaningful with an organization)
  const address = org === undefined ? undefined : mapAddress(org.address, entityId);
  if (address) {
    reasons.push(...address.reasons);
    warnings.push(...address.warnings);
  }
  const country = address?.country ?? normalizeCountryCode(org?.address?.country);

  // Tax registration
  let taxRegistration: NetSuiteTaxRegistration | undefined;
  if (org !== undefined) {
    const tax = validateTaxId(org.taxId, country);
    if (!tax.ok) {
      reasons.push(reviewReason('organization.taxId', tax.code, tax.message, { ...(tax.suggestion ? { suggestion: tax.suggestion } : {}), ...(org.taxId?.trim() ? { value: org.taxId } : {}) }));
    } else {
      const nexusCountry = tax.country ?? country;
      taxRegistration = nexusCountry === undefined ? { taxRegistrationNumber: tax.normalized } : { nexusCountry, taxRegistrationNumber: tax.normalized };
      if (tax.scheme === 'UNVERIFIED') {
        warnings.push(reviewReason('organization.taxId', 'tax_id.unverified', `No tax id rule for ${tax.country ?? 'this country'}: accepted as typed.`, { value: tax.normalized }));
      } else if (country !== undefined && tax.country !== undefined && tax.country !== country) {
        warnings.push(reviewReason('organization.taxId', 'tax_id.country_mismatch', `Tax id is registered in ${tax.country} but the billing address is in ${country}.`, { value: tax.normalized }));
      }
    }
  }

  // NetSuite-owned financial fields
  const subsidiary = resolveSubsidiary(org?.subsidiary, country, ref.subsidiaries);
  if (!subsidiary.ok) reasons.push(subsidiary.reason);
  else if (subsidiary.inferred) {
    warnings.push(reviewReason('organization.subsidiary', 'subsidiary.inferred', `No subsidiary set; "${subsidiary.subsidiary.name}" inferred from the country ${country ?? ''}.`.trim(), { suggestion: `Set the organization's "${ORGANIZATION_FIELDS.subsidiary}" field to confirm.` }));
  }
  const terms = resolveTerms(org?.paymentTerms, ref.terms);
  if (!terms.ok) reasons.push(terms.reason);
  else if (terms.defaulted) {
    warnings.push(reviewReason('organization.paymentTerms', 'terms.defaulted', `No payment terms set; defaulted to "${DEFAULT_TERMS_NAME}".`, { suggestion: `Set the organization's "${ORGANIZATION_FIELDS.paymentTerms}" field to confirm.` }));
  }
  const pkg = resolvePackage(deal.deal.onboardingPackage, ref.items);
  if (!pkg.ok) reasons.push(...pkg.reasons);

  // Handoff gate
  const handoff = checkHandoff(deal.deal, deal.deal.signedAt);
  reasons.push(...handoff.reasons);
  warnings.push(...handoff.warnings);

  if (reasons.length > 0 || !email.ok || !subsidiary.ok || !terms.ok || !pkg.ok || !address?.address || !taxRegistration) {
    return { ok: false, reasons, warnings };
  }

  const customer: NetSuiteCustomerBody = {
    externalId,
    entityId,
    companyName,
    isPerson: false,
    email: email.email,
    subsidiary: { id: subsidiary.subsidiary.id },
    terms: { id: terms.terms.id },
    addressBook: { items: [{ defaultBilling: true, defaultShipping: true, label: 'Billing', addressBookAddress: address.address }] },
    taxRegistration: { items: [taxRegistration] },
    custentity_onboarding_code: pkg.pkg.code,
    custentity_pd_deal_id: deal.deal.id,
    custentity_csm: (deal.deal.csmUserId ?? '').trim(),
    custentity_billing_owner: (deal.deal.billingOwner ?? '').trim(),
  };
  if (phone.phone !== undefined) customer.phone = phone.phone;
  return { ok: true, customer, warnings };
}
