/**
 * `runReconciliation`: the reconciliation at any size (runs after the `reconcile-paged` patch). Pages through the
 * signed Pipedrive deals and the NetSuite customers into a SQLite scratch file, compares them there in SQL, starts
 * the missing onboardings when asked, streams the report files, and returns only figures, the first few problem lines
 * for Slack and the report's paths: no record list ever becomes an activity argument or result (Temporal refuses
 * payloads over 2 MB, about 10,000 records).
 *
 * One activity, not one per phase, because the scratch file is on this host's disk: a second activity could be handed
 * to another worker. It heartbeats the position after every page; a retry on the same host resumes from the file
 * (each page commits with its position), a retry elsewhere starts over. It runs on the `netsuite` queue, so its
 * NetSuite reads share the account's budget; its Pipedrive reads hold that queue's slot meanwhile (minutes, nightly).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { cleanName, selectBillingEmail } from '../../domain/customer-mapping';
import { deriveExternalId, isValidExternalId } from '../../domain/external-id';
import { attributionAsNetSuiteHolds } from '../../domain/lead-source';
import { activeMapping } from '../../domain/mapping/active-mapping';
import { CONTRACT_SIGNED_STAGE } from '../../domain/pipedrive-fields';
import type { DealPage, DealPagesPort, ListedDeal } from '../../integrations/pipedrive';
import { VendorError } from '../../integrations/vendor-error';
import { classified } from '../../activities/to-activity-failure';
import { ensurePrivateDir } from '../../runtime/private-files';
import { DEFAULT_MISMATCH_THRESHOLD, type NetSuiteCustomerRow, type SignedDealRecord } from '../model/reconciliation';
import { compareScratch, missingCustomers } from './scratch/scratch-compare';
import { removeScratch, removeStaleScratch, ScratchDb, scratchDir, type ScratchProgress } from './scratch/scratch-db';
import { writeReportFromScratch, type StartedOnboarding } from './scratch/report-writer';
import type { ReportDigest } from './report-slack';
import {
  attributionColumns,
  reportFileStamp,
  type OnboardingStartPort,
  type StoredReport,
} from './reconcile-activities';

export interface SuiteQlPagePort {
  suiteql<T = Record<string, string | undefined>>(
    query: string,
    page: { limit?: number; offset?: number },
  ): Promise<{ items: T[]; hasMore: boolean }>;
}

export interface ReconciliationRunOptions {
  dataDir: string;
  onboardingTaskQueue?: string;
  signedStageName?: string;
  /** Customers per SuiteQL page (NetSuite's maximum, 1,000, by default). */
  customerPageSize?: number;
}

export interface ReconciliationRunInput {
  /** Workflow time: the report's name and the scratch file's. */
  generatedAt: string;
  threshold?: number;
  startMissing?: boolean;
}

export interface ReconciliationRunResult {
  digest: ReportDigest;
  report: StoredReport;
  /** Only when `startMissing` was set. */
  onboardings?: { started: number; alreadyKnown: number };
}

/** Keyset paging by id: resumable from the last id stored, and not bounded by SuiteQL's offset limit. */
export function customerPageQuery(afterId: string | undefined, columns: ReturnType<typeof attributionColumns>): string {
  const extra = columns.map(([name, column]) => `, ${column} AS ${name.toLowerCase()}`).join('');
  const after = afterId === undefined ? '' : ` AND id > ${Number(afterId)}`;
  return `SELECT id, externalid, email, companyname${extra} FROM customer WHERE externalid IS NOT NULL${after} ORDER BY id`;
}

export function toSignedDeal(companyId: string, d: ListedDeal): SignedDealRecord {
  const email = selectBillingEmail(d.personEmails);
  const organizationName = cleanName(d.organizationName);
  const billingEmail = email.ok ? email.email : d.personEmails[0]?.value;
  return {
    dealId: d.dealId,
    externalId: deriveExternalId({ companyId, dealId: d.dealId, existing: d.externalIdField }),
    externalIdSource: isValidExternalId(d.externalIdField?.trim()) ? 'field' : 'derived',
    title: d.title,
    stageName: d.stageName,
    ...(organizationName ? { organizationName } : {}),
    ...(billingEmail ? { email: billingEmail } : {}),
    ...(d.attribution ? { attribution: attributionAsNetSuiteHolds(activeMapping(), d.attribution) } : {}),
  };
}

function toCustomerRow(
  r: Record<string, string | undefined>,
  columns: ReturnType<typeof attributionColumns> | undefined,
): NetSuiteCustomerRow | undefined {
  if (r.id === undefined || r.externalid === undefined) return undefined;
  return {
    id: r.id,
    externalId: r.externalid,
    ...(r.email ? { email: r.email } : {}),
    ...(r.companyname ? { companyName: r.companyname } : {}),
    ...(columns
      ? {
          attribution: Object.fromEntries(
            columns.flatMap(([name]) => (r[name.toLowerCase()] ? [[name, r[name.toLowerCase()]!]] : [])),
          ),
        }
      : {}),
  };
}

export function createReconciliationRunActivities(
  deps: { pipedrive: DealPagesPort; netsuite: SuiteQlPagePort; starter?: OnboardingStartPort },
  opts: ReconciliationRunOptions,
) {
  async function loadDeals(s: ScratchDb, heartbeat: (p: ScratchProgress) => void): Promise<void> {
    const at = s.progress().pipedrive;
    if (at === 'done') return;
    const pages: unknown = deps.pipedrive.dealPagesFromStage(opts.signedStageName ?? CONTRACT_SIGNED_STAGE, at);
    // A port behind an open circuit breaker answers with a rejected promise instead of pages (integrations/vendor-health.ts).
    if (pages instanceof Promise) await pages;
    for await (const page of pages as AsyncIterable<DealPage>) {
      heartbeat(
        s.storeDealPage(
          page.deals.map((d) => toSignedDeal(page.companyId, d)),
          page.next ?? 'done',
        ),
      );
    }
    // No stage of that name: nothing listed, and nothing to resume.
    if (s.progress().pipedrive !== 'done') heartbeat(s.storeDealPage([], 'done'));
  }

  async function loadCustomers(s: ScratchDb, heartbeat: (p: ScratchProgress) => void): Promise<void> {
    let p = s.progress();
    const columns = attributionColumns(activeMapping());
    let attribution = p.attribution ?? columns.length > 0;
    while (p.netsuite !== 'done') {
      const afterId = p.netsuite?.afterId;
      let page: { items: Array<Record<string, string | undefined>>; hasMore: boolean };
      try {
        page = await deps.netsuite.suiteql<Record<string, string | undefined>>(
          customerPageQuery(afterId, attribution ? columns : []),
          { limit: opts.customerPageSize ?? 1000, offset: 0 },
        );
      } catch (err) {
        // An account that never stored the attribution fields refuses the query naming them: compare without
        // attribution (`doctor` names the missing field) rather than failing the reconciliation.
        if (attribution && afterId === undefined && err instanceof VendorError && err.kind !== 'transient') {
          log.warn('reconciliation: attribution fields not readable in NetSuite; attribution not compared', {
            error: err.message.slice(0, 200),
          });
          attribution = false;
          continue;
        }
        throw err;
      }
      const rows = page.items.flatMap((r) => toCustomerRow(r, attribution ? columns : undefined) ?? []);
      const lastId = page.items[page.items.length - 1]?.id;
      p = s.storeCustomerPage(rows, page.hasMore && lastId !== undefined ? { afterId: lastId } : 'done', attribution);
      heartbeat(p);
    }
  }

  /** Starts each missing onboarding not started by an earlier attempt; outcomes are kept in the scratch file. */
  async function startMissing(
    s: ScratchDb,
    generatedAt: string,
    heartbeat: () => void,
  ): Promise<{ started: number; alreadyKnown: number }> {
    if (!deps.starter)
      throw ApplicationFailure.nonRetryable(
        'this worker was built without an OnboardingStarter: it cannot start missing onboardings',
        'ConfigurationError',
      );
    const done = s.db.prepare(`SELECT 1 FROM starts WHERE deal_id = ?`);
    const record = s.db.prepare(`INSERT OR REPLACE INTO starts (deal_id, external_id, outcome, n) VALUES (?, ?, ?, ?)`);
    // Read in batches: a start is an await, and SQLite cannot write while a statement is being iterated.
    let n = 0;
    for (let offset = 0; ; offset += 200) {
      const batch = [...take(missingCustomers(s), offset, 200)];
      for (const m of batch) {
        n += 1;
        if (done.get(m.dealId)) continue;
        const r = await deps.starter.startOnboarding(
          {
            externalId: m.externalId,
            pipedriveDealId: m.dealId,
            eventId: `reconciliation:${generatedAt}`,
            receivedAt: generatedAt,
          },
          opts.onboardingTaskQueue ? { taskQueue: opts.onboardingTaskQueue } : {},
        );
        record.run(m.dealId, m.externalId, r.outcome === 'started' ? 'started' : 'already-known', n);
      }
      heartbeat();
      if (batch.length < 200) break;
    }
    const counts = s.db.prepare(`SELECT SUM(outcome = 'started') AS started, COUNT(*) AS total FROM starts`).get() as {
      started: number | null;
      total: number;
    };
    const started = counts.started ?? 0;
    if (started > 0) log.info('reconciliation started missing onboardings', { started });
    return { started, alreadyKnown: counts.total - started };
  }

  return {
    runReconciliation: classified(async (input: ReconciliationRunInput): Promise<ReconciliationRunResult> => {
      const ctx = Context.current();
      const dir = scratchDir(opts.dataDir);
      const path = join(dir, `reconcile-${reportFileStamp(input.generatedAt)}.sqlite`);
      removeStaleScratch(dir, path);
      // A retry on the host that holds the file resumes from it; anywhere else (or a first attempt) starts clean.
      const resume = ctx.info.attempt > 1 && existsSync(path);
      const s = ScratchDb.open(path, { fresh: !resume });
      let result: ReconciliationRunResult;
      try {
        const heartbeat = (p: ScratchProgress = s.progress()): void => {
          ctx.heartbeat(p);
          // A cancelled run (the workflow cancelled or timed out) stops at the next page instead of paging on.
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('reconciliation cancelled');
        };
        if (resume)
          log.info('reconciliation resumes from its scratch file', {
            attempt: ctx.info.attempt,
            deals: s.progress().dealsStored ?? 0,
            customers: s.progress().customersStored ?? 0,
          });
        heartbeat();
        await loadDeals(s, heartbeat);
        await loadCustomers(s, heartbeat);
        const compared = compareScratch(s, input.threshold ?? DEFAULT_MISMATCH_THRESHOLD);
        heartbeat();
        const onboardings = input.startMissing
          ? await startMissing(s, input.generatedAt, () => heartbeat())
          : undefined;

        const reports = join(opts.dataDir, 'reports');
        ensurePrivateDir(reports);
        const base = join(reports, `reconciliation-${reportFileStamp(input.generatedAt)}`);
        const report: StoredReport = { jsonPath: `${base}.json`, textPath: `${base}.txt` };
        const starts = onboardings
          ? {
              started: onboardings.started,
              total: onboardings.started + onboardings.alreadyKnown,
              rows: () =>
                s.db
                  .prepare(`SELECT deal_id AS dealId, external_id AS externalId, outcome FROM starts ORDER BY n`)
                  .iterate() as IterableIterator<StartedOnboarding>,
            }
          : undefined;
        const digest = writeReportFromScratch(s, { ...compared, generatedAt: input.generatedAt }, report, starts);
        const summary = {
          mismatchRate: digest.mismatchRate,
          threshold: digest.threshold,
          counts: digest.counts,
          report: report.jsonPath,
        };
        if (digest.alert)
          log.error('reconciliation mismatch rate above threshold: mapping or external_id issues', summary);
        else log.info('reconciliation report stored', summary);
        result = { digest, report, ...(onboardings ? { onboardings } : {}) };
      } catch (err) {
        s.close();
        // A cancelled run will not be retried: its scratch file (names, e-mails) goes now rather than in a day.
        if (err instanceof CancelledFailure) removeScratch(path);
        throw err;
      }
      s.close();
      // Done: the scratch file holds e-mails and is no longer needed (a failed run's is removed after a day).
      removeScratch(path);
      return result;
    }),
  };
}

function* take<T>(items: Iterable<T>, skip: number, count: number): Generator<T> {
  let i = 0;
  for (const item of items) {
    if (i >= skip + count) return;
    if (i++ >= skip) yield item;
  }
}

export type ReconciliationRunActivities = ReturnType<typeof createReconciliationRunActivities>;
