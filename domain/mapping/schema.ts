/**
 * The mapping template (mapping/default.yaml): for each canonical field, where it comes from in Pipedrive, how its
 * values translate, where it goes in NetSuite, whether it is required or defaulted, its limits, and which system owns
 * it after onboarding. Pure zod: the loader (runtime/mapping-loader.ts) reads the YAML and reports every wrong entry by
 * its path in the file; activities and the Pipedrive client read the parsed result; workflows never import this.
 */
import { z } from 'zod';

/** Pipedrive API keys of the standard fields the product can read, per entity (reference/external-apis.md §2). */
export const STANDARD_PIPEDRIVE_FIELDS = {
  deal: ['title', 'value', 'currency', 'owner_id', 'expected_close_date', 'stage_change_time', 'won_time', 'add_time'],
  organization: ['name', 'address', 'owner_id'],
  person: ['name', 'first_name', 'last_name', 'emails', 'phones', 'owner_id'],
} as const;

export type PipedriveEntity = keyof typeof STANDARD_PIPEDRIVE_FIELDS;

/** NetSuite customer body fields the orchestrator can write as a mapping target. */
export const STANDARD_NETSUITE_TARGETS = [
  'companyName',
  'email',
  'phone',
  'subsidiary',
  'terms',
  'taxRegistration',
  'addressBook',
  'currency',
  'comments',
  // A reference to the account's lead source list, for attribution entries only (domain/lead-source.ts).
  'leadSource',
] as const;

const HASH_KEY = /^[0-9a-f]{40}$/;
const CUSTOM_TARGET = /^custentity_[a-z0-9_]+$/;

/** Where a value is read in Pipedrive: exactly one of a standard field, a custom field by name, a custom field by key. */
export const SourceSchema = z
  .object({
    from: z.enum(['deal', 'organization', 'person'], { error: 'one of deal | organization | person' }),
    standard: z.string().min(1).optional(),
    field: z.string().trim().min(1, "the custom field's display name in Pipedrive").optional(),
    key: z.string().regex(HASH_KEY, 'a 40-character hex custom field key').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const set = [s.standard, s.field, s.key].filter((v) => v !== undefined).length;
    if (set !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          'exactly one of standard (a Pipedrive API key), field (a custom field name) or key (a custom field hash)',
      });
      return;
    }
    const allowed: readonly string[] = STANDARD_PIPEDRIVE_FIELDS[s.from];
    if (s.standard !== undefined && !allowed.includes(s.standard)) {
      ctx.addIssue({
        code: 'custom',
        path: ['standard'],
        message: `a standard ${s.from} field: ${allowed.join(' | ')}`,
      });
    }
  });
export type PipedriveSource = z.infer<typeof SourceSchema>;

/** A Pipedrive custom field on the deal that the orchestrator writes (by name or key, never standard). */
const DealCustomFieldSchema = z
  .object({
    field: z.string().trim().min(1).optional(),
    key: z.string().regex(HASH_KEY, 'a 40-character hex custom field key').optional(),
  })
  .strict()
  .refine(
    (f) => (f.field === undefined) !== (f.key === undefined),
    'exactly one of field (a custom deal field name) or key (its hash)',
  );
export type DealCustomFieldRef = z.infer<typeof DealCustomFieldSchema>;

export const TargetSchema = z.union(
  [
    z.object({ standard: z.enum(STANDARD_NETSUITE_TARGETS) }).strict(),
    z
      .object({
        custom: z
          .string()
          .regex(CUSTOM_TARGET, 'a NetSuite custom entity field id: custentity_ followed by a-z, 0-9, _'),
      })
      .strict(),
  ],
  { error: `{ standard: ${STANDARD_NETSUITE_TARGETS.join(' | ')} } or { custom: custentity_… }` },
);
export type NetSuiteTarget = z.infer<typeof TargetSchema>;

const Owner = z.enum(['pipedrive', 'netsuite', 'orchestrator'], { error: 'pipedrive | netsuite | orchestrator' });
export type MappingOwner = z.infer<typeof Owner>;

/** Pipedrive value (option label or text, compared case- and space-insensitively) → NetSuite name or internal id. */
const ValueMap = z.record(z.string().min(1), z.string().trim().min(1, 'a NetSuite name or internal id'));

const entryShape = {
  source: SourceSchema,
  target: TargetSchema.optional(),
  required: z.boolean({ error: 'true or false' }).default(false),
  default: z.string().trim().min(1).optional(),
  values: ValueMap.optional(),
  maxLength: z.number({ error: 'a whole number of characters' }).int().positive().optional(),
  /** Format the value must have (a regular expression over the whole value); a value that does not match ⇒ review. */
  pattern: z
    .string()
    .min(1)
    .refine((p) => {
      try {
        new RegExp(p, 'u');
        return true;
      } catch {
        return false;
      }
    }, 'a valid regular expression')
    .optional(),
  /** What the pattern asks for, in words, for the reviewer (e.g. "CC-NNNN"). */
  patternHint: z.string().trim().min(1).optional(),
  owner: Owner,
};
export const FieldEntrySchema = z.object(entryShape).strict();
export type FieldEntry = z.infer<typeof FieldEntrySchema>;

const PackageSchema = z
  .object({
    name: z.string().trim().min(1),
    items: z
      .array(
        z
          .object({
            item: z.string().trim().min(1, 'a NetSuite item name/number, e.g. ONB-GROWTH'),
            rate: z.number({ error: 'a price per unit in the deal currency' }).nonnegative(),
            quantity: z.number().positive().default(1),
          })
          .strict(),
      )
      .min(1, 'at least one item line'),
  })
  .strict();

export const MappingSchema = z
  .object({
    version: z.literal(1, { error: 'version: 1' }),
    company: z.string().trim().min(1).optional(),
    pipedrive: z
      .object({
        contractSignedStage: z.string().trim().min(1, 'the name of the stage that starts onboarding'),
        /** Deal fields only the orchestrator writes (a webhook that changed nothing else is our own echo). */
        orchestratorFields: z
          .object({
            externalId: DealCustomFieldSchema,
            onboardingStatus: DealCustomFieldSchema,
            needsRemediation: DealCustomFieldSchema,
          })
          .strict(),
      })
      .strict(),
    fields: z
      .object({
        companyName: FieldEntrySchema,
        email: FieldEntrySchema,
        phone: FieldEntrySchema,
        taxId: FieldEntrySchema,
        subsidiary: z.object({ ...entryShape, inferFromCountry: z.boolean().default(false) }).strict(),
        terms: FieldEntrySchema,
        package: z
          .object({
            ...entryShape,
            packages: z.record(z.string().regex(/^[A-Z0-9_-]+$/, 'an upper-case package code'), PackageSchema),
          })
          .strict()
          .refine((p) => Object.keys(p.packages).length > 0, { message: 'at least one package', path: ['packages'] }),
        billingOwner: FieldEntrySchema,
        csm: FieldEntrySchema,
        timeToValue: FieldEntrySchema,
        invoiceDate: FieldEntrySchema,
        address: z.object({ ...entryShape, parseFreeText: z.boolean().default(true) }).strict(),
        currency: FieldEntrySchema,
        attribution: z
          .object({
            campaign: FieldEntrySchema.optional(),
            leadSource: FieldEntrySchema.optional(),
            channel: FieldEntrySchema.optional(),
          })
          .strict(),
        contact: z
          .object({
            source: SourceSchema,
            required: z.boolean().default(false),
            /** NetSuite contact role on the customer (the billing contact). */
            role: z.string().trim().min(1).default('billing'),
            owner: Owner,
            maxLength: z.number().int().positive().optional(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict()
  .superRefine((m, ctx) => {
    // Value maps that name a package must name one the template defines, or the invoice can never be priced.
    const codes = Object.keys(m.fields.package.packages);
    for (const [from, to] of Object.entries(m.fields.package.values ?? {})) {
      if (!codes.includes(to))
        ctx.addIssue({
          code: 'custom',
          path: ['fields', 'package', 'values', from],
          message: `a package code defined under fields.package.packages: ${codes.join(' | ')}`,
        });
    }
    const targets = new Map<string, string>();
    const noteTarget = (path: string, target: NetSuiteTarget | undefined) => {
      if (!target) return;
      const id = 'custom' in target ? target.custom : target.standard;
      const other = targets.get(id);
      if (other)
        ctx.addIssue({
          code: 'custom',
          path: [...path.split('.'), 'target'],
          message: `a NetSuite target not already used by ${other}`,
        });
      else targets.set(id, path);
    };
    for (const [name, entry] of Object.entries(m.fields)) {
      const target = name === 'attribution' || name === 'contact' ? undefined : (entry as FieldEntry).target;
      if (target && 'standard' in target && target.standard === 'leadSource')
        ctx.addIssue({
          code: 'custom',
          path: ['fields', name, 'target'],
          message: 'leadSource (a lead source list reference) is a target for fields.attribution entries only',
        });
      if (name === 'attribution') {
        for (const [sub, e] of Object.entries(entry as Record<string, FieldEntry | undefined>))
          noteTarget(`fields.attribution.${sub}`, e?.target);
      } else if (name !== 'contact') noteTarget(`fields.${name}`, (entry as FieldEntry).target);
    }
  });

export type Mapping = z.infer<typeof MappingSchema>;
export type MappingInput = z.input<typeof MappingSchema>;

/** The parsed template plus its content hash: what an activity pins for a run (see docs/bring-your-own-accounts.md). */
export type MappingSnapshot = Mapping & { hash: string };

export interface MappingIssue {
  /** Dotted path in the file, e.g. `fields.terms.source.from`. */
  path: string;
  expected: string;
}

/** Pure: validates a parsed YAML value; every problem at once, each with its path in the file. */
export function parseMapping(raw: unknown): { ok: true; mapping: Mapping } | { ok: false; issues: MappingIssue[] } {
  const parsed = MappingSchema.safeParse(raw);
  if (parsed.success) return { ok: true, mapping: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '(file)',
      expected: describeIssue(i),
    })),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `no such entry (${issue.keys.join(', ')}); check the spelling against mapping/default.yaml`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message))
    return `missing: ${issue.expected === 'object' ? 'an entry' : `a ${issue.expected}`} is required here`;
  return issue.message;
}
