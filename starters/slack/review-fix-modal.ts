/**
 * The "Fix fields…" modal (pure): one text input per field the workflow is waiting on, pre-filled with the value as
 * received, hinted with what is wrong and the suggested fix. Submitting it sends `fix` with the corrected values by
 * canonical path. Only paths the workflow can apply (deal./organization./person.) are offered.
 */
import type { ViewStateValue } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { ReviewReason } from '../../domain/review-reason';
import { FIXABLE_PATHS } from '../../domain/review-fixes';
import { FIX_INPUT_ACTION_ID, FIX_MODAL_CALLBACK_ID } from '../../integrations/slack';

const EDITABLE_PREFIXES = ['deal.', 'organization.', 'person.'];
/** Slack allows 100 blocks in a modal; a deal never has this many broken fields. */
const MAX_INPUTS = 40;

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export function editableFields(reasons: ReviewReason[]): ReviewReason[] {
  const seen = new Map<string, ReviewReason>();
  for (const r of reasons) {
    // Only what the workflow applies (domain/review-fixes.ts FIXABLE_PATHS): an input it would refuse is no help.
    if (!FIXABLE_PATHS.has(r.field)) continue;
    if (!seen.has(r.field)) seen.set(r.field, r);
  }
  return [...seen.values()].slice(0, MAX_INPUTS);
}

export function buildFixModal(externalId: string, reasons: ReviewReason[], heading?: string): ModalView {
  const fields = editableFields(reasons);
  return {
    type: 'modal',
    callback_id: FIX_MODAL_CALLBACK_ID,
    private_metadata: externalId,
    title: { type: 'plain_text', text: 'Fix fields' },
    submit: { type: 'plain_text', text: 'Apply and retry' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            `${heading ? `*${heading}*\n` : ''}Corrected values are applied to this onboarding and it is re-validated. Fields Pipedrive owns (names, e-mail, deal title, CSM) are also corrected in Pipedrive; NetSuite's (tax id, terms, address…) only in NetSuite.`,
            3000,
          ),
        },
      },
      ...fields.map((r) => ({
        type: 'input' as const,
        block_id: r.field,
        label: { type: 'plain_text' as const, text: clip(r.field, 2000) },
        hint: {
          type: 'plain_text' as const,
          text: clip([r.message, r.suggestion ? `Suggested: ${r.suggestion}` : ''].filter(Boolean).join(' '), 2000),
        },
        element: {
          type: 'plain_text_input' as const,
          action_id: FIX_INPUT_ACTION_ID,
          ...(r.value ? { initial_value: clip(r.value, 3000) } : {}),
        },
      })),
    ],
  };
}

/** The submitted values by field path (block id), trimmed; empty inputs are left out. */
export function submittedFields(values: Record<string, Record<string, ViewStateValue>>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [blockId, inputs] of Object.entries(values)) {
    if (!EDITABLE_PREFIXES.some((p) => blockId.startsWith(p))) continue;
    const value = inputs[FIX_INPUT_ACTION_ID]?.value?.trim();
    if (value) fields[blockId] = value;
  }
  return fields;
}
