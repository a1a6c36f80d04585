/**
 * Side effects of the `backfill` workflow (cutover from a polling connector): the candidate lookup and the write
 * helpers backfill-page.ts uses, and the activities of runs started before the `backfill-paged` patch, kept until
 * those have continued as new. In those, pages of signed deals are cut from one compact listing per worker (read a
 * Pipedrive page at a time, about 150 bytes kept a deal, cached a few minutes); the durable cursor is the workflow's
 * "after deal id", so a lost cache only costs one more listing. Every write is idempotent: an externalId set to the
 * value it has, a Pipedrive field write skipped when the value is there, and onboardings start through
 * OnboardingStarter (workflow ID = external_id, REJECT_DUPLICATE + USE_EXISTING).
 */
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { decideBackfill, type BackfillDeal, type BackfillDecision, type CustomerCandidate } from '../model/matching';
import { cleanName, selectBillingEmail } from '../../domain/customer-mapping';
import { deriveExternalId, isValidExternalId, PIPEDRIVE_DEAL_ID_FIELD } from '../../domain/external-id';
import { CONTRACT_SIGNED_STAGE, DEAL_FIELDS } from '../../domain/pipedrive-fields';
import { sqlString } from '../../integrations/netsuite';
import type { DealListing, DealPage, DealPagesPort } from '../../integrations/pipedrive';
import { VendorError } from '../../integrations/vendor-error';
import type { PipedrivePort } from '../../domain/vendor-ports';
import type { OnboardingStartPort, SuiteQlPort } from '../../reconciliation/activities/reconcile-activities';
import { classified } from '../../activities/to-activity-failure';

export interface BackfillPage {
  deals: BackfillDeal[];
  /** Signed deals in the whole listing (for the progress bar). */
  total: number;
  /** The cursor for the next page; absent on the last page. */
  nextAfterDealId?: string;
}

export interface NetSuiteExternalIdPort {
  /** `ownerDealId`: the customer's owner field (PIPEDRIVE_DEAL_ID_FIELD) is stamped with it in the same write. */
  setCustomerExternalId(customerId: string, externalId: string, ownerDealId?: string): Promise<void>;
}

export interface BackfillActivityOptions {
  onboardingTaskQueue?: string;
  signedStageName?: string;
  /** How long one listing serves the pages of a run (default 5 min). */
  listingTtlMs?: number;
}

export interface WriteFailure {
  system: 'netsuite' | 'pipedrive';
  dealId: string;
  externalId: string;
  customerId?: string;
  error: string;
}

export interface WriteResults {
  written: number;
  failures: WriteFailure[];
}

/** A write the vendor refuses (validation, permission, a taken externalId) is listed; a transient failure retries the batch. */
export async function refusedAsFailure(
  out: WriteResults,
  what: Omit<WriteFailure, 'error'>,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof VendorError) || err.kind === 'transient') throw err;
    // Bounded: the failure is listed in the workflow's state (backfill.ts MAX_LISTED) or in the report file.
    out.failures.push({ ...what, error: err.message.slice(0, 300) });
  }
}

const numericOrder = (a: string, b: string): number => Number(a) - Number(b) || a.localeCompare(b);

export function toBackfillDeal(listing: Pick<DealListing, 'companyId'>, d: DealListing['deals'][number]): BackfillDeal {
  const email = selectBillingEmail(d.personEmails);
  const billingEmail = email.ok ? email.email : d.personEmails[0]?.value;
  const organizationName = cleanName(d.organizationName);
  const field = d.externalIdField?.trim();
  const externalId = deriveExternalId({ companyId: listing.companyId, dealId: d.dealId, existing: d.externalIdField });
  return {
    dealId: d.dealId,
    title: d.title,
    externalId,
    externalIdOnDeal: isValidExternalId(field) && field === externalId,
    ...(billingEmail ? { email: billingEmail } : {}),
    ...(organizationName ? { organizationName } : {}),
  };
}

interface CompactListing {
  /** Every signed deal as the backfill needs it, in deal id order. */
  deals: BackfillDeal[];
}

/**
 * The signed deals as BackfillDeals, read a Pipedrive page at a time (deal-pages.ts): the worker keeps about 150 bytes
 * a deal, not the whole listing with its persons and organizations (50,000 deals: a few MB instead of hundreds).
 */
async function compactListing(pipedrive: DealPagesPort, stageName: string): Promise<CompactListing> {
  const pages: unknown = pipedrive.dealPagesFromStage(stageName);
  // A port behind an open circuit breaker answers with a rejected promise instead of pages (integrations/vendor-health.ts).
  if (pages instanceof Promise) await pages;
  const deals: BackfillDeal[] = [];
  for await (const page of pages as AsyncIterable<DealPage>)
    for (const d of page.deals) deals.push(toBackfillDeal({ companyId: page.companyId }, d));
  return { deals: deals.sort((a, b) => numericOrder(a.dealId, b.dealId)) };
}

/** Onboarding queue: Pipedrive reads and writes, and starting onboardings. */
export function createBackfillActivities(
  deps: { pipedrive: DealPagesPort & Pick<PipedrivePort, 'setDealFields'>; starter?: OnboardingStartPort },
  opts: BackfillActivityOptions = {},
) {
  let cached: { at: number; listing: Promise<CompactListing> } | undefined;
  const listing = (): Promise<CompactListing> => {
    if (!cached || Date.now() - cached.at > (opts.listingTtlMs ?? 5 * 60_000)) {
      const l = compactListing(deps.pipedrive, opts.signedStageName ?? CONTRACT_SIGNED_STAGE);
      cached = { at: Date.now(), listing: l };
      l.catch(() => (cached = undefined));
    }
    return cached.listing;
  };

  return {
    /** Deals after `afterDealId` in deal id order, `pageSize` of them. */
    loadBackfillPage: classified(async (afterDealId: string | undefined, pageSize: number): Promise<BackfillPage> => {
      const sorted = (await listing()).deals;
      const rest = afterDealId === undefined ? sorted : sorted.filter((d) => numericOrder(d.dealId, afterDealId) > 0);
      const page = rest.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        deals: page,
        total: sorted.length,
        ...(rest.length > pageSize && last ? { nextAfterDealId: last.dealId } : {}),
      };
    }),

    /** The External ID field of each deal; a value already there is not written again. */
    writePipedriveExternalIds: classified(
      async (writes: Array<{ dealId: string; externalId: string }>): Promise<WriteResults> => {
        const out: WriteResults = { written: 0, failures: [] };
        for (const w of writes) {
          await refusedAsFailure(out, { dealId: w.dealId, externalId: w.externalId, system: 'pipedrive' }, async () => {
            if ((await deps.pipedrive.setDealFields(w.dealId, { [DEAL_FIELDS.externalId]: w.externalId })).written)
              out.written += 1;
          });
        }
        return out;
      },
    ),

    startBackfillOnboardings: classified(
      async (
        starts: Array<{ dealId: string; externalId: string }>,
        receivedAt: string,
      ): Promise<Array<{ dealId: string; externalId: string; outcome: 'started' | 'already-known' }>> => {
        if (!deps.starter)
          throw ApplicationFailure.nonRetryable(
            'this worker was built without an OnboardingStarter: it cannot start onboardings',
            'ConfigurationError',
          );
        const results: Array<{ dealId: string; externalId: string; outcome: 'started' | 'already-known' }> = [];
        for (const s of starts) {
          const r = await deps.starter.startOnboarding(
            { externalId: s.externalId, pipedriveDealId: s.dealId, eventId: `backfill:${receivedAt}`, receivedAt },
            opts.onboardingTaskQueue ? { taskQueue: opts.onboardingTaskQueue } : {},
          );
          results.push({ ...s, outcome: r.outcome === 'started' ? 'started' : 'already-known' });
        }
        const started = results.filter((r) => r.outcome === 'started').length;
        if (started > 0) log.info('backfill started onboardings', { started });
        return results;
      },
    ),
  };
}

/**
 * One SuiteQL for a page: every customer sharing an externalId, an e-mail or a company name with one of its deals,
 * with the deal each was created for (its owner field) unless `owner` is false.
 */
export function candidatesQuery(deals: readonly BackfillDeal[], opts: { owner?: boolean } = {}): string | undefined {
  const lower = (values: Array<string | undefined>): string[] => [
    ...new Set(values.flatMap((v) => (v && v.trim() ? [v.trim().toLowerCase()] : []))),
  ];
  const conditions = [
    ['externalid', lower(deals.map((d) => d.externalId))],
    ['email', lower(deals.map((d) => d.email))],
    ['companyname', lower(deals.map((d) => d.organizationName))],
  ]
    .filter(([, values]) => values!.length > 0)
    .map(([column, values]) => `LOWER(${column as string}) IN (${(values as string[]).map(sqlString).join(', ')})`);
  return conditions.length === 0
    ? undefined
    : `SELECT id, externalid, email, companyname${opts.owner === false ? '' : `, ${PIPEDRIVE_DEAL_ID_FIELD}`} FROM customer WHERE ${conditions.join(' OR ')} ORDER BY id`;
}

/** Deals per candidate query: keeps its IN lists (three per query) and the answer short. */
const CANDIDATE_BATCH = 100;

/**
 * The NetSuite customers that could be each deal's, with their owner field. An account whose customers cannot be
 * read with that field (it was never created there, so no customer carries an owner) is asked without it: no customer
 * then belongs to a deal, as domain/external-id-owner.ts reads an empty field.
 */
export async function findCandidates(
  netsuite: SuiteQlPort,
  deals: readonly BackfillDeal[],
): Promise<CustomerCandidate[]> {
  const out: CustomerCandidate[] = [];
  for (let i = 0; i < deals.length; i += CANDIDATE_BATCH) {
    const batch = deals.slice(i, i + CANDIDATE_BATCH);
    let rows: Array<Record<string, string | undefined>>;
    try {
      const query = candidatesQuery(batch);
      rows = query ? await netsuite.suiteqlAll<Record<string, string | undefined>>(query) : [];
    } catch (err) {
      if (!(err instanceof VendorError) || err.kind === 'transient') throw err;
      log.warn('backfill: customers not readable with their owner field; matching without it', {
        field: PIPEDRIVE_DEAL_ID_FIELD,
        error: err.message.slice(0, 200),
      });
      const query = candidatesQuery(batch, { owner: false });
      rows = query ? await netsuite.suiteqlAll<Record<string, string | undefined>>(query) : [];
    }
    for (const r of rows) {
      if (r.id === undefined) continue;
      const owner = r[PIPEDRIVE_DEAL_ID_FIELD]?.trim();
      out.push({
        id: r.id,
        ...(r.externalid ? { externalId: r.externalid } : {}),
        ...(r.email ? { email: r.email } : {}),
        ...(r.companyname ? { companyName: r.companyname } : {}),
        ...(owner ? { ownerDealId: owner } : {}),
      });
    }
  }
  return out;
}

/** NetSuite queue: the matching reads and the externalId writes, inside the account's concurrency budget. */
export function createBackfillNetSuiteActivities(netsuite: SuiteQlPort & NetSuiteExternalIdPort) {
  return {
    /** The rules run here, not in the workflow: a rule change applies to the next page and never breaks a replay. */
    matchBackfillDeals: classified(async (deals: BackfillDeal[]): Promise<BackfillDecision[]> => {
      const candidates = await findCandidates(netsuite, deals);
      return deals.map((d) => decideBackfill(d, candidates));
    }),

    writeNetSuiteExternalIds: classified(
      async (writes: Array<{ dealId: string; customerId: string; externalId: string }>): Promise<WriteResults> => {
        const out: WriteResults = { written: 0, failures: [] };
        for (const w of writes) {
          await refusedAsFailure(
            out,
            { dealId: w.dealId, externalId: w.externalId, customerId: w.customerId, system: 'netsuite' },
            async () => {
              // The customer is this deal's from now on: its owner field says so (domain/external-id-owner.ts).
              await netsuite.setCustomerExternalId(w.customerId, w.externalId, w.dealId);
              out.written += 1;
            },
          );
        }
        return out;
      },
    ),
  };
}

export type BackfillActivities = ReturnType<typeof createBackfillActivities>;
export type BackfillNetSuiteActivities = ReturnType<typeof createBackfillNetSuiteActivities>;
