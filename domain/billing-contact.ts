/**
 * The deal's person as a NetSuite contact attached to the new customer, with the template's role (`fields.contact`,
 * "billing" by default). Keyed by its own externalId (`ct-<externalId>-1`), so a retried upsert updates the same
 * contact. Pure: the validation checks what NetSuite would refuse (name lengths, the role) with the customer, the
 * contact activity builds the body once the customer exists.
 */
import type { ResolvedDeal } from './canonical-deal';
import { cleanName, lengthReason, selectBillingEmail, selectPhone } from './contact-fields';
import { deriveChildExternalId } from './external-id';
import type { Mapping } from './mapping/schema';
import type { NetSuiteRef } from './netsuite-records';
import type { ReferenceData } from './reference-data';
import { reviewReason, type ReviewReason } from './review-reason';

/** NetSuite's contact name fields hold 32 characters. */
export const CONTACT_NAME_MAX_LENGTH = 32;

export interface NetSuiteContactBody {
  externalId: string;
  firstName: string;
  lastName?: string;
  email?: string;
  phone?: string;
  company: NetSuiteRef;
  subsidiary?: NetSuiteRef;
  contactRole?: NetSuiteRef;
}

export function contactExternalId(externalId: string): string {
  return deriveChildExternalId('ct-', externalId, '-1');
}

/** First and last name: Pipedrive's own split when it has one, else the last word of the name is the last name. */
export function splitPersonName(person: NonNullable<ResolvedDeal['person']>): { firstName: string; lastName?: string } {
  const first = cleanName(person.firstName);
  const last = cleanName(person.lastName);
  if (first !== '' || last !== '')
    return first === '' ? { firstName: last } : { firstName: first, ...(last ? { lastName: last } : {}) };
  const words = cleanName(person.name).split(' ').filter(Boolean);
  if (words.length <= 1) return { firstName: words[0] ?? '' };
  return { firstName: words.slice(0, -1).join(' '), lastName: words[words.length - 1] };
}

export type ContactPlan =
  { ok: true; contact?: NetSuiteContactBody; skipped?: string } | { ok: false; reasons: ReviewReason[] };

/**
 * The contact body for `customerId`, or why there is none: no person on the deal skips it (reviewed only when the
 * template marks the contact required); names over NetSuite's limits and an unknown role are reasons.
 */
export function planBillingContact(
  deal: ResolvedDeal,
  customerId: string,
  externalId: string,
  ref: ReferenceData,
  mapping: Mapping,
  subsidiaryId?: string,
): ContactPlan {
  const entry = mapping.fields.contact;
  const person = deal.person;
  const reasons: ReviewReason[] = [];
  if (person === undefined || cleanName(person.name) === '') {
    if (!entry.required) return { ok: true, skipped: 'the deal has no contact person' };
    return {
      ok: false,
      reasons: [
        reviewReason(
          'person',
          'contact.missing',
          'The deal has no contact person, and the mapping template requires a billing contact.',
          { suggestion: 'Link a person to the deal in Pipedrive.' },
        ),
      ],
    };
  }
  const { firstName, lastName } = splitPersonName(person);
  const limit = entry.maxLength ?? CONTACT_NAME_MAX_LENGTH;
  const where = "the person's name in Pipedrive";
  for (const [what, value] of [
    ['Contact first name', firstName],
    ['Contact last name', lastName ?? ''],
  ] as const) {
    const r = lengthReason('person.name', what, value, limit, where);
    if (r) reasons.push(r);
  }
  let contactRole: NetSuiteRef | undefined;
  if (ref.contactRoles !== undefined) {
    const wanted = entry.role.trim().toLowerCase();
    const role = ref.contactRoles.find((r) => r.name.trim().toLowerCase() === wanted || r.id === entry.role);
    if (role) contactRole = { id: role.id };
    else {
      reasons.push(
        reviewReason(
          'mapping.fields.contact.role',
          'contact.role_unknown',
          `Contact role "${entry.role}" does not exist in NetSuite.`,
          {
            suggestion: `Set fields.contact.role in the mapping template to one of: ${ref.contactRoles.map((r) => `"${r.name}"`).join(', ')}.`,
          },
        ),
      );
    }
  }
  if (reasons.length > 0) return { ok: false, reasons };
  const email = selectBillingEmail(person.emails);
  const phone = selectPhone(person.phones);
  const contact: NetSuiteContactBody = {
    externalId: contactExternalId(externalId),
    firstName,
    ...(lastName ? { lastName } : {}),
    ...(email.ok ? { email: email.email } : {}),
    ...(phone.phone ? { phone: phone.phone } : {}),
    company: { id: customerId },
    ...(subsidiaryId ? { subsidiary: { id: subsidiaryId } } : {}),
    ...(contactRole ? { contactRole } : {}),
  };
  return { ok: true, contact };
}
