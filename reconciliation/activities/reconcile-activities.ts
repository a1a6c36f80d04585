/**
 * Side effects of the `reconcile` workflow: read signed deals (Pipedrive) and our customers (NetSuite SuiteQL), run
 * the pure comparison, store the report under DATA_DIR/reports, and start the onboardings that never ran. Each is
 * safe to repeat: reads are reads, the report file is named by the run's own timestamp, and onboardings start
 * through OnboardingStarter (workflow ID = external_id, REJECT_DUPLICATE + USE_EXISTING).
 */
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { selectBillingEmail, cleanName } from '../../domain/customer-mapping';
import { deriveExternalId, isValidExternalId } from '../../domain/external-id';
import { CONTRACT_SIGNED_STAGE } from '../../domain/pipedrive-fields';
import { attributionAsNetSuiteHolds, isLeadSourceTarget } from '../../domain/lead-source';
import { activeMapping } from '../../domain/mapping/active-mapping';
import type { Mapping } from '../../domain/mapping/schema';
import {
  formatReconciliationReport,
  reconcileRecords,
  type NetSuiteCustomerRow,
  type ReconciliationReport,
  type SignedDealRecord,
} from '../model/reconciliation';
import type { OnboardingInput } from '../../domain/transaction';
import type { DealListing } from '../../integrations/pipedrive';
import { classified } from '../../activities/to-activity-failure';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../runtime/private-files';

export interface DealListingPort {
  listDealsFromStage(stageName: string): Promise<DealListing>;
}

export interface SuiteQlPort {
  suiteqlAll<T = Record<string, string | undefined>>(query: string): Promise<T[]>;
}

/** OnboardingStarter's shape: the only way onboardings start. */
export interface OnboardingStartPort {
  startOnboarding(
    input: OnboardingInput,
    opts?: { taskQueue?: string },
  ): Promise<{ outcome: 'started' | 'duplicate'; workflowId: string }>;
}

export interface ReconciliationActivityOptions {
  /** Reports go to `<dataDir>/reports/`. */
  dataDir: string;
  /** Where started onboardings run (the product's `onboarding` queue; tests use their own). */
  onboardingTaskQueue?: string;
  /** The stage from which a deal counts as signed (default "Contract Signed"); later stages of its pipeline count too. */
  signedStageName?: string;
}

export interface OnboardingStartResult {
  dealId: string;
  externalId: string;
  /** `started`: a new onboarding; `already-known`: Temporal has a run with this external_id (open, or closed in retention). */
  outcome: 'started' | 'already-known';
}

export interface StoredReport {
  jsonPath: string;
  textPath: string;
}

export const CUSTOMERS_WITH_EXTERNAL_ID_QUERY =
  'SELECT id, externalid, email, companyname FROM customer WHERE externalid IS NOT NULL ORDER BY id';

/** `2026-11-27T06:00:00.000Z` → `2026-11-27T06-00-00-000Z`: an ISO stamp that is a valid file name everywhere. */
export function reportFileStamp(iso: string): string {
  return iso.replace(/[:.]/g, '-');
}

export function createReconciliationActivities(
  deps: { pipedrive: DealListingPort; starter?: OnboardingStartPort },
  opts: ReconciliationActivityOptions,
) {
  return {
    /** Deals in Contract Signed and every later stage of the same pipeline, with their external_id. */
    loadSignedDeals: classified(async (): Promise<SignedDealRecord[]> => {
      const listing = await deps.pipedrive.listDealsFromStage(opts.signedStageName ?? CONTRACT_SIGNED_STAGE);
      return listing.deals.map((d) => {
        const email = selectBillingEmail(d.personEmails);
        const organizationName = cleanName(d.organizationName);
        const billingEmail = email.ok ? email.email : d.personEmails[0]?.value;
        return {
          dealId: d.dealId,
          externalId: deriveExternalId({ companyId: listing.companyId, dealId: d.dealId, existing: d.externalIdField }),
          externalIdSource: isValidExternalId(d.externalIdField?.trim()) ? 'field' : 'derived',
          title: d.title,
          stageName: d.stageName,
          ...(organizationName ? { organizationName } : {}),
          ...(billingEmail ? { email: billingEmail } : {}),
          ...(d.attribution ? { attribution: attributionAsNetSuiteHolds(activeMapping(), d.attribution) } : {}),
        };
      });
    }),

    /** The rules run here, not in the workflow: a rule change applies to the next run and never breaks a replay. */
    compareRecords: async (
      deals: SignedDealRecord[],
      customers: NetSuiteCustomerRow[],
      generatedAt: string,
      threshold?: number,
    ): Promise<ReconciliationReport> =>
      reconcileRecords(deals, customers, generatedAt, threshold === undefined ? {} : { threshold }),

    /** Starts each missing onboarding; one that Temporal already knows is left as it is. */
    startMissingOnboardings: classified(
      async (
        missing: Array<{ dealId: string; externalId: string }>,
        receivedAt: string,
      ): Promise<OnboardingStartResult[]> => {
        // A wiring mistake, not a passing failure: retrying cannot fix it.
        if (!deps.starter)
          throw ApplicationFailure.nonRetryable(
            'this worker was built without an OnboardingStarter: it cannot start missing onboardings',
            'ConfigurationError',
          );
        const results: OnboardingStartResult[] = [];
        for (const m of missing) {
          const started = await deps.starter.startOnboarding(
            {
              externalId: m.externalId,
              pipedriveDealId: m.dealId,
              eventId: `reconciliation:${receivedAt}`,
              receivedAt,
            },
            opts.onboardingTaskQueue ? { taskQueue: opts.onboardingTaskQueue } : {},
          );
          results.push({
            dealId: m.dealId,
            externalId: m.externalId,
            outcome: started.outcome === 'started' ? 'started' : 'already-known',
          });
        }
        const count = results.filter((r) => r.outcome === 'started').length;
        if (count > 0) log.info('reconciliation started missing onboardings', { started: count });
        return results;
      },
    ),

    /** `<dataDir>/reports/reconciliation-<ISO>.{json,txt}`, each written whole (temp file + rename). */
    storeReport: async (report: ReconciliationReport, starts?: OnboardingStartResult[]): Promise<StoredReport> => {
      const dir = join(opts.dataDir, 'reports');
      // Reports name customers and their e-mails: owner-only, like everything under DATA_DIR (runtime/private-files.ts).
      ensurePrivateDir(opts.dataDir);
      ensurePrivateDir(dir);
      const base = join(dir, `reconciliation-${reportFileStamp(report.generatedAt)}`);
      const startedText = starts
        ? `\nOnboardings started for missing customers (${starts.filter((s) => s.outcome === 'started').length} of ${starts.length}):\n${starts
            .map((s) => `  deal ${s.dealId} ${s.externalId}: ${s.outcome}\n`)
            .join('')}`
        : '';
      const written: StoredReport = { jsonPath: `${base}.json`, textPath: `${base}.txt` };
      await writeWhole(
        written.jsonPath,
        `${JSON.stringify({ ...report, ...(starts ? { startedOnboardings: starts } : {}) }, null, 2)}\n`,
      );
      await writeWhole(written.textPath, formatReconciliationReport(report) + startedText);
      const summary = {
        mismatchRate: report.mismatchRate,
        threshold: report.threshold,
        counts: report.counts,
        report: written.jsonPath,
      };
      if (report.alert)
        log.error('reconciliation mismatch rate above threshold: mapping or external_id issues', summary);
      else log.info('reconciliation report stored', summary);
      return written;
    },
  };
}

/**
 * The template's attribution targets as SuiteQL columns: canonical name → a custentity id, or for NetSuite's standard
 * leadSource (a list reference) the list entry's name, which is what the deal's value maps to (domain/lead-source.ts).
 */
export function attributionColumns(
  mapping: Mapping,
): Array<[keyof NonNullable<NetSuiteCustomerRow['attribution']>, string]> {
  return (['campaign', 'leadSource', 'channel'] as const).flatMap((name) => {
    const target = mapping.fields.attribution[name]?.target;
    if (isLeadSourceTarget(target)) return [[name, 'BUILTIN.DF(leadsource)'] as [typeof name, string]];
    return target && 'custom' in target ? [[name, target.custom] as [typeof name, string]] : [];
  });
}

/** Runs on the `netsuite` queue, inside the account's concurrency budget. */
export function createReconciliationNetSuiteActivities(netsuite: SuiteQlPort) {
  return {
    loadNetSuiteCustomers: classified(async (): Promise<NetSuiteCustomerRow[]> => {
      const rows = await netsuite.suiteqlAll<Record<string, string | undefined>>(CUSTOMERS_WITH_EXTERNAL_ID_QUERY);
      const attribution = await loadAttribution(netsuite, attributionColumns(activeMapping()));
      return rows.flatMap((r) =>
        r.id === undefined || r.externalid === undefined
          ? []
          : [
              {
                id: r.id,
                externalId: r.externalid,
                ...(r.email ? { email: r.email } : {}),
                ...(r.companyname ? { companyName: r.companyname } : {}),
                ...(attribution ? { attribution: attribution.get(r.id) ?? {} } : {}),
              },
            ],
      );
    }),
  };
}

/**
 * Attribution as NetSuite holds it, by customer id. A separate query: an account that has never stored one of these
 * custom fields answers it with an error, and then attribution is not compared (`doctor` names the missing field)
 * rather than failing the whole reconciliation.
 */
async function loadAttribution(
  netsuite: SuiteQlPort,
  columns: ReturnType<typeof attributionColumns>,
): Promise<Map<string, NonNullable<NetSuiteCustomerRow['attribution']>> | undefined> {
  if (columns.length === 0) return undefined;
  const select = columns.map(([name, column]) => `${column} AS ${name.toLowerCase()}`).join(', ');
  let rows: Array<Record<string, string | undefined>>;
  try {
    rows = await netsuite.suiteqlAll<Record<string, string | undefined>>(
      `SELECT id, ${select} FROM customer WHERE externalid IS NOT NULL ORDER BY id`,
    );
  } catch (err) {
    log.warn('reconciliation: attribution fields not readable in NetSuite; attribution not compared', {
      error: (err as Error).message.slice(0, 200),
    });
    return undefined;
  }
  return new Map(
    rows.flatMap((r) =>
      r.id === undefined
        ? []
        : [
            [
              r.id,
              Object.fromEntries(
                columns.flatMap(([name]) => (r[name.toLowerCase()] ? [[name, r[name.toLowerCase()]!]] : [])),
              ),
            ],
          ],
    ),
  );
}

async function writeWhole(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { encoding: 'utf8', mode: PRIVATE_FILE_MODE });
  await chmod(tmp, PRIVATE_FILE_MODE);
  await rename(tmp, path);
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
export type ReconciliationNetSuiteActivities = ReturnType<typeof createReconciliationNetSuiteActivities>;
