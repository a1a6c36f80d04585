/**
 * `onboardDeal`: one Pipedrive deal → one NetSuite customer and its first invoice. The workflow ID is the deal's
 * external_id, so a deal can never be onboarded twice while Temporal remembers the run. It reads as the guide's
 * timeline (docs/architecture.md#transaction): fetch → validate → duplicate probe → upsert (+ job polling) → invoice → annotate, and any
 * step that cannot succeed on its own parks the transaction in NEEDS_REVIEW until a human decides.
 */
import {
  CancellationScope,
  condition,
  isCancellation,
  patched,
  continueAsNew,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ResolvedDeal } from '../domain/canonical-deal';
import { dealClaimRefusal } from '../domain/deal-claim';
import { EXTERNAL_ID_OWNER_PATCH } from '../domain/external-id-owner';
import type { NetSuiteCustomerBody } from '../domain/netsuite-records';
import { reviewReason } from '../domain/review-reason';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import {
  boundChangedFields,
  type OnboardingInput,
  type ReviewDecision,
  type TransactionState,
} from '../domain/transaction';
import {
  applyFixes,
  checkFixes,
  describeRefusedFixes,
  pipedriveOwnedFixes,
  unvalidatedPipedriveOwnedFixes,
} from '../domain/review-fixes';
import { describeActor } from '../domain/review-actor';
import { activityProxies } from './activity-proxies';
import { asNeedsReview, NeedsReview } from './needs-review';
import {
  dealUpdatedSignal,
  pauseSignal,
  resumeSignal,
  reviewRefusedSignal,
  reviewSignal,
  stateQuery,
} from './messages';
import { foldPatches } from './folded-patches';
import { deliverKpisByLocalActivity } from './kpi-delivery';
import { kpis } from './kpis';
import { pinMapping, pinnedMapping, unpinOnRemap } from './mapping-pin';
import { TransactionLog } from './transaction-log';
import { reviewCard, waitForReview } from './review-wait';
import { VENDOR_OUTAGE_PATCH, vendorDownOf, VendorOutageWait } from './vendor-wait';

/** How long an async NetSuite job may run before the transaction goes to review (the guide's T+1–5 min window). */
const JOB_SLA_MS = 5 * 60_000;
const JOB_POLL_INTERVAL_MS = 2_000;
/** Unanswered reviews are escalated, and again every period (docs/architecture.md#review); configurable per deployment. */

type Step = 'fetch' | 'claim' | 'writeBack' | 'validate' | 'duplicates' | 'upsert' | 'contact' | 'invoice' | 'annotate';

/** The fetched deal is not what the delivery claimed (domain/deal-claim.ts): the run ends without onboarding it. */
class DealClaimRefused extends Error {}

/**
 * The lean command sequence (docs/lean-worker.md): short reads as local activities, and only the search-attribute
 * upserts whose value changes. One marker for all of it; a run that records it was started by code with every patch
 * folded into `has()` below, so those record no marker of their own (each would cost a marker and a
 * TemporalChangeVersion upsert, which the SDK adds to every patch).
 */
export const LEAN_ONBOARDING_PATCH = 'lean-onboarding';
/**
 * The same, and the closing Pipedrive annotation (idempotent: a note only when the status field changed) as a local
 * activity in the task that completes the run: one workflow task and one activity task fewer. It implies the first.
 */
export const LEAN_ONBOARDING_2_PATCH = 'lean-onboarding-2';
/**
 * The same command sequence, and one marker for the patches every onboarding still recorded besides it: kpi-ledger,
 * kpi-ledger-sharded, kpi-delivery-confirmed and mapping-per-run (workflows/folded-patches.ts). All four are older
 * than it. It implies the first two lean markers.
 */
export const LEAN_ONBOARDING_3_PATCH = 'lean-onboarding-3';
/**
 * The same, with every patch the run used to ask later on decided here instead (`late()` below), and KPI events
 * delivered by a local activity (workflows/kpi-delivery.ts). A `patched()` call that follows a local activity does
 * not replay when the worker completed a task between the activity's result and that call (a heartbeat, a task
 * timeout under load): on replay the marker belongs to the next task, which core has not announced yet, so the call
 * answers false and the run fails with a non-determinism error (docs/architecture.md#versioning,
 * test/workflow/split-task-replay.test.ts). Asked first, before any local activity, a patch is safe.
 */
export const LEAN_ONBOARDING_4_PATCH = 'lean-onboarding-4';

export async function onboardDeal(input: OnboardingInput): Promise<TransactionState> {
  // Newest first, each implying the ones before it, and decided before any implied patch is asked.
  const lean4 = patched(LEAN_ONBOARDING_4_PATCH);
  const lean3 = lean4 || patched(LEAN_ONBOARDING_3_PATCH);
  const lean2 = lean3 || patched(LEAN_ONBOARDING_2_PATCH);
  const lean = lean2 || patched(LEAN_ONBOARDING_PATCH);
  foldPatches(lean3);
  deliverKpisByLocalActivity(lean4);
  const has = (patchId: string): boolean => lean || patched(patchId);
  /** Patches asked after the first local activity: implied by the fourth lean marker, asked late only by older runs. */
  const late = (patchId: string): boolean => lean4 || patched(patchId);
  const {
    pipedrive,
    netsuite,
    billingRules: queuedBillingRules,
    localBillingRules,
    alerts,
    review: reviewChannel,
  } = activityProxies(workflowInfo().taskQueue, { localReads: lean, localAnnotation: lean2 });
  // Runs that validated on the task queue before local billing rules existed replay that way (docs/architecture.md#versioning).
  const billingRules = (): typeof localBillingRules =>
    has('local-billing-rules') ? localBillingRules : queuedBillingRules;
  const tx = new TransactionLog(input);
  tx.lean = lean;
  let decision: ReviewDecision | undefined;
  let cancelled: ReviewDecision | undefined;
  let dealChangedDuringReview = false;
  let reviewsInRun = 0;
  let pipelineScope: CancellationScope | undefined;
  const vendorWait = new VendorOutageWait(tx, input.settings?.vendorOutageReviewAfterMs, input.carried?.vendorWait);

  setHandler(stateQuery, () => tx.snapshot());
  setHandler(reviewSignal, (d) => {
    // A Slack card's button names its review: one from an earlier review's card (stale, re-posted) decides nothing.
    if (d.reviewId !== undefined && d.reviewId !== tx.state.reviewId) {
      tx.audit({
        step: 'review',
        outcome: 'info',
        actor: describeActor(d),
        detail: `${d.action} ignored: card of an earlier review (${String(d.reviewId).slice(0, 64)})`,
      });
      return;
    }
    // A card links only to a candidate it offered; a link from elsewhere (CLI) is verified before it is used.
    if (
      d.action === 'link' &&
      d.reviewId !== undefined &&
      !(tx.state.duplicateCandidates ?? []).some((c) => c.id === d.netsuiteCustomerId)
    ) {
      tx.audit({
        step: 'review',
        outcome: 'info',
        actor: describeActor(d),
        detail: `link ignored: customer ${String(d.netsuiteCustomerId).slice(0, 32)} is not a candidate of this review`,
      });
      return;
    }
    const inReview = tx.state.state === 'NEEDS_REVIEW';
    // Cancel is honoured at any point (an operator stopping a stuck onboarding); the other decisions only answer a review.
    const accepted = inReview || d.action === 'cancel';
    tx.audit({
      step: 'review',
      outcome: 'decision',
      actor: describeActor(d),
      detail: accepted ? d.action : `${d.action} ignored: not in review`,
      reason: d.reason?.slice(0, 500),
    });
    if (!accepted) return;
    // Fix paths outside the allow-list or with invalid values are never applied (domain/review-fixes.ts): say so.
    const refusedFixes = d.action === 'fix' ? checkFixes(d.fields).refused : [];
    if (refusedFixes.length > 0)
      tx.audit({
        step: 'review',
        outcome: 'info',
        actor: d.actor,
        detail: `fix refused: ${describeRefusedFixes(refusedFixes)}`.slice(0, 500),
      });
    if (d.action === 'cancel') {
      cancelled = d;
      pipelineScope?.cancel();
    }
    decision = d;
  });
  setHandler(pauseSignal, (p) => {
    tx.state.paused = true;
    tx.audit({ step: 'pause', outcome: 'decision', actor: describeActor(p), reason: p.reason });
  });
  setHandler(resumeSignal, (p) => {
    tx.state.paused = false;
    tx.audit({ step: 'resume', outcome: 'decision', actor: describeActor(p), reason: p.reason });
  });
  setHandler(reviewRefusedSignal, (r) => {
    tx.audit({
      step: 'review-refused',
      outcome: 'info',
      actor: r.actor,
      detail: `${r.action} refused: ${(r.why ?? 'not an authorised reviewer').slice(0, 200)}`,
    });
  });
  setHandler(dealUpdatedSignal, (u) => {
    // A copied deal carrying this run's External ID signals it too: its changes say nothing about this deal.
    if (u.dealId !== undefined && String(u.dealId) !== input.pipedriveDealId) {
      tx.audit({
        step: 'deal-updated',
        outcome: 'info',
        detail: `ignored: a change of deal ${String(u.dealId).slice(0, 32)}, which carries this External ID`,
      });
      return;
    }
    tx.audit({ step: 'deal-updated', outcome: 'info', detail: boundChangedFields(u.changedFields).join(',') });
    if (tx.state.state === 'NEEDS_REVIEW') dealChangedDuringReview = true;
  });

  // A run that continued as new carries what was done but not the deal or the mapped customer (they stay out of the
  // hand-over's input): both are read again, as after a review decision. Without this a hand-over after the fetch
  // stopped the new run at its first step ("deal fetched above").
  const done = new Set<Step>(
    (input.carried?.done as Step[] | undefined)?.filter((s) => s !== 'fetch' && s !== 'validate'),
  );
  let deal: ResolvedDeal | undefined;
  let customer: NetSuiteCustomerBody | undefined;
  let fixes: Record<string, string> = input.carried?.fixes ?? {};
  // One key per upsert attempt round: NetSuite answers a reused key with the earlier job, so a retry after a
  // failed job must not reuse it (activity retries within a round do reuse it, which is the point).
  let idempotencyKey = input.carried?.idempotencyKey ?? uuid4();

  /** Between steps: honour pause, and hand over to a fresh run before the history grows large. */
  const checkpoint = async (): Promise<void> => {
    if (tx.state.paused) {
      // A run handed over while paused starts in PAUSED: the state to go back to came with it.
      const before = tx.state.state === 'PAUSED' ? (input.carried?.pausedFrom ?? 'RECEIVED') : tx.state.state;
      tx.enter('PAUSED');
      // Signals keep arriving during a pause of days too: hand over while paused when Temporal suggests it.
      const handOver = late('bounded-state');
      await condition(() => !tx.state.paused || (handOver && workflowInfo().continueAsNewSuggested));
      if (tx.state.paused) {
        await kpis.handOver();
        await continueAsNew<typeof onboardDeal>({
          ...input,
          carried: {
            ...tx.snapshot(),
            done: [...done],
            fixes,
            idempotencyKey,
            pausedFrom: before,
            vendorWait: vendorWait.carry(),
          },
        });
      }
      tx.enter(before);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await kpis.handOver();
      await continueAsNew<typeof onboardDeal>({
        ...input,
        // A hand-over while waiting out an outage keeps the wait's start: the allowance does not begin again.
        carried: { ...tx.snapshot(), done: [...done], fixes, idempotencyKey, vendorWait: vendorWait.carry() },
      });
    }
  };

  const runPipeline = async (): Promise<void> => {
    await checkpoint();
    if (!done.has('fetch')) {
      tx.enter('VALIDATING');
      // Read with the template this run pinned at its first fetch (workflows/mapping-pin.ts).
      const mapping = pinnedMapping(tx);
      deal = applyFixes(
        await tx.step('fetch', () =>
          mapping ? pipedrive.fetchDeal(input.pipedriveDealId, mapping) : pipedrive.fetchDeal(input.pipedriveDealId),
        ),
        fixes,
      );
      pinMapping(tx, deal);
      upsertMemo({ dealTitle: deal.deal.title, organization: deal.organization?.name ?? '' });
      done.add('fetch');
    }
    if (!deal) throw new Error('unreachable: deal fetched above');
    // Once, before anything is written, for a run a webhook delivery started (it carries the delivery's company id;
    // an operator's start claims nothing): the deal must be what the delivery claimed (signed, open or won, the
    // token's company). Later passes (after a review) do not ask again: a signed deal moves on to later stages.
    if (!done.has('claim') && input.companyId !== undefined && has('recheck-deal-claim')) {
      const facts = await tx.step('check-deal-claim', () => pipedrive.dealClaimFacts());
      const refusal = facts ? dealClaimRefusal(deal.deal, facts, input.companyId) : undefined;
      if (refusal) throw new DealClaimRefused(refusal);
      done.add('claim');
    }

    await checkpoint();
    if (!done.has('writeBack')) {
      await tx.step('write-back-external-id', () =>
        pipedrive.writeBackExternalId(input.pipedriveDealId, input.externalId),
      );
      done.add('writeBack');
    }

    await checkpoint();
    if (!done.has('validate')) {
      const mapped = await tx.step('validate', () => billingRules().validateDeal(deal!, input.externalId));
      for (const w of mapped.warnings)
        tx.audit({ step: 'validate', outcome: 'info', errorCode: w.code, detail: w.field });
      if (!mapped.ok) throw new NeedsReview('validation', mapped.reasons);
      customer = mapped.customer;
      done.add('validate');
      // Lean: the duplicate probe is a local activity, so CUSTOMER_SYNCING (or a review) follows in this same task.
      tx.enter('READY_FOR_BILLING', { passing: !done.has('upsert') });
    }
    if (!customer) throw new Error('unreachable: customer mapped above');

    await checkpoint();
    if (!done.has('duplicates')) {
      const candidates = await tx.step('duplicate-probe', () =>
        netsuite.findPossibleDuplicates(input.externalId, customer!),
      );
      done.add('duplicates');
      if (candidates.length > 0) {
        tx.state.duplicateCandidates = candidates;
        throw new NeedsReview(
          'possible_duplicate',
          candidates.map((c) =>
            reviewReason(
              'netsuite.customer',
              'possible_duplicate',
              `NetSuite customer ${c.id} has the same ${c.matchedOn.join(' and ')} under another external id.`,
              {
                suggestion: 'Link to the existing customer, or retry to create a new one.',
                value: c.id,
              },
            ),
          ),
        );
      }
    }

    await checkpoint();
    if (!done.has('upsert')) {
      tx.enter('CUSTOMER_SYNCING');
      // Never write by `eid:` to a customer created for another deal (domain/external-id-owner.ts): review instead.
      if (has(EXTERNAL_ID_OWNER_PATCH))
        await tx.step('check-external-id-owner', () =>
          netsuite.checkExternalIdOwner(input.externalId, input.pipedriveDealId),
        );
      const upserted = await tx.step('upsert-customer', () =>
        netsuite.upsertCustomer(input.externalId, customer!, idempotencyKey),
      );
      tx.state.netsuiteCustomerId = 'customerId' in upserted ? upserted.customerId : await waitForJob(upserted.jobId);
      const customerIdAttribute = { key: SEARCH_ATTRIBUTES.NetSuiteCustomerId, value: tx.state.netsuiteCustomerId };
      if (!lean) upsertSearchAttributes([customerIdAttribute]);
      tx.state.customerSyncedAt = new Date().toISOString();
      kpis.customerSynced(input.receivedAt, 'upserted');
      done.add('upsert');
      // Lean: one upsert for the customer id and the state.
      tx.enter('CUSTOMER_SYNCED', lean ? { also: [customerIdAttribute] } : {});
    }
    const customerId = tx.state.netsuiteCustomerId!;

    // The deal's person as the customer's billing contact, upserted by its own externalId (runs recorded before
    // contacts existed replay without the step).
    if (!done.has('contact') && has('billing-contact')) {
      const contact = await tx.step('upsert-contact', () =>
        netsuite.upsertBillingContact(input.externalId, customerId, deal!, customer?.subsidiary.id),
      );
      if (!contact.ok) throw new NeedsReview('validation', contact.reasons);
      done.add('contact');
    }

    await checkpoint();
    if (!done.has('invoice')) {
      const plan = await tx.step('plan-invoice', () =>
        billingRules().planFirstInvoice(input.externalId, customerId, deal!, deal!.deal.signedAt ?? input.receivedAt),
      );
      if (!plan.ok) throw new NeedsReview('validation', plan.reasons);
      tx.enter('INVOICE_SCHEDULED');
      tx.state.invoiceDate = plan.invoiceDate;
      // A durable timer to the invoice date: survives restarts, costs nothing while it waits.
      const wait = Date.parse(`${plan.invoiceDate}T00:00:00Z`) - Date.now();
      if (wait > 0 && late('bounded-state')) {
        // Signals keep arriving during a wait of days: hand over to a fresh run when Temporal suggests it (checkpoint
        // continues as new) and wait the rest there, the plan made again from the same deal and date.
        if (await condition(() => workflowInfo().continueAsNewSuggested, wait)) await checkpoint();
      } else if (wait > 0) await sleep(wait);
      const invoice = await tx.step('create-invoice', () => netsuite.createFirstInvoice(plan.invoice));
      tx.state.invoiceId = invoice.invoiceId;
      tx.state.invoiceCreatedAt = new Date().toISOString();
      kpis.invoiceCreated(input.receivedAt, invoice.created);
      done.add('invoice');
    }

    await checkpoint();
    if (!done.has('annotate')) {
      await tx.step('annotate-deal', () =>
        pipedrive.annotateDealOnboarded(input.pipedriveDealId, { customerId, invoiceId: tx.state.invoiceId }),
      );
      done.add('annotate');
    }
  };

  /** Polls NetSuite's async job on durable timers until it finishes or the SLA window closes. */
  const waitForJob = async (jobId: string): Promise<string> => {
    const deadline = Date.now() + JOB_SLA_MS;
    for (;;) {
      const job = await tx.step('poll-customer-job', () => netsuite.checkCustomerJob(jobId, input.externalId));
      if (job.done) return job.customerId;
      if (Date.now() >= deadline) {
        throw new NeedsReview('sla', [
          reviewReason(
            'netsuite.job',
            'job.sla_exceeded',
            `NetSuite job ${jobId} did not finish within ${JOB_SLA_MS / 60_000} minutes.`,
            { suggestion: 'Check the job in NetSuite, then retry.' },
          ),
        ]);
      }
      await sleep(JOB_POLL_INTERVAL_MS);
    }
  };

  /** Parks the transaction until a reviewer decides or the deal changes in Pipedrive; escalates while unanswered. */
  const awaitReview = (review: NeedsReview): Promise<ReviewDecision> => {
    decision = undefined;
    dealChangedDuringReview = false;
    if (late('review-nonce')) tx.state.reviewId = `${workflowInfo().runId.slice(0, 8)}-${(reviewsInRun += 1)}`;
    const card = reviewCard({
      externalId: input.externalId,
      pipedriveDealId: input.pipedriveDealId,
      review,
      deal,
      state: tx.state,
    });
    return waitForReview({
      tx,
      review,
      card,
      reviewChannel,
      escalateAfterMs: input.settings?.reviewEscalationAfterMs,
      notify: async (onCard) => {
        if (late('review-card')) {
          // Told in parallel, so a slow or failing Slack never delays a decision made from the CLI or Web UI.
          return {
            pending: Promise.all([
              tx.step('post-review-card', () => reviewChannel.postReviewCard(card)).then(onCard, () => undefined),
              tx
                .step('mark-deal-for-review', () => pipedrive.markDealForReview(input.pipedriveDealId, review.reasons))
                .catch(() => undefined),
              review.kind === 'auth'
                ? tx
                    .step('alert-on-call', () => alerts.alertOnCall(input.externalId, review.reasons))
                    .catch(() => undefined)
                : undefined,
            ]),
          };
        }
        // Runs started before review cards existed replay their original, sequential notifications.
        await tx
          .step('mark-deal-for-review', () => pipedrive.markDealForReview(input.pipedriveDealId, review.reasons))
          .catch(() => undefined);
        if (review.kind === 'auth')
          await tx
            .step('alert-on-call', () => alerts.alertOnCall(input.externalId, review.reasons))
            .catch(() => undefined);
        return { pending: Promise.resolve() };
      },
      answered: () => decision !== undefined || dealChangedDuringReview,
      // A corrected deal in Pipedrive is as good as a reviewer's "retry": re-read it and try again.
      decision: () => decision ?? { action: 'retry', actor: 'pipedrive-webhook', reason: 'deal changed in Pipedrive' },
    });
  };

  if (cancelled) {
    tx.enter('CANCELLED');
    return tx.snapshot();
  }
  tx.enter(input.carried?.state ?? 'RECEIVED');
  if (!input.carried) tx.audit({ step: 'received', outcome: 'info', detail: input.eventId });
  kpis.received(input);

  for (;;) {
    try {
      pipelineScope = new CancellationScope();
      await pipelineScope.run(runPipeline);
      tx.enter('COMPLETED');
      await kpis.finished('completed');
      return tx.snapshot();
    } catch (err) {
      if (cancelled && (isCancellation(err) || err instanceof NeedsReview)) {
        tx.enter('CANCELLED');
        await kpis.finished('cancelled');
        return tx.snapshot();
      }
      if (err instanceof DealClaimRefused) {
        tx.state.ignoredReason = err.message;
        tx.audit({ step: 'check-deal-claim', outcome: 'info', detail: `ignored: ${err.message}` });
        tx.enter('CANCELLED');
        await kpis.finished('cancelled');
        return tx.snapshot();
      }
      // A vendor that is down (its breaker open) is waited out at the step the run was on, not sent to review.
      let failure: unknown = err;
      const down = vendorDownOf(err);
      if (down && late(VENDOR_OUTAGE_PATCH)) {
        const outcome = await vendorWait.wait(down, done.size, () => cancelled !== undefined);
        if (outcome === 'resume') {
          // A failed async job is final under its idempotency key: the next round submits a new job.
          if (down.jobFailed) idempotencyKey = uuid4();
          continue;
        }
        if (outcome === 'cancelled') {
          tx.enter('CANCELLED');
          await kpis.finished('cancelled');
          return tx.snapshot();
        }
        failure = outcome;
      }
      const review = asNeedsReview(failure);
      let d = await awaitReview(review);
      // A link to a customer the review did not offer (the CLI's) is verified first (activities/link-verification.ts);
      // refused, the review starts over with the reason on top. Behind a patch: earlier runs took any id.
      while (
        d.action === 'link' &&
        d.netsuiteCustomerId !== undefined &&
        !(tx.state.duplicateCandidates ?? []).some((c) => c.id === d.netsuiteCustomerId) &&
        late('verified-link')
      ) {
        const target = String(d.netsuiteCustomerId).slice(0, 32);
        const subsidiaryId = customer?.subsidiary?.id;
        const verdict = await tx
          .step('verify-link', () =>
            netsuite.verifyLinkTarget(target, {
              externalId: input.externalId,
              dealId: input.pipedriveDealId,
              ...(subsidiaryId ? { subsidiaryId } : {}),
            }),
          )
          .catch(() => ({ ok: false as const, reason: 'NetSuite could not be asked; try again' }));
        if (verdict.ok) break;
        tx.audit({
          step: 'verify-link',
          outcome: 'info',
          actor: describeActor(d),
          detail: `link to ${target} refused: ${verdict.reason}`,
        });
        const refused = reviewReason(
          'netsuite.customerId',
          'link.refused',
          `Link to NetSuite customer ${target} refused: ${verdict.reason}.`,
          {
            suggestion:
              "Link a candidate on this card, or a customer in the deal's subsidiary that belongs to no other deal.",
            value: target,
          },
        );
        d = await awaitReview(
          new NeedsReview(review.kind, [refused, ...review.reasons.filter((r) => r.code !== 'link.refused')]),
        );
      }
      if (d.action === 'cancel') {
        tx.enter('CANCELLED');
        await kpis.finished('cancelled');
        return tx.snapshot();
      }
      // Every decision re-reads Pipedrive and re-validates (with the reviewer's fixes), then resumes at the
      // failed step: the steps already done are idempotent and stay done.
      done.delete('fetch');
      done.delete('validate');
      unpinOnRemap(tx, d);
      if (!done.has('upsert')) idempotencyKey = uuid4();
      if (d.action === 'fix' && d.fields) fixes = { ...fixes, ...d.fields };
      // Pipedrive-owned corrections also go back to Pipedrive (NetSuite-owned ones only reach NetSuite, via `fixes`).
      // Only checked values go back (patch: runs from before replay the unchecked write-back they made).
      const toPipedrive =
        d.action === 'fix' && d.fields
          ? late('validated-fixes')
            ? pipedriveOwnedFixes(d.fields)
            : unvalidatedPipedriveOwnedFixes(d.fields)
          : {};
      if (Object.keys(toPipedrive).length > 0 && late('fix-write-back')) {
        await tx
          .step('write-back-fixes', () => pipedrive.writeBackFixes(input.pipedriveDealId, toPipedrive))
          .catch(() => undefined);
      }
      if (d.action === 'link' && d.netsuiteCustomerId) {
        tx.state.netsuiteCustomerId = d.netsuiteCustomerId;
        tx.state.customerSyncedAt = new Date().toISOString();
        kpis.customerSynced(input.receivedAt, 'linked');
        upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.NetSuiteCustomerId, value: d.netsuiteCustomerId }]);
        done.add('duplicates');
        done.add('upsert');
      }
      // "Retry" after a possible-duplicate review means: reviewed, create a new customer anyway.
      if (review.kind === 'possible_duplicate') done.add('duplicates');
    }
  }
}
