/**
 * Pipedrive webhooks v2 (`{meta, data, previous}`, reference/external-apis.md §2): parsing and the two questions
 * the intake asks of every delivery, "is this a move into Contract Signed?" and "is this our own write-back?".
 * Lenient on purpose: a delivery we reject is retried by Pipedrive and counts toward a webhook ban, so unknown
 * keys pass through and ids/numbers are accepted as strings or numbers (docs show strings, captures show numbers).
 */
import { z } from 'zod';

/** Longest id accepted: Pipedrive ids are integers; the bound keeps a forged id out of workflow ids and search attributes. */
export const PIPEDRIVE_ID_MAX_LENGTH = 32;
/** Event ids (`meta.id`) are UUIDs; this bound keeps `<external_id>-edit-<event id>` far inside Temporal's id limit. */
export const EVENT_ID_MAX_LENGTH = 128;

const ID_DIGITS = /^\d{1,32}$/;
const ID_MESSAGE = `a Pipedrive id is digits only, at most ${PIPEDRIVE_ID_MAX_LENGTH} of them`;

/**
 * An id as string or number, normalised to a string of digits so comparisons never depend on the wire type. Shaped
 * at parse time: a deal, company or user id becomes a workflow id, a search attribute and a URL path segment, so
 * an id Temporal or a vendor would refuse is answered 400 here instead of being queued (docs/trust-boundaries.md).
 */
export const PipedriveId = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.string({ error: ID_MESSAGE }).trim().regex(ID_DIGITS, ID_MESSAGE),
);

/** A number that may arrive as a numeric string. */
const LooseNumber = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

const LooseBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** Custom fields keyed by 40-char hash; values vary by field type (bare value, {value,currency}, address object…). */
const CustomFields = z.record(z.string(), z.unknown());

export const WebhookMetaSchema = z.looseObject({
  /** `create` | `change` | `delete` (kept as string: a new action must not make us fail deliveries). */
  action: z.string().min(1),
  /** `deal`, `person`, `organization`, … */
  entity: z.string().min(1),
  entity_id: PipedriveId,
  /** Event id: Pipedrive retries repeat it, so it is the dedupe key. */
  id: z.string().min(1).max(EVENT_ID_MAX_LENGTH),
  company_id: PipedriveId,
  correlation_id: z.string().optional(),
  is_bulk_edit: LooseBoolean.optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  type: z.string().optional(),
  user_id: PipedriveId.optional(),
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  webhook_id: PipedriveId.optional(),
  webhook_owner_id: PipedriveId.optional(),
  /** `app` (a person in the UI) or `api` (an integration, possibly us). */
  change_source: z.string().optional(),
  /** 1 on first delivery, up to 4 after the 3/30/150 s retries. */
  attempt: LooseNumber.optional(),
  host: z.string().optional(),
  permitted_user_ids: z.array(PipedriveId).optional(),
});

/** The entity after the change; the deal fields we read are typed, everything else passes through. */
export const WebhookDataSchema = z.looseObject({
  id: PipedriveId.optional(),
  title: z.string().nullish(),
  stage_id: PipedriveId.nullish(),
  pipeline_id: PipedriveId.nullish(),
  status: z.string().nullish(),
  person_id: PipedriveId.nullish(),
  org_id: PipedriveId.nullish(),
  owner_id: PipedriveId.nullish(),
  value: LooseNumber.nullish(),
  currency: z.string().nullish(),
  custom_fields: CustomFields.nullish(),
});

/** Changed fields only (their previous values); `null` on create. */
export const WebhookPreviousSchema = z.looseObject({
  custom_fields: CustomFields.nullish(),
});

export const WebhookV2Schema = z.looseObject({
  meta: WebhookMetaSchema,
  /** `null` on delete. */
  data: WebhookDataSchema.nullable().default(null),
  previous: WebhookPreviousSchema.nullable().default(null),
});

export type WebhookV2Event = z.infer<typeof WebhookV2Schema>;
export type WebhookMeta = z.infer<typeof WebhookMetaSchema>;

export type ParseWebhookResult = { ok: true; event: WebhookV2Event } | { ok: false; issues: string[] };

/** Never throws: the intake answers 2xx/4xx from this without try/catch. */
export function parseWebhookV2(body: unknown): ParseWebhookResult {
  const parsed = WebhookV2Schema.safeParse(body);
  if (parsed.success) return { ok: true, event: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
  };
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/**
 * True when a deal `change` moved the deal INTO `stageId`: the deal is now in that stage and `previous` shows a
 * different stage. Edits to a deal already in the stage (no `previous.stage_id`) are not stage changes.
 */
export function isStageChangeTo(event: WebhookV2Event, stageId: string | number): boolean {
  const target = String(stageId);
  if (event.meta.entity !== 'deal' || event.meta.action !== 'change') return false;
  if (event.data?.stage_id !== target) return false;
  const previous = event.previous;
  if (previous === null || !hasOwn(previous, 'stage_id')) return false;
  const before = previous['stage_id'];
  return before === null || before === undefined || String(before) !== target;
}

/**
 * True when a deal was CREATED directly in `stageId` (imports, deals created by API already signed): no stage
 * change will ever follow, so the intake may want to treat it like one. Kept separate from isStageChangeTo so
 * that choice stays visible at the call site.
 */
export function isCreatedInStage(event: WebhookV2Event, stageId: string | number): boolean {
  return event.meta.entity === 'deal' && event.meta.action === 'create' && event.data?.stage_id === String(stageId);
}

export interface OwnWriteBackOptions {
  /** Pipedrive user id of the API token the orchestrator writes with. */
  integrationUserId: string | number | undefined;
  /** Hash keys of the custom fields only the orchestrator writes (ORCHESTRATOR_OWNED_DEAL_FIELDS, resolved). */
  orchestratorFieldKeys: Iterable<string>;
}

/**
 * Keys Pipedrive may list in `previous` on any edit without a user having changed anything meaningful; they do
 * not make an orchestrator-only change "someone else's".
 */
const BOOKKEEPING_KEYS = new Set(['update_time']);

/**
 * Loop guard (docs/architecture.md#write-back-loops): our own echo is (change_source `api` AND meta.user_id = our integration user) OR a
 * change whose `previous` holds only orchestrator-owned custom fields (at least one) and nothing else.
 */
export function isOwnWriteBack(event: WebhookV2Event, options: OwnWriteBackOptions): boolean {
  const { meta, previous } = event;
  if (
    meta.change_source === 'api' &&
    options.integrationUserId !== undefined &&
    meta.user_id !== undefined &&
    meta.user_id === String(options.integrationUserId)
  ) {
    return true;
  }
  if (previous === null) return false;
  const ours = new Set(options.orchestratorFieldKeys);
  let sawOrchestratorField = false;
  for (const key of Object.keys(previous)) {
    if (BOOKKEEPING_KEYS.has(key)) continue;
    if (key !== 'custom_fields') return false;
    const custom = previous.custom_fields;
    if (custom === null || custom === undefined) continue;
    for (const fieldKey of Object.keys(custom)) {
      if (!ours.has(fieldKey)) return false;
      sawOrchestratorField = true;
    }
  }
  return sawOrchestratorField;
}
