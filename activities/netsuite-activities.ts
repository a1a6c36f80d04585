/**
 * NetSuite side effects, run on the `netsuite` task queue so their concurrency is bounded by the account's budget.
 * Each is idempotent on its own (docs/architecture.md#idempotency): upsert by `eid:`, invoice looked up by its externalId first.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ResolvedDeal } from '../domain/canonical-deal';
import { mapToNetSuiteCustomer, type CustomerMappingResult } from '../domain/customer-mapping';
import { planBillingContact } from '../domain/billing-contact';
import { activeMapping } from '../domain/mapping/active-mapping';
import type { ReviewReason } from '../domain/review-reason';
import { planFirstInvoice, type InvoicePlanResult } from '../domain/invoice-plan';
import { externalIdOwnershipConflict } from '../domain/external-id-owner';
import type { NetSuiteCustomerBody, NetSuiteInvoiceBody } from '../domain/netsuite-records';
import type { ReferenceData } from '../domain/reference-data';
import { FAILURE } from '../domain/failure-types';
import type { NetSuiteEditPort, NetSuitePort } from '../domain/vendor-ports';
import { VendorError } from '../integrations/vendor-error';
import { classified, reasonsFromVendorError } from './to-activity-failure';
import { createCustomerEditActivities } from './customer-edit-activities';
import { createLinkVerificationActivities } from './link-verification';

export interface NetSuiteActivityOptions {
  /** Use NetSuite's async form (Prefer: respond-async + X-NetSuite-Idempotency-Key) for the customer upsert. */
  asyncUpserts: boolean;
  defaultInvoiceDelayDays: number;
  /** Reference data (subsidiaries, terms, items) changes rarely; one SuiteQL round trip per TTL per worker. */
  referenceDataTtlMs: number;
}

export interface DuplicateCandidate {
  id: string;
  externalId?: string;
  matchedOn: Array<'email' | 'companyName'>;
}

export function createNetSuiteActivities(netsuite: NetSuitePort, opts: NetSuiteActivityOptions) {
  let cached: { at: number; data: Promise<ReferenceData> } | undefined;
  const referenceData = (): Promise<ReferenceData> => {
    if (!cached || Date.now() - cached.at > opts.referenceDataTtlMs) {
      const data = netsuite.loadReferenceData();
      cached = { at: Date.now(), data };
      data.catch(() => (cached = undefined));
    }
    return cached.data;
  };

  return {
    validateDeal: classified(async (deal: ResolvedDeal, externalId: string): Promise<CustomerMappingResult> =>
      mapToNetSuiteCustomer(deal, await referenceData(), externalId),
    ),

    /** Customers with the same email or company name but another externalId: someone may already have onboarded them. */
    findPossibleDuplicates: classified(
      async (externalId: string, customer: NetSuiteCustomerBody): Promise<DuplicateCandidate[]> => {
        const hits = await netsuite.findCustomersByEmailOrCompany(
          customer.email ?? undefined,
          customer.companyName ?? undefined,
        );
        return hits
          .filter((h) => h.externalId !== externalId)
          .map((h) => ({
            id: h.id,
            ...(h.externalId ? { externalId: h.externalId } : {}),
            matchedOn: [
              ...(customer.email && h.email?.toLowerCase() === customer.email.toLowerCase()
                ? (['email'] as const)
                : []),
              ...(customer.companyName && h.companyName?.toLowerCase() === customer.companyName.toLowerCase()
                ? (['companyName'] as const)
                : []),
            ],
          }));
      },
    ),

    upsertCustomer: classified(
      async (
        externalId: string,
        customer: NetSuiteCustomerBody,
        idempotencyKey: string,
      ): Promise<{ customerId: string } | { jobId: string }> =>
        opts.asyncUpserts
          ? netsuite.upsertCustomerAsync(externalId, customer, idempotencyKey)
          : netsuite.upsertCustomer(externalId, customer),
    ),

    /**
     * Refuses an External ID whose customer was created for another deal: a copied deal carries its original's External
     * ID, and an upsert under it would overwrite the original's customer. Run just before the upsert (its own step, so
     * a NetSuite hiccup here is retried on its own); a customer that names no deal (created before the field, or by
     * another connector) is claimed by the upsert, which stamps it.
     */
    checkExternalIdOwner: classified(async (externalId: string, dealId: string): Promise<void> => {
      const conflict = externalIdOwnershipConflict({
        externalId,
        dealId,
        customer: await netsuite.getCustomerByExternalId(externalId),
      });
      if (conflict) throw ApplicationFailure.nonRetryable(conflict.message, FAILURE.conflict, [conflict]);
    }),

    /** One look at an async job; the workflow waits between looks on a durable timer, not inside an activity. */
    checkCustomerJob: classified(
      async (jobId: string, externalId: string): Promise<{ done: false } | { done: true; customerId: string }> => {
        const job = await netsuite.getJob(jobId);
        if (!job.completed) return { done: false };
        let outcome: Awaited<ReturnType<NetSuitePort['getJobOutcome']>>;
        try {
          outcome = await netsuite.getJobOutcome(jobId);
        } catch (err) {
          // A finished job's failure is final: re-reading it cannot change it, so it goes to review now, where a
          // retry submits a new job (under a new idempotency key).
          if (job.progress === 'failed' && err instanceof VendorError && err.kind === 'transient') {
            throw ApplicationFailure.nonRetryable(
              `NetSuite async job ${jobId} failed: ${err.message}`,
              FAILURE.transient,
              reasonsFromVendorError(err),
            );
          }
          throw err;
        }
        const customerId = outcome.customerId ?? (await netsuite.getCustomerByExternalId(externalId))?.id;
        if (!customerId)
          throw ApplicationFailure.nonRetryable(
            `async job ${jobId} succeeded but customer eid:${externalId} is not readable`,
            FAILURE.notFound,
          );
        return { done: true, customerId };
      },
    ),

    planFirstInvoice: classified(
      async (
        externalId: string,
        customerId: string,
        deal: ResolvedDeal,
        signedAt: string,
      ): Promise<InvoicePlanResult> =>
        planFirstInvoice({
          externalId,
          customerId,
          deal,
          ref: await referenceData(),
          defaultInvoiceDelayDays: opts.defaultInvoiceDelayDays,
          signedAt,
        }),
    ),

    /**
     * The deal's person as a contact on the customer, with the template's role, upserted by its own externalId: a
     * retry updates the same contact. NetSuite errors classify as the customer's do (retry, or review); a contact
     * the template's rules refuse comes back as reasons for review.
     */
    upsertBillingContact: classified(
      async (
        externalId: string,
        customerId: string,
        deal: ResolvedDeal,
        subsidiaryId?: string,
      ): Promise<{ ok: true; contactId?: string; skipped?: string } | { ok: false; reasons: ReviewReason[] }> => {
        const plan = planBillingContact(
          deal,
          customerId,
          externalId,
          await referenceData(),
          deal.mapping ?? activeMapping(),
          subsidiaryId,
        );
        if (!plan.ok) return plan;
        if (!plan.contact) return { ok: true, skipped: plan.skipped ?? 'no contact' };
        if (!netsuite.upsertContact) return { ok: true, skipped: 'this NetSuite port does not create contacts' };
        const { contactId } = await netsuite.upsertContact(plan.contact.externalId, plan.contact);
        return { ok: true, contactId };
      },
    ),

    /** Looks the invoice up by its own externalId before creating it, so a retry after a lost response creates nothing. */
    createFirstInvoice: classified(
      async (invoice: NetSuiteInvoiceBody): Promise<{ invoiceId: string; created: boolean }> => {
        const existing = invoice.externalId ? await netsuite.findInvoiceByExternalId(invoice.externalId) : undefined;
        if (existing) return { invoiceId: existing.id, created: false };
        const { invoiceId } = await netsuite.createInvoice(invoice);
        return { invoiceId, created: true };
      },
    ),

    /** Edits after onboarding (workflows/deal-edit.ts): read the customer, patch Pipedrive-owned or approved fields. */
    ...createCustomerEditActivities(netsuite as Partial<NetSuiteEditPort>),
    ...createLinkVerificationActivities(netsuite),
  };
}
export type NetSuiteActivities = ReturnType<typeof createNetSuiteActivities>;

/**
 * Validation and invoice planning are local rules over cached reference data: they run on the workflow's own queue,
 * so they never wait for one of the few NetSuite slots (measured: 40% of the netsuite queue's demand, bench P2).
 * Any NetSuite call they make on a cache miss still passes the client's concurrency limiter.
 */
export function billingRuleActivities(
  a: NetSuiteActivities,
): Pick<NetSuiteActivities, 'validateDeal' | 'planFirstInvoice'> {
  return { validateDeal: a.validateDeal, planFirstInvoice: a.planFirstInvoice };
}

/**
 * The duplicate probe and the External ID owner check also run on the workflow's own queue, as local activities of
 * runs on the lean command sequence (workflows/activity-proxies.ts): short reads, each through this process's NetSuite
 * client and its concurrency limiter, like the billing rules.
 */
export function netsuiteReadActivities(
  a: NetSuiteActivities,
): Pick<NetSuiteActivities, 'findPossibleDuplicates' | 'checkExternalIdOwner'> {
  return { findPossibleDuplicates: a.findPossibleDuplicates, checkExternalIdOwner: a.checkExternalIdOwner };
}
