/**
 * The canonical input of the mapping: a Pipedrive deal with its person and organization, every field read where the
 * mapping template says (standard or custom field, by name or 40-char key) by the Pipedrive activity, values still as
 * typed in Pipedrive (value maps are applied by the validation, so a reviewer's fix may use either form).
 * Plain JSON (it crosses the activity → workflow boundary as a Temporal payload); the zod schema lets the
 * workflow check an activity's result and lets a reviewer's "apply fix" be validated against the same shape.
 */
import { z } from 'zod';
import type { MappingSnapshot } from './mapping/schema';

const OptionalText = z.string().optional();

export const ContactEntrySchema = z.object({
  value: z.string(),
  primary: z.boolean(),
  /** Pipedrive defaults it to `work`. */
  label: z.string().optional(),
});

export const PostalAddressSchema = z.object({
  /** Pipedrive's `formatted_address`, kept for the reviewer. */
  formatted: OptionalText,
  /** Street and number (NetSuite `addr1`). */
  street: OptionalText,
  /** Suite, floor, building (NetSuite `addr2`). */
  street2: OptionalText,
  city: OptionalText,
  /** State / province / county (NetSuite `state`). */
  region: OptionalText,
  postalCode: OptionalText,
  /** ISO 3166-1 alpha-2, e.g. `US`, `GB`, `DE`. */
  country: OptionalText,
});

export const ResolvedDealSchema = z.object({
  deal: z.object({
    id: z.string().min(1),
    title: z.string(),
    value: z.number().nullable(),
    currency: z.string().nullable(),
    stageId: z.string(),
    /** Pipedrive `status`: open, won, lost or deleted (domain/deal-claim.ts re-checks it). */
    status: OptionalText,
    ownerId: OptionalText,
    /** When the deal entered its current stage (Pipedrive `stage_change_time`, RFC 3339): the signature time. */
    signedAt: OptionalText,
    /** DEAL_FIELDS.externalId */
    externalId: OptionalText,
    /** DEAL_FIELDS.onboardingPackage: package code, e.g. `GROWTH`. */
    onboardingPackage: OptionalText,
    /** DEAL_FIELDS.billingOwner: name, email or Pipedrive user id of the finance owner. */
    billingOwner: OptionalText,
    /** DEAL_FIELDS.csm: Pipedrive user id (or name) of the assigned CSM. */
    csmUserId: OptionalText,
    /** DEAL_FIELDS.expectedTimeToValue, `YYYY-MM-DD`. */
    expectedTimeToValue: OptionalText,
    /** DEAL_FIELDS.invoiceDate, `YYYY-MM-DD`. */
    firstInvoiceDate: OptionalText,
    /** Lead-to-revenue attribution (template `fields.attribution`), Pipedrive-owned. */
    attribution: z.object({ campaign: OptionalText, leadSource: OptionalText, channel: OptionalText }).optional(),
  }),
  person: z
    .object({
      id: OptionalText,
      name: z.string(),
      firstName: OptionalText,
      lastName: OptionalText,
      emails: z.array(ContactEntrySchema),
      phones: z.array(ContactEntrySchema),
    })
    .optional(),
  organization: z
    .object({
      id: z.string(),
      name: z.string(),
      address: PostalAddressSchema.optional(),
      /** ORGANIZATION_FIELDS.taxId, as typed by sales. */
      taxId: OptionalText,
      /** ORGANIZATION_FIELDS.subsidiary: NetSuite subsidiary name or internal id. */
      subsidiary: OptionalText,
      /** ORGANIZATION_FIELDS.paymentTerms: NetSuite terms name, e.g. `Net 30`. */
      paymentTerms: OptionalText,
    })
    .optional(),
  /**
   * The mapping template the fetch read this deal with, pinned for the rest of the attempt: validation and the invoice
   * plan use it, not the worker's current file, so a template edit never splits one attempt across two templates.
   * Absent in deals fetched before templates existed (they validate with the worker's template, which then matched).
   */
  mapping: z
    .custom<MappingSnapshot>(
      (v) => v !== null && typeof v === 'object' && typeof (v as { hash?: unknown }).hash === 'string',
    )
    .optional(),
});

export type ContactEntry = z.infer<typeof ContactEntrySchema>;
export type PostalAddress = z.infer<typeof PostalAddressSchema>;
export type ResolvedDeal = z.infer<typeof ResolvedDealSchema>;
export type ResolvedDealCore = ResolvedDeal['deal'];
export type ResolvedPerson = NonNullable<ResolvedDeal['person']>;
export type ResolvedOrganization = NonNullable<ResolvedDeal['organization']>;
