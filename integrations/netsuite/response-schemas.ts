/**
 * The response shapes the client reads, checked with zod so a NetSuite change surfaces as one clear error at the edge
 * instead of an `undefined` deep in a workflow. Only the fields we use are required; the rest pass through.
 */
import { z } from 'zod';

const link = z.object({ rel: z.string(), href: z.string() });
/** NetSuite ids are strings in JSON; accept numbers too and normalise. */
const id = z.union([z.string(), z.number()]).transform(String);

/** `GET async/v1/job/{id}`. */
export const asyncJobSchema = z.looseObject({
  id: id.optional(),
  completed: z.boolean(),
  progress: z.string(),
});

/** `GET async/v1/job/{id}/task`: a collection; one task per record request. */
export const taskCollectionSchema = z.looseObject({
  items: z.array(z.looseObject({ id: id.optional(), links: z.array(link).optional() })),
});

/** `GET async/v1/job/{id}/task/{tid}`. */
export const asyncTaskSchema = z.looseObject({
  completed: z.boolean(),
  progress: z.string(),
  links: z.array(link).optional(),
});

/** `POST query/v1/suiteql`: every value is a string, null columns are left out, each row carries `links`. */
export const suiteqlPageSchema = z.looseObject({
  items: z.array(z.record(z.string(), z.unknown())),
  hasMore: z.boolean(),
  totalResults: z.number().optional(),
  offset: z.number().optional(),
  count: z.number().optional(),
});

const reference = z.looseObject({ id: id, refName: z.string().optional() });

/** `GET record/v1/customer/{id|eid:X}` (sublists come back as links unless expanded). */
export const customerRecordSchema = z.looseObject({
  id: id,
  externalId: z.string().optional(),
  entityId: z.string().optional(),
  companyName: z.string().optional(),
  email: z.string().optional(),
  isPerson: z.boolean().optional(),
  subsidiary: reference.optional(),
  terms: reference.optional(),
  currency: reference.optional(),
});

export type NetSuiteCustomerRecord = z.infer<typeof customerRecordSchema>;

/** `GET record/v1/invoice/eid:X?fields=…`: only the id is needed to know it exists. */
export const recordIdSchema = z.looseObject({ id: id });

const sublist = <T extends z.ZodType>(item: T) => z.looseObject({ items: z.array(item).optional() }).optional();
const text = z.union([z.string(), z.number()]).transform(String).optional();

/** `GET record/v1/customer/eid:X?expandSubResources=true`: the mapped fields with the address book and tax registrations. */
export const customerSnapshotSchema = customerRecordSchema.extend({
  phone: z.string().optional(),
  addressBook: sublist(
    z.looseObject({
      defaultBilling: z.boolean().optional(),
      addressBookAddress: z
        .looseObject({
          addr1: text,
          addr2: text,
          city: text,
          state: text,
          zip: text,
          country: z.union([z.string(), z.looseObject({ id: z.string() })]).optional(),
        })
        .optional(),
    }),
  ),
  taxRegistration: sublist(
    z.looseObject({
      nexusCountry: z.union([z.string(), z.looseObject({ id: z.string() })]).optional(),
      taxRegistrationNumber: text,
    }),
  ),
});
