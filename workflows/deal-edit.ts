/**
 * `syncDealEdit`: a Pipedrive edit to a deal whose onboarding has closed (docs/architecture.md#ownership). The customer
 * exists, so the edit is compared with NetSuite field by field: what Pipedrive owns (name, email, phone, CSM…) is
 * written at once; what NetSuite owns (tax id, terms, subsidiary, address, package) is never written silently but
 * waits for a reviewer on the same card and `review` signal as an onboarding: retry/fix ⇒ write Pipedrive's value,
 * cancel ⇒ keep NetSuite's. A run per webhook delivery (ID `<external_id>-edit-<event id>`) when no edit of the deal
 * is open; while one is, later edits reach it as `dealUpdated` (COALESCED_EDITS_PATCH below).
 */
import { patched, setHandler, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ResolvedDeal } from '../domain/canonical-deal';
import {
  compareWithNetSuite,
  ownershipReasons,
  patchFor,
  type DealEditInput,
  type DealEditSummary,
  type FieldDifference,
} from '../domain/deal-edit';
import { EXTERNAL_ID_OWNER_PATCH, externalIdOwnershipConflict } from '../domain/external-id-owner';
import type { NetSuiteCustomerBody } from '../domain/netsuite-records';
import {
  applyFixes,
  checkFixes,
  describeRefusedFixes,
  pipedriveOwnedFixes,
  unvalidatedPipedriveOwnedFixes,
} from '../domain/review-fixes';
import { describeActor } from '../domain/review-actor';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import { boundChangedFields, type ReviewDecision, type TransactionState } from '../domain/transaction';
import type { ReviewCardInput, ReviewCardRef } from '../domain/review-card';
import { activityProxies } from './activity-proxies';
import { dealUpdatedSignal, reviewRefusedSignal, reviewSignal, stateQuery } from './messages';
import { asNeedsReview, NeedsReview } from './needs-review';
import { TransactionLog } from './transaction-log';
import { reviewCard, waitForReview } from './review-wait';
import { VENDOR_OUTAGE_PATCH, vendorDownOf, VendorOutageWait } from './vendor-wait';

export type DealEditState = TransactionState & { edit: DealEditSummary };

/**
 * Later edits of the same deal reach the open edit as `dealUpdated` (the intake signals it instead of starting another
 * run): it reads the deal again and updates its one review card in place instead of posting another.
 */
export const COALESCED_EDITS_PATCH = 'coalesced-deal-edits';

export async function syncDealEdit(input: DealEditInput): Promise<DealEditState> {
  const {
    pipedrive,
    netsuite,
    billingRules,
    alerts,
    review: reviewChannel,
  } = activityProxies(workflowInfo().taskQueue);
  const tx = new TransactionLog(input);
  const edit: DealEditSummary = { changedFields: boundChangedFields(input.changedFields ?? []), applied: [], held: [] };
  const snapshot = (): DealEditState => ({ ...tx.snapshot(), edit });
  let decision: ReviewDecision | undefined;
  let reviewsInRun = 0;
  /** A later edit of the deal arrived since this pass began reading it. */
  let editedAgain = false;
  /** The card of a review a later edit interrupted: still open, updated in place by the next review. */
  let openCard: { ref: ReviewCardRef; card: ReviewCardInput } | undefined;
  const vendorWait = new VendorOutageWait(tx, input.settings?.vendorOutageReviewAfterMs);

  setHandler(stateQuery, snapshot);
  setHandler(reviewSignal, (d) => {
    // A Slack card's button names its review: one from an earlier review's card decides nothing (onboarding.ts).
    if (d.reviewId !== undefined && d.reviewId !== tx.state.reviewId) {
      tx.audit({
        step: 'review',
        outcome: 'info',
        actor: describeActor(d),
        detail: `${d.action} ignored: card of an earlier review (${String(d.reviewId).slice(0, 64)})`,
      });
      return;
    }
    const inReview = tx.state.state === 'NEEDS_REVIEW';
    // "Link to existing customer" has no meaning here: the edit is about the customer the onboarding made.
    const ignored = !inReview ? 'not in review' : d.action === 'link' ? 'the customer is already linked' : undefined;
    tx.audit({
      step: 'review',
      outcome: 'decision',
      actor: describeActor(d),
      detail: ignored ? `${d.action} ignored: ${ignored}` : d.action,
      reason: d.reason?.slice(0, 500),
    });
    if (!ignored) decision = d;
    const refusedFixes = !ignored && d.action === 'fix' ? checkFixes(d.fields).refused : [];
    if (refusedFixes.length > 0)
      tx.audit({
        step: 'review',
        outcome: 'info',
        actor: d.actor,
        detail: `fix refused: ${describeRefusedFixes(refusedFixes)}`.slice(0, 500),
      });
  });
  setHandler(dealUpdatedSignal, (u) => {
    if (u.dealId !== undefined && String(u.dealId) !== input.pipedriveDealId) return;
    tx.audit({
      step: 'deal-updated',
      outcome: 'info',
      detail: [u.eventId, boundChangedFields(u.changedFields).join(',')].filter(Boolean).join(' '),
    });
    if (!patched(COALESCED_EDITS_PATCH)) return;
    editedAgain = true;
    edit.changedFields = boundChangedFields([...new Set([...edit.changedFields, ...(u.changedFields ?? [])])]);
  });
  setHandler(reviewRefusedSignal, (r) => {
    tx.audit({
      step: 'review-refused',
      outcome: 'info',
      actor: r.actor,
      detail: `${r.action} refused: ${(r.why ?? 'not an authorised reviewer').slice(0, 200)}`,
    });
  });

  const finish = async (outcome: NonNullable<DealEditSummary['outcome']>): Promise<DealEditState> => {
    // A card a later edit left open has nothing left to decide: close it rather than leave live buttons behind.
    if (openCard) {
      const { ref, card } = openCard;
      openCard = undefined;
      await tx
        .step('record-review-decision', () =>
          reviewChannel.recordReviewDecision(
            ref,
            card,
            { action: 'retry', actor: 'pipedrive-webhook', reason: `a later edit in Pipedrive: ${outcome}` },
            new Date().toISOString(),
          ),
        )
        .catch(() => undefined);
    }
    edit.outcome = outcome;
    tx.audit({ step: 'edit-finished', outcome: 'info', detail: outcome });
    tx.enter('COMPLETED');
    return snapshot();
  };

  tx.enter('RECEIVED');
  tx.audit({
    step: 'received',
    outcome: 'info',
    detail: [input.eventId, edit.changedFields.join(',')].filter(Boolean).join(' '),
  });

  /** Writes these differences, recording which fields went to NetSuite. */
  const write = async (step: string, desired: NetSuiteCustomerBody, diffs: FieldDifference[]): Promise<void> => {
    if (diffs.length === 0) return;
    tx.enter('CUSTOMER_SYNCING');
    await tx.step(step, () =>
      netsuite.patchCustomer(input.externalId, patchFor(desired, diffs), input.pipedriveDealId),
    );
    edit.applied.push(...diffs.map((d) => d.field).filter((f) => !edit.applied.includes(f)));
    tx.enter('CUSTOMER_SYNCED');
  };

  let deal: ResolvedDeal | undefined;
  let fixes: Record<string, string> = {};
  /**
   * NetSuite-owned values a reviewer approved (retry: the values on the card; fix: any value of a field they corrected),
   * written on the next pass. A value that changed in Pipedrive since the card was posted needs a new review.
   */
  const approved = new Map<string, string | undefined>();
  let held: FieldDifference[] = [];
  let reviewed = false;
  for (;;) {
    try {
      editedAgain = false;
      tx.enter('VALIDATING');
      const current = await tx.step('get-customer', () => netsuite.getCustomerSnapshot(input.externalId));
      if (!current) return await finish('no_customer');
      // A copied deal carries its original's External ID: its edits must never reach the original's customer. The
      // patch is asked only when the check fails, so runs that never meet a foreign customer replay unchanged.
      const foreign = externalIdOwnershipConflict({
        externalId: input.externalId,
        dealId: input.pipedriveDealId,
        customer: current,
      });
      if (foreign && patched(EXTERNAL_ID_OWNER_PATCH)) throw new NeedsReview('validation', [foreign]);
      if (tx.state.netsuiteCustomerId !== current.id) {
        tx.state.netsuiteCustomerId = current.id;
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.NetSuiteCustomerId, value: current.id }]);
      }
      deal = applyFixes(await tx.step('fetch', () => pipedrive.fetchDeal(input.pipedriveDealId)), fixes);
      // The review queue (CLI, ops card) names a workflow by these, as it does onboardings.
      upsertMemo({ dealTitle: deal.deal.title, organization: deal.organization?.name ?? '' });
      // The handoff's "not before signature" date check belongs to Contract Signed; after onboarding the deal's
      // stage time (read as the signature time) moves on with every stage change, so the edit maps without it.
      const { signedAt: _stageTime, ...core } = deal.deal;
      const mapped = await tx.step('validate', () =>
        billingRules.validateDeal({ ...deal!, deal: core }, input.externalId),
      );
      if (!mapped.ok) throw new NeedsReview('validation', mapped.reasons);
      // The template's own custom targets (a company's custentity ids, attribution) are compared too; runs recorded
      // before that compare the built-in fields only.
      const diffs = compareWithNetSuite(
        mapped.customer,
        current,
        deal.mapping && patched('template-custom-fields') ? deal.mapping : undefined,
      );
      tx.audit({
        step: 'compare',
        outcome: 'info',
        detail: diffs.length === 0 ? 'in sync' : diffs.map((d) => `${d.field}:${d.owner}`).join(','),
      });
      // The orchestrator's own fields are never taken from the deal; everything else is Pipedrive's or NetSuite's.
      const free = diffs.filter((d) => d.owner === 'pipedrive');
      const netsuiteOwned = diffs.filter((d) => d.owner === 'netsuite');
      const isApproved = (d: FieldDifference): boolean =>
        approved.has(d.field) && [undefined, d.pipedrive].includes(approved.get(d.field));
      await write('patch-pipedrive-owned', mapped.customer, free);
      await write('patch-approved', mapped.customer, netsuiteOwned.filter(isApproved));
      held = netsuiteOwned.filter((d) => !isApproved(d));
      edit.held = held.map((d) => d.field);
      // An edit that arrived during this pass is read by another: the last edit decides what is held.
      if (editedAgain) continue;
      if (held.length > 0) throw new NeedsReview('ownership', ownershipReasons(held));
      if (edit.applied.length === 0) return await finish('in_sync');
      return await finish(reviewed ? 'applied_after_review' : 'applied');
    } catch (err) {
      // A vendor that is down (its breaker open) is waited out as in onboardDeal (workflows/vendor-wait.ts), not sent
      // to review. A pass reads before it writes, so it starts over once the vendor is back; what it has written is
      // its progress (a later outage past it waits its own allowance).
      let failure: unknown = err;
      const down = vendorDownOf(err);
      if (down && patched(VENDOR_OUTAGE_PATCH)) {
        const outcome = await vendorWait.wait(down, edit.applied.length, () => false);
        if (outcome === 'resume') continue;
        if (outcome instanceof NeedsReview) failure = outcome;
      }
      // A later edit arrived while this pass failed: read it before asking anyone.
      if (editedAgain) continue;
      const review = asNeedsReview(failure);
      const d = await awaitReview(review);
      // Woken by a later edit, not a decision: read the deal again; the card stays open for the next review.
      if (d === undefined) continue;
      reviewed = true;
      if (d.action === 'cancel') {
        tx.enter('CANCELLED');
        edit.outcome = 'netsuite_kept';
        tx.audit({ step: 'edit-finished', outcome: 'info', detail: 'netsuite_kept' });
        return snapshot();
      }
      if (d.action === 'fix' && d.fields) fixes = { ...fixes, ...d.fields };
      // As in onboardDeal: Pipedrive-owned corrections also go back to Pipedrive (the fix modal says so).
      // Only checked values go back (patch: runs from before replay the unchecked write-back they made).
      const toPipedrive =
        d.action === 'fix' && d.fields
          ? patched('validated-fixes')
            ? pipedriveOwnedFixes(d.fields)
            : unvalidatedPipedriveOwnedFixes(d.fields)
          : {};
      if (Object.keys(toPipedrive).length > 0) {
        await tx
          .step('write-back-fixes', () => pipedrive.writeBackFixes(input.pipedriveDealId, toPipedrive))
          .catch(() => undefined);
      }
      if (review.kind === 'ownership') {
        for (const h of held) approved.set(h.field, d.fields?.[h.source] !== undefined ? undefined : h.pipedrive);
      }
    }
  }

  /**
   * Parks the edit until a reviewer decides, on the onboarding's card and signal; escalates while unanswered. Undefined
   * when a later edit of the deal woke it first: its card stays open, and the next review updates it in place.
   */
  async function awaitReview(review: NeedsReview): Promise<ReviewDecision | undefined> {
    decision = undefined;
    if (patched('review-nonce')) tx.state.reviewId = `${workflowInfo().runId.slice(0, 8)}-${(reviewsInRun += 1)}`;
    // The card's buttons signal the workflow named here: this edit, not the closed onboarding. Duplicate candidates
    // never apply (the customer exists).
    const card = reviewCard({
      externalId: workflowInfo().workflowId,
      pipedriveDealId: input.pipedriveDealId,
      review,
      deal,
      state: { netsuiteCustomerId: tx.state.netsuiteCustomerId, reviewId: tx.state.reviewId },
    });
    const reuse = openCard;
    let shown: { ref: ReviewCardRef; card: ReviewCardInput } | undefined;
    const post = (): Promise<ReviewCardRef> => tx.step('post-review-card', () => reviewChannel.postReviewCard(card));
    const d = await waitForReview({
      tx,
      review,
      card,
      reviewChannel,
      escalateAfterMs: input.settings?.reviewEscalationAfterMs,
      repeat: reuse !== undefined,
      notify: async (onCard) => ({
        pending: Promise.all([
          // A worker without the update activity (or a card deleted in Slack) gets a new card instead.
          (reuse
            ? tx.step('update-review-card', () => reviewChannel.updateReviewCard(reuse.ref, card)).catch(() => post())
            : post()
          ).then(
            (ref) => {
              shown = { ref, card };
              onCard(ref);
            },
            () => undefined,
          ),
          review.kind === 'auth'
            ? tx
                .step('alert-on-call', () => alerts.alertOnCall(input.externalId, review.reasons))
                .catch(() => undefined)
            : undefined,
        ]),
      }),
      answered: () => decision !== undefined || editedAgain,
      decision: () => decision,
    });
    openCard = d === undefined ? shown : undefined;
    return d;
  }
}
