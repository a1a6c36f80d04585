/**
 * `runBackfillPage`: the backfill at any size (runs after the `backfill-paged` patch). One call handles one page of
 * signed deals end to end: reads it from Pipedrive at the workflow's cursor (deal-pages.ts, resumable from a
 * position), looks its candidates up in NetSuite (findCandidates: one SuiteQL per 100 deals, owner field included),
 * decides each deal (model/matching.ts), writes and starts unless it is a dry run, appends one JSON line per deal to
 * the report file and returns only counts, the next cursor and the report's path and size. No deal or customer record
 * is an activity argument or result, and the worker holds one page (at most 500 deals and their candidates).
 *
 * The report is `<dataDir>/reports/backfill-<startedAt>[-dry-run].jsonl`, 0600. The workflow passes the size the file
 * had after the last page it counted: a retried page first cuts the file back to it, so a page is in the report once
 * however often it ran. Every write is idempotent (backfill-activities.ts), so a retried page only repeats no-ops.
 */
import { closeSync, existsSync, ftruncateSync, fstatSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CONTRACT_SIGNED_STAGE, DEAL_FIELDS } from '../../domain/pipedrive-fields';
import type { PipedrivePort } from '../../domain/vendor-ports';
import type { DealPage, DealPagePosition, DealPagesPort } from '../../integrations/pipedrive';
import { classified } from '../../activities/to-activity-failure';
import { ensurePrivateDir, PRIVATE_FILE_MODE, restrictFile } from '../../runtime/private-files';
import {
  reportFileStamp,
  type OnboardingStartPort,
  type SuiteQlPort,
} from '../../reconciliation/activities/reconcile-activities';
import {
  addTotals,
  decideBackfill,
  EMPTY_TOTALS,
  tallyDecisions,
  type BackfillDecision,
  type BackfillTotals,
} from '../model/matching';
import {
  findCandidates,
  refusedAsFailure,
  toBackfillDeal,
  type NetSuiteExternalIdPort,
  type WriteFailure,
  type WriteResults,
} from './backfill-activities';

/** Where the backfill stands in the Pipedrive listing: a page's position and how many of its deals are done. */
export interface BackfillCursor {
  /** Absent: the listing's first page. */
  position?: DealPagePosition;
  /** Deals of that page already handled (a page size below Pipedrive's 500 splits a page). */
  skip?: number;
}

export interface BackfillPageInput {
  dryRun: boolean;
  /** Workflow time the backfill started: names the report. */
  startedAt: string;
  cursor: BackfillCursor;
  /** Deals per call, at most one Pipedrive page (500). */
  pageSize: number;
  /** The report's size after the last page the workflow counted (0 at the start). */
  reportBytes: number;
  /** Workflow time: the onboardings' `receivedAt`. */
  receivedAt: string;
  /** Carried from a run before the `backfill-paged` patch, which went in deal id order: deals up to it are done. */
  doneThroughDealId?: string;
}

export interface BackfillPageResult {
  /** This page's counts. */
  totals: BackfillTotals;
  /** Absent after the last page. */
  next?: BackfillCursor;
  report: BackfillReportRef;
}

export interface BackfillReportRef {
  /** On the host of the worker that ran the page (the netsuite queue's). */
  path: string;
  bytes: number;
}

/** One line of the report: what was done (or, in a dry run, would be done) for one deal. */
export type BackfillReportLine =
  | {
      kind: 'action';
      action: 'write-netsuite-external-id' | 'write-pipedrive-external-id' | 'start-onboarding';
      dealId: string;
      externalId: string;
      customerId?: string;
      /** Absent in a dry run (planned). */
      outcome?: 'written' | 'unchanged' | 'refused' | 'not-tried' | 'started' | 'already-known';
    }
  | { kind: 'linked'; dealId: string; externalId: string; customerId: string; by: string }
  | Extract<BackfillDecision, { kind: 'suspected-duplicates' | 'conflict' }>
  | ({ kind: 'write-failure' } & WriteFailure);

export interface BackfillPageOptions {
  dataDir: string;
  onboardingTaskQueue?: string;
  signedStageName?: string;
}

const numericOrder = (a: string, b: string): number => Number(a) - Number(b) || a.localeCompare(b);

export function backfillReportPath(dataDir: string, startedAt: string, dryRun: boolean): string {
  return join(dataDir, 'reports', `backfill-${reportFileStamp(startedAt)}${dryRun ? '-dry-run' : ''}.jsonl`);
}

/** Appends `text` to the report after cutting it back to `bytes` (what a retried page had already added goes). */
function appendReport(path: string, bytes: number, text: string): number {
  ensurePrivateDir(dirname(path));
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w+', PRIVATE_FILE_MODE);
  try {
    const size = fstatSync(fd).size;
    if (size > bytes) ftruncateSync(fd, bytes);
    // Smaller than the workflow counted: the file was lost, or earlier pages ran on another host.
    else if (size < bytes)
      log.warn('backfill report holds less than its earlier pages wrote: it was removed or they ran on another host', {
        path,
        expected: bytes,
        size,
      });
    const at = Math.min(size, bytes);
    const buffer = Buffer.from(text, 'utf8');
    writeSync(fd, buffer, 0, buffer.length, at);
    return at + buffer.length;
  } finally {
    closeSync(fd);
    restrictFile(path);
  }
}

export function createBackfillPageActivities(
  deps: {
    pipedrive: DealPagesPort & Pick<PipedrivePort, 'setDealFields'>;
    netsuite: SuiteQlPort & NetSuiteExternalIdPort;
    starter?: OnboardingStartPort;
  },
  opts: BackfillPageOptions,
) {
  /** The page at `position`: the first one the paged listing yields from there. */
  async function pageAt(position: DealPagePosition | undefined): Promise<DealPage | undefined> {
    const pages: unknown = deps.pipedrive.dealPagesFromStage(opts.signedStageName ?? CONTRACT_SIGNED_STAGE, position);
    // A port behind an open circuit breaker answers with a rejected promise instead of pages (integrations/vendor-health.ts).
    if (pages instanceof Promise) await pages;
    const it = (pages as AsyncIterable<DealPage>)[Symbol.asyncIterator]();
    try {
      const first = await it.next();
      return first.done ? undefined : first.value;
    } finally {
      await it.return?.(undefined);
    }
  }

  return {
    runBackfillPage: classified(async (input: BackfillPageInput): Promise<BackfillPageResult> => {
      const heartbeat = (details: unknown): void => {
        try {
          Context.current().heartbeat(details);
        } catch {
          // Called outside an activity (a unit test): nothing to report to.
        }
      };
      const path = backfillReportPath(opts.dataDir, input.startedAt, input.dryRun);
      const page = await pageAt(input.cursor.position);
      const skip = input.cursor.skip ?? 0;
      const size = Math.max(1, input.pageSize);
      const listed = page?.deals.slice(skip, skip + size) ?? [];
      const next: BackfillCursor | undefined =
        page && skip + size < page.deals.length
          ? { ...(input.cursor.position ? { position: input.cursor.position } : {}), skip: skip + size }
          : page?.next
            ? { position: page.next }
            : undefined;
      const done = input.doneThroughDealId;
      const deals = listed
        .filter((d) => done === undefined || numericOrder(d.dealId, done) > 0)
        .map((d) => toBackfillDeal({ companyId: page!.companyId }, d));

      const candidates = deals.length ? await findCandidates(deps.netsuite, deals) : [];
      const decisions = deals.map((d) => decideBackfill(d, candidates));
      const totals = tallyDecisions(decisions);
      const lines: BackfillReportLine[] = [];
      const failures: WriteFailure[] = [];
      let started = 0;
      let alreadyKnown = 0;
      let nsWritten = 0;
      let pdWritten = 0;

      if (!input.dryRun && decisions.some((d) => d.kind === 'start-onboarding') && !deps.starter)
        throw ApplicationFailure.nonRetryable(
          'this worker was built without an OnboardingStarter: it cannot start onboardings',
          'ConfigurationError',
        );

      heartbeat({ dealsDone: 0 });
      for (const [i, d] of decisions.entries()) {
        // A page's writes and starts take a while at Pipedrive's rate limit: say the worker is alive every few deals
        // (whatever the deals need: a page of 500 onboardings to start is as long as one of writes).
        if (i % 20 === 19) heartbeat({ dealsDone: i });
        if (d.kind === 'suspected-duplicates' || d.kind === 'conflict') {
          lines.push(d);
          continue;
        }
        if (d.kind === 'start-onboarding') {
          let outcome: 'started' | 'already-known' | undefined;
          if (!input.dryRun) {
            const r = await deps.starter!.startOnboarding(
              {
                externalId: d.externalId,
                pipedriveDealId: d.dealId,
                eventId: `backfill:${input.startedAt}`,
                receivedAt: input.receivedAt,
              },
              opts.onboardingTaskQueue ? { taskQueue: opts.onboardingTaskQueue } : {},
            );
            outcome = r.outcome === 'started' ? 'started' : 'already-known';
            if (outcome === 'started') started += 1;
            else alreadyKnown += 1;
          }
          lines.push({
            kind: 'action',
            action: 'start-onboarding',
            dealId: d.dealId,
            externalId: d.externalId,
            ...(outcome ? { outcome } : {}),
          });
          continue;
        }
        if (!d.writeNetSuiteExternalId && !d.writePipedriveExternalId) {
          lines.push({
            kind: 'linked',
            dealId: d.dealId,
            externalId: d.externalId,
            customerId: d.customerId,
            by: d.by,
          });
          continue;
        }
        // NetSuite first: a deal gets its External ID only once its customer carries the same one (and its owner field).
        let nsRefused = false;
        if (d.writeNetSuiteExternalId) {
          let outcome: 'written' | 'refused' | undefined;
          if (!input.dryRun) {
            const out: WriteResults = { written: 0, failures: [] };
            await refusedAsFailure(
              out,
              { dealId: d.dealId, externalId: d.externalId, customerId: d.customerId, system: 'netsuite' },
              async () => {
                await deps.netsuite.setCustomerExternalId(d.customerId, d.externalId, d.dealId);
                out.written += 1;
              },
            );
            nsWritten += out.written;
            failures.push(...out.failures);
            nsRefused = out.failures.length > 0;
            outcome = nsRefused ? 'refused' : 'written';
          }
          lines.push({
            kind: 'action',
            action: 'write-netsuite-external-id',
            dealId: d.dealId,
            externalId: d.externalId,
            customerId: d.customerId,
            ...(outcome ? { outcome } : {}),
          });
        }
        if (d.writePipedriveExternalId) {
          let outcome: 'written' | 'unchanged' | 'refused' | 'not-tried' | undefined;
          if (!input.dryRun && nsRefused) outcome = 'not-tried';
          else if (!input.dryRun) {
            const out: WriteResults = { written: 0, failures: [] };
            await refusedAsFailure(
              out,
              { dealId: d.dealId, externalId: d.externalId, system: 'pipedrive' },
              async () => {
                if ((await deps.pipedrive.setDealFields(d.dealId, { [DEAL_FIELDS.externalId]: d.externalId })).written)
                  out.written += 1;
              },
            );
            pdWritten += out.written;
            failures.push(...out.failures);
            outcome = out.failures.length ? 'refused' : out.written ? 'written' : 'unchanged';
          }
          lines.push({
            kind: 'action',
            action: 'write-pipedrive-external-id',
            dealId: d.dealId,
            externalId: d.externalId,
            ...(outcome ? { outcome } : {}),
          });
        }
      }
      for (const f of failures) lines.push({ kind: 'write-failure', ...f });

      const pageTotals = input.dryRun
        ? { ...totals, onboardingsStarted: decisions.filter((d) => d.kind === 'start-onboarding').length }
        : {
            ...totals,
            netsuiteExternalIdsWritten: nsWritten,
            pipedriveExternalIdsWritten: pdWritten,
            onboardingsStarted: started,
            onboardingsAlreadyKnown: alreadyKnown,
            writeFailures: failures.length,
          };
      if (started > 0) log.info('backfill started onboardings', { started });
      const bytes = appendReport(path, input.reportBytes, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      return {
        totals: addTotals(EMPTY_TOTALS, pageTotals),
        ...(next ? { next } : {}),
        report: { path, bytes },
      };
    }),
  };
}

export type BackfillPageActivities = ReturnType<typeof createBackfillPageActivities>;
