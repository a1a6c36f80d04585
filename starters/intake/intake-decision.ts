/**
 * What the intake does with one parsed Pipedrive webhook (docs/architecture.md#intake): ignore it, drop it as our own write-back,
 * start the deal's onboarding, or tell the deal's running onboarding that the deal changed; and, when that
 * onboarding has closed, whether the change starts an edit after onboarding (`syncDealEdit`). Pure: the facts about
 * the company (our user id, the Contract Signed stage ids, field keys) and the onboarding's status are looked up by
 * the caller.
 */
import { dealEditWorkflowId } from '../../domain/deal-edit';
import { deriveExternalId, isValidExternalId } from '../../domain/external-id';
import { boundChangedFields } from '../../domain/transaction';
import { isCreatedInStage, isOwnWriteBack, isStageChangeTo, type WebhookV2Event } from '../../domain/webhook-v2';

export interface IntakeFacts {
  /** Pipedrive user id of the API token the orchestrator writes with. */
  integrationUserId: string;
  /** Ids of the stages named Contract Signed (one per pipeline that has one). */
  contractSignedStageIds: readonly string[];
  /** Hash keys of ORCHESTRATOR_OWNED_DEAL_FIELDS. */
  orchestratorFieldKeys: readonly string[];
  /** Hash key of the deal's External ID field, if the company has it. */
  externalIdFieldKey?: string;
  /** Hash key → field name, to name the changed fields in the dealUpdated signal. */
  fieldNamesByKey: ReadonlyMap<string, string>;
}

interface DealRef {
  externalId: string;
  dealId: string;
  eventId: string;
  /**
   * Set when `externalId` was taken from the deal's External ID field: the id derived from company + deal id. A
   * copied deal carries its original's External ID; when that id's workflow turns out to be another deal's, the copy
   * runs under this one instead (webhook-intake.ts).
   */
  ownExternalId?: string;
  /** The delivery's `meta.company_id`: the run re-checks it against the API token's company (domain/deal-claim.ts). */
  companyId: string;
}

export type IntakeDecision =
  | { action: 'ignore'; reason: string }
  | { action: 'drop-own-write-back'; reason: string }
  | ({ action: 'start'; title?: string; trigger: 'stage-change' | 'created-in-stage' } & DealRef)
  | ({
      action: 'signal';
      changedFields: string[];
      /** The deal carries a valid External ID (ours, written back at onboarding). */ carriesExternalId: boolean;
    } & DealRef);

/** Deal keys that only say where the deal stands in the pipeline; no NetSuite field and no review reason reads them. */
export const PIPELINE_POSITION_FIELDS: ReadonlySet<string> = new Set([
  'stage_id',
  'pipeline_id',
  'stage_change_time',
  'status',
  'probability',
  'won_time',
  'lost_time',
  'close_time',
  'lost_reason',
  'expected_close_date',
  'is_archived',
  'archive_time',
]);

/** Keys Pipedrive lists in `previous` that say nothing about what a person changed. */
const BOOKKEEPING = new Set(['update_time']);

/**
 * The reason to ignore a delivery without looking anything up (other entities, deletes, merges), or undefined when
 * the event needs the company facts to decide.
 */
export function quickIgnoreReason(event: WebhookV2Event): string | undefined {
  const { entity, action } = event.meta;
  if (entity !== 'deal') return `entity "${entity}" is not a deal`;
  if (action !== 'change' && action !== 'create') return `action "${action}" on a deal starts nothing`;
  if (event.data === null) return 'delivery carries no deal data';
  return undefined;
}

/** The deal's external_id: the valid External ID already on the deal, else derived from company id + deal id. */
export function externalIdOf(event: WebhookV2Event, externalIdFieldKey: string | undefined): string {
  const existing = externalIdFieldKey ? event.data?.custom_fields?.[externalIdFieldKey] : undefined;
  return deriveExternalId({
    companyId: event.meta.company_id,
    dealId: event.data?.id ?? event.meta.entity_id,
    existing: typeof existing === 'string' ? existing : undefined,
  });
}

/** Field names (custom fields by name) that `previous` says changed. */
export function changedFieldNames(event: WebhookV2Event, fieldNamesByKey: ReadonlyMap<string, string>): string[] {
  const previous = event.previous;
  if (previous === null) return [];
  const names: string[] = [];
  for (const key of Object.keys(previous)) {
    if (BOOKKEEPING.has(key)) continue;
    if (key === 'custom_fields') {
      for (const hash of Object.keys(previous.custom_fields ?? {})) names.push(fieldNamesByKey.get(hash) ?? hash);
    } else {
      names.push(key);
    }
  }
  // Bounded here, at parse time: the list goes into a signal, a workflow input and an audit entry.
  return boundChangedFields(names.sort());
}

export function decideIntake(event: WebhookV2Event, facts: IntakeFacts): IntakeDecision {
  const quick = quickIgnoreReason(event);
  if (quick !== undefined) return { action: 'ignore', reason: quick };
  if (
    isOwnWriteBack(event, {
      integrationUserId: facts.integrationUserId,
      orchestratorFieldKeys: facts.orchestratorFieldKeys,
    })
  ) {
    return { action: 'drop-own-write-back', reason: 'change made by the orchestrator itself' };
  }
  const ref: DealRef = {
    externalId: externalIdOf(event, facts.externalIdFieldKey),
    dealId: String(event.data?.id ?? event.meta.entity_id),
    eventId: event.meta.id,
    companyId: String(event.meta.company_id),
  };
  const own = externalIdOf(event, undefined);
  if (own !== ref.externalId) ref.ownExternalId = own;
  const title = event.data?.title ?? undefined;
  if (facts.contractSignedStageIds.some((stage) => isStageChangeTo(event, stage))) {
    return { action: 'start', trigger: 'stage-change', ...ref, ...(title ? { title } : {}) };
  }
  // Deals created already signed (imports, API) never get a stage change: they start on creation.
  if (facts.contractSignedStageIds.some((stage) => isCreatedInStage(event, stage))) {
    return { action: 'start', trigger: 'created-in-stage', ...ref, ...(title ? { title } : {}) };
  }
  if (event.meta.action === 'create') return { action: 'ignore', reason: 'deal created outside Contract Signed' };
  const changedFields = changedFieldNames(event, facts.fieldNamesByKey);
  if (changedFields.length === 0) return { action: 'ignore', reason: 'change lists no changed fields' };
  // Moving a deal along the pipeline changes nothing the customer record or a review is built from: telling the
  // onboarding (or starting an edit after it) would only cost a workflow per drag.
  if (changedFields.every((f) => PIPELINE_POSITION_FIELDS.has(f))) {
    return {
      action: 'ignore',
      reason: `change touches only the deal's pipeline position (${changedFields.join(', ')})`,
    };
  }
  const written = facts.externalIdFieldKey ? event.data?.custom_fields?.[facts.externalIdFieldKey] : undefined;
  const carriesExternalId = typeof written === 'string' && isValidExternalId(written.trim());
  return { action: 'signal', ...ref, changedFields, carriesExternalId };
}

/**
 * Where the deal's onboarding run stands when its `dealUpdated` signal found no running workflow: `closed` (Temporal
 * still remembers it), `unknown` (never started, or closed longer ago than the namespace retention), or `running`
 * (it was between runs, e.g. continuing as new).
 */
export type OnboardingRunStatus = 'running' | 'closed' | 'unknown';

export type ClosedRunDecision =
  | { action: 'start-edit'; workflowId: string }
  | { action: 'retry-later'; reason: string }
  | { action: 'ignore'; reason: string };

/**
 * A change to a deal whose onboarding is not running. Closed ⇒ the edit after onboarding (its workflow compares the
 * deal with NetSuite; fields NetSuite owns go to review). Unknown ⇒ the same only when the deal carries the External
 * ID our onboarding writes back: a deal never onboarded (most edits, in earlier stages) starts nothing.
 */
export function decideClosedRunChange(
  d: { externalId: string; eventId: string; carriesExternalId: boolean },
  run: OnboardingRunStatus,
): ClosedRunDecision {
  switch (run) {
    case 'running':
      return { action: 'retry-later', reason: 'the onboarding is between runs; the signal will reach it on a retry' };
    case 'closed':
      return { action: 'start-edit', workflowId: dealEditWorkflowId(d.externalId, d.eventId) };
    case 'unknown':
      return d.carriesExternalId
        ? { action: 'start-edit', workflowId: dealEditWorkflowId(d.externalId, d.eventId) }
        : { action: 'ignore', reason: 'no onboarding for this deal' };
  }
}
