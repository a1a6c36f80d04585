/**
 * What a click on a review card does (docs/architecture.md#review): Bolt routes the action or view here; every listener
 * acks first (Slack's 3 s deadline) and only then talks to Temporal. Decisions are signals to the running onboarding
 * (`getHandle(externalId).signal(review, …)`, never signal-with-start: a click must not start anything). Only the
 * configured reviewers (listed users, or members of the listed user groups) decide; anyone else is told so privately
 * and the refusal is recorded on the workflow. A click
 * on an onboarding that is finished or no longer in review answers "already <state>; nothing to do". Buttons carry
 * the review they were posted for: a click on a card of an earlier review, or a link to a customer the review did
 * not offer, is refused privately and recorded on the workflow too (docs/trust-boundaries.md).
 */
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Counter } from 'prom-client';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { ReviewAction, ReviewDecision } from '../../domain/transaction';
import { checkFixes } from '../../domain/review-fixes';
import {
  FIX_MODAL_CALLBACK_ID,
  RETRY_ALL_ACTION_ID,
  REVIEW_ACTION_IDS,
  decodeButtonValue,
  encodeButtonValue,
  type ReviewButtonValue,
} from '../../integrations/slack';
import type { Logger } from '../../runtime/logger';
import { reviewRefusedSignal, reviewSignal, stateQuery } from '../../workflows/messages';
import { buildFixModal, editableFields, submittedFields } from './review-fix-modal';
import { retryAllFromSlack } from './retry-all';
import type { SlackActionOutcome } from './slack-metrics';

export interface ReviewHandlerDeps {
  temporal: Client;
  /** Who may decide: listed user ids, or members of listed user groups (integrations/slack ReviewerDirectory). */
  reviewers: { isReviewer(userId: string): Promise<boolean> };
  /** Where private answers go when the interaction has no channel (modal submissions). */
  reviewChannel: string;
  metrics: Counter<'action' | 'outcome'>;
  log: Logger;
  /** Bound on each Temporal call made for one click; default 5 s. */
  temporalTimeoutMs?: number;
}

type MetricAction = ReviewAction | 'fix_submit' | 'retry_all';

interface OnboardingStatus {
  running: boolean;
  /** `OnboardingState` search attribute, or the run's status when the workflow never set it. */
  state: string;
}

export const NOT_A_REVIEWER_TEXT =
  'Only onboarding reviewers can decide on this card. Your click was recorded; ask a reviewer in this channel.';
export const closedText = (state: string): string => `This onboarding is already ${state}; nothing to do.`;
export const STALE_CARD_TEXT =
  'This card is from an earlier review of this onboarding; nothing was done. Use the latest card in this channel.';
export const NOT_A_CANDIDATE_TEXT =
  'This customer is not one this review offered to link; nothing was done. Use the CLI `link` to link another customer after checking it.';

/** Why a click may not decide the workflow's current review; undefined when it may. */
export function cardMismatch(
  state: { reviewId?: string; duplicateCandidates?: Array<{ id: string }> },
  value: ReviewButtonValue,
  action: ReviewAction,
): { why: string; text: string } | undefined {
  // Runs from before review ids have none, and neither do their cards: nothing to compare.
  if (state.reviewId !== undefined && value.reviewId !== state.reviewId)
    return { why: 'card of an earlier review', text: STALE_CARD_TEXT };
  if (action === 'link' && !(state.duplicateCandidates ?? []).some((c) => c.id === value.candidateId)) {
    return {
      why: `link to customer ${String(value.candidateId).slice(0, 32)}, not a candidate of this review`,
      text: NOT_A_CANDIDATE_TEXT,
    };
  }
  return undefined;
}

export function registerReviewHandlers(bolt: App, deps: ReviewHandlerDeps): void {
  const isReviewer = (actor: string): Promise<boolean> =>
    deps.reviewers.isReviewer(actor).catch((err: unknown) => {
      deps.log.warn(
        { err: (err as Error).message, actor },
        'could not check reviewer membership; treating as not a reviewer',
      );
      return false;
    });
  const timeoutMs = deps.temporalTimeoutMs ?? 5_000;
  const count = (action: MetricAction, outcome: SlackActionOutcome) => deps.metrics.inc({ action, outcome });
  const bounded = async <T>(p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const tell = async (client: WebClient, channel: string, user: string, text: string): Promise<void> => {
    try {
      await client.chat.postEphemeral({ channel, user, text });
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, user }, 'could not post an ephemeral answer');
    }
  };

  /** `undefined` when Temporal no longer knows the workflow (never existed, or past retention). */
  const statusOf = async (handle: WorkflowHandle): Promise<OnboardingStatus | undefined> => {
    try {
      const d = await bounded(handle.describe());
      const state = d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OnboardingState);
      return { running: d.status.name === 'RUNNING', state: state ?? d.status.name };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  };

  /** The note for a click that cannot change anything any more; `undefined` when the decision can go ahead. */
  const closedNote = async (handle: WorkflowHandle, action: ReviewAction): Promise<string | undefined> => {
    const status = await statusOf(handle);
    if (!status) return 'This onboarding is no longer known to Temporal; nothing to do.';
    // Cancel is honoured at any point while the onboarding runs; the other decisions only answer a review.
    if (!status.running || (action !== 'cancel' && status.state !== 'NEEDS_REVIEW')) return closedText(status.state);
    return undefined;
  };

  const refuse = async (
    client: WebClient,
    channel: string,
    handle: WorkflowHandle,
    actor: string,
    action: MetricAction,
    mismatch?: { why: string; text: string },
  ): Promise<void> => {
    count(action, 'refused');
    deps.log.warn(
      { actor, action, workflowId: handle.workflowId, why: mismatch?.why ?? 'not a reviewer' },
      'review decision refused',
    );
    await Promise.all([
      tell(client, channel, actor, mismatch?.text ?? NOT_A_REVIEWER_TEXT),
      bounded(
        handle.signal(reviewRefusedSignal, {
          actor,
          action,
          at: new Date().toISOString(),
          ...(mismatch ? { why: mismatch.why } : {}),
        }),
      ).catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError))
          deps.log.warn(
            { err: (err as Error).message, workflowId: handle.workflowId },
            'could not record a refused review decision',
          );
      }),
    ]);
  };

  /** Sends the decision; answers privately when there is nothing to decide any more, or not from this card. */
  const decide = async (
    client: WebClient,
    channel: string,
    handle: WorkflowHandle,
    decision: ReviewDecision,
    metricAction: MetricAction,
    card: ReviewButtonValue,
  ): Promise<void> => {
    try {
      const note = await closedNote(handle, decision.action);
      if (note) {
        count(metricAction, 'closed');
        return tell(client, channel, decision.actor, note);
      }
      // The workflow refuses such a decision itself (the query needs a worker; a signal does not): this check only
      // lets the reviewer know at once, so an unanswered query lets the signal go.
      const state = await bounded(handle.query(stateQuery)).catch(() => undefined);
      const mismatch = state ? cardMismatch(state, card, decision.action) : undefined;
      if (mismatch) return refuse(client, channel, handle, decision.actor, metricAction, mismatch);
      await bounded(handle.signal(reviewSignal, decision));
      count(metricAction, 'signalled');
      deps.log.info(
        { actor: decision.actor, action: decision.action, workflowId: handle.workflowId },
        'review decision sent',
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // Closed between the status check and the signal.
        count(metricAction, 'closed');
        const status = await statusOf(handle).catch(() => undefined);
        return tell(client, channel, decision.actor, closedText(status?.state ?? 'closed'));
      }
      count(metricAction, 'error');
      deps.log.error(
        { err: (err as Error).message, workflowId: handle.workflowId, action: decision.action },
        'review decision could not be sent',
      );
      return tell(
        client,
        channel,
        decision.actor,
        `Your ${decision.action} could not be sent to the onboarding (${(err as Error).message}). Please try again.`,
      );
    }
  };

  for (const action of ['retry', 'cancel', 'link'] as const) {
    bolt.action<BlockAction<ButtonAction>>(REVIEW_ACTION_IDS[action], async ({ ack, body, action: button, client }) => {
      await ack();
      const actor = body.user.id;
      const channel = body.channel?.id ?? deps.reviewChannel;
      const value = decodeButtonValue(button.value);
      if (!value || (action === 'link' && !value.candidateId)) {
        count(action, 'invalid');
        return tell(client, channel, actor, 'This button does not name an onboarding; nothing was done.');
      }
      const handle = deps.temporal.workflow.getHandle(value.externalId);
      if (!(await isReviewer(actor))) return refuse(client, channel, handle, actor, action);
      const decision: ReviewDecision = {
        action,
        actor,
        ...(value.reviewId ? { reviewId: value.reviewId } : {}),
        ...(action === 'link' ? { netsuiteCustomerId: value.candidateId! } : {}),
      };
      await decide(client, channel, handle, decision, action, value);
    });
  }

  // "Retry all N" on a review digest: reviewers only, each onboarding's decision audited as a single click's.
  bolt.action<BlockAction<ButtonAction>>(RETRY_ALL_ACTION_ID, async ({ ack, body, action: button, client }) => {
    await ack();
    const r = await retryAllFromSlack(
      { temporal: deps.temporal, reviewers: { isReviewer }, log: deps.log },
      body.user.id,
      button.value,
    );
    count('retry_all', r.outcome);
    await tell(client, body.channel?.id ?? deps.reviewChannel, body.user.id, r.text);
  });

  bolt.action<BlockAction<ButtonAction>>(REVIEW_ACTION_IDS.fix, async ({ ack, body, action: button, client }) => {
    await ack();
    const actor = body.user.id;
    const channel = body.channel?.id ?? deps.reviewChannel;
    const value = decodeButtonValue(button.value);
    if (!value) {
      count('fix', 'invalid');
      return tell(client, channel, actor, 'This button does not name an onboarding; nothing was done.');
    }
    const handle = deps.temporal.workflow.getHandle(value.externalId);
    if (!(await isReviewer(actor))) return refuse(client, channel, handle, actor, 'fix');
    try {
      const note = await closedNote(handle, 'fix');
      if (note) {
        count('fix', 'closed');
        return tell(client, channel, actor, note);
      }
      const state = await bounded(handle.query(stateQuery));
      const mismatch = cardMismatch(state, value, 'fix');
      if (mismatch) return refuse(client, channel, handle, actor, 'fix', mismatch);
      const fields = editableFields(state.reviewReasons);
      if (fields.length === 0) {
        count('fix', 'invalid');
        return tell(
          client,
          channel,
          actor,
          'No field on this card can be corrected here; fix the deal in Pipedrive and press Retry, or cancel.',
        );
      }
      // The modal carries the card's review id back with the submission (legacy modals: the bare external id).
      const view = {
        ...buildFixModal(value.externalId, fields),
        private_metadata: encodeButtonValue({ externalId: value.externalId, reviewId: value.reviewId }),
      };
      await client.views.open({ trigger_id: body.trigger_id, view });
      count('fix', 'modal_opened');
    } catch (err) {
      count('fix', 'error');
      deps.log.error({ err: (err as Error).message, workflowId: value.externalId }, 'could not open the fix modal');
      return tell(
        client,
        channel,
        actor,
        `The fix form could not be opened (${(err as Error).message}). Please try again.`,
      );
    }
  });

  bolt.view<ViewSubmitAction>(FIX_MODAL_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const fields = submittedFields(view.state.values);
    const card =
      decodeButtonValue(view.private_metadata) ??
      (/^[A-Za-z0-9_-]+$/.test(view.private_metadata) ? { externalId: view.private_metadata } : undefined);
    if (Object.keys(fields).length === 0) {
      const first = Object.keys(view.state.values)[0];
      await ack(first ? { response_action: 'errors', errors: { [first]: 'Enter the corrected value.' } } : undefined);
      count('fix_submit', 'invalid');
      return;
    }
    // Values the workflow would refuse are shown on their inputs, before anything is sent.
    const { refused } = checkFixes(fields);
    if (refused.length > 0) {
      await ack({
        response_action: 'errors',
        errors: Object.fromEntries(refused.map((r) => [r.path, r.reason.slice(0, 150)])),
      });
      count('fix_submit', 'invalid');
      return;
    }
    await ack();
    const actor = body.user.id;
    if (!card) {
      count('fix_submit', 'invalid');
      return tell(client, deps.reviewChannel, actor, 'This form does not name an onboarding; nothing was done.');
    }
    const handle = deps.temporal.workflow.getHandle(card.externalId);
    if (!(await isReviewer(actor))) return refuse(client, deps.reviewChannel, handle, actor, 'fix');
    await decide(
      client,
      deps.reviewChannel,
      handle,
      { action: 'fix', actor, fields, ...(card.reviewId ? { reviewId: card.reviewId } : {}) },
      'fix_submit',
      card,
    );
  });
}
