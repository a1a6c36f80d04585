/**
 * Pipedrive side effects of the transaction: read the deal, write back what the orchestrator owns, and write a
 * reviewer's fixes of Pipedrive-owned fields back where they came from. Every write compares first and skips values
 * already equal, so a retried activity writes nothing twice and echoes no extra webhook; the writes that do happen
 * are made by the integration's own API user, which the intake drops as our own write-back (no loop).
 */
import type { ResolvedDeal } from '../domain/canonical-deal';
import type { DealClaimFacts } from '../domain/deal-claim';
import type { MappingSnapshot } from '../domain/mapping/schema';
import { CONTRACT_SIGNED_STAGE } from '../domain/pipedrive-fields';
import { escapeHtml } from '../domain/html';
import { DEAL_FIELDS } from '../domain/pipedrive-fields';
import { pipedriveWriteBackPlan } from '../domain/review-fixes';
import type { ReviewReason } from '../domain/review-reason';
import type { DealFieldName, PipedrivePort } from '../domain/vendor-ports';

export interface FixWriteBackResult {
  /** Canonical paths whose new value was written to Pipedrive. */
  written: string[];
  /** Already equal in Pipedrive: nothing written. */
  unchanged: string[];
  /** Not Pipedrive's (NetSuite-owned), or with no place to write it. */
  skipped: string[];
}
import { classified } from './to-activity-failure';

export function createPipedriveActivities(pipedrive: PipedrivePort) {
  return {
    /** With `mapping`, the deal is read with that template (the one its run pinned), not the worker's current file. */
    fetchDeal: classified(async (dealId: string, mapping?: MappingSnapshot): Promise<ResolvedDeal> =>
      mapping ? pipedrive.fetchResolvedDeal(dealId, mapping) : pipedrive.fetchResolvedDeal(dealId),
    ),

    /**
     * What a fetched deal is checked against (domain/deal-claim.ts): the Contract Signed stage ids and the token's
     * company, both cached by the client. `undefined` from a port that cannot tell (test doubles), which skips the check.
     */
    dealClaimFacts: classified(async (): Promise<DealClaimFacts | undefined> => {
      if (!pipedrive.getCompanyId || !pipedrive.findStageIdsByName) return undefined;
      const [companyId, contractSignedStageIds] = await Promise.all([
        pipedrive.getCompanyId(),
        pipedrive.findStageIdsByName(CONTRACT_SIGNED_STAGE),
      ]);
      return { companyId, contractSignedStageIds };
    }),

    /** Skipped by the client when the deal already holds this value, so a replayed step writes nothing. */
    writeBackExternalId: classified(async (dealId: string, externalId: string): Promise<{ written: boolean }> =>
      pipedrive.setDealFields(dealId, { [DEAL_FIELDS.externalId]: externalId }),
    ),

    markDealForReview: classified(async (dealId: string, reasons: ReviewReason[]): Promise<void> => {
      const { written } = await pipedrive.setDealFields(dealId, {
        [DEAL_FIELDS.needsRemediation]: 'Yes',
        [DEAL_FIELDS.onboardingStatus]: 'Needs review',
      });
      // One note per entry into review, not per activity retry: only when the flag actually changed.
      if (written) {
        const items = reasons
          .map(
            (r) =>
              `<li><b>${escapeHtml(r.field)}</b>: ${escapeHtml(r.message)}${r.suggestion ? ` <i>${escapeHtml(r.suggestion)}</i>` : ''}</li>`,
          )
          .join('');
        await pipedrive.addDealNote(dealId, `<p><b>Onboarding needs review</b></p><ul>${items}</ul>`);
      }
    }),

    /** Fixes of Pipedrive-owned fields → the deal, person or organization; NetSuite-owned fixes are never sent. */
    writeBackFixes: classified(async (dealId: string, fixes: Record<string, string>): Promise<FixWriteBackResult> => {
      const plan = pipedriveWriteBackPlan(fixes);
      const result: FixWriteBackResult = {
        written: [],
        unchanged: [],
        skipped: [...plan.notPipedriveOwned, ...plan.unmapped, ...plan.invalid.map((r) => r.path)],
      };
      if (plan.writes.length === 0) return result;
      const current = await pipedrive.fetchResolvedDeal(dealId);
      const deal: Record<string, unknown> = {};
      const dealFields: Partial<Record<DealFieldName, string>> = {};
      const person: Record<string, unknown> = {};
      const organization: Record<string, unknown> = {};
      const mark = (path: string, changed: boolean) => (changed ? result.written : result.unchanged).push(path);
      for (const { path, value, target } of plan.writes) {
        if (target.entity === 'deal' && 'customField' in target) {
          dealFields[target.customField] = value;
          continue;
        }
        if (target.entity === 'deal') {
          mark(path, current.deal.title !== value);
          if (current.deal.title !== value) deal.title = value;
        } else if (target.entity === 'organization') {
          if (!current.organization) {
            result.skipped.push(path);
            continue;
          }
          mark(path, current.organization.name !== value);
          if (current.organization.name !== value) organization.name = value;
        } else if (!current.person?.id) {
          result.skipped.push(path);
        } else if (target.field === 'name') {
          mark(path, current.person.name !== value);
          if (current.person.name !== value) person.name = value;
        } else {
          const primary = current.person.emails.find((e) => e.primary)?.value ?? current.person.emails[0]?.value;
          mark(path, primary !== value);
          if (primary !== value) {
            person.emails = [
              { value, primary: true, label: 'work' },
              ...current.person.emails
                .filter((e) => e.value !== value)
                .map((e) => ({ value: e.value, primary: false, label: e.label ?? 'work' })),
            ];
          }
        }
      }
      if (Object.keys(deal).length) await pipedrive.updateRecord('deals', dealId, deal);
      if (Object.keys(person).length) await pipedrive.updateRecord('persons', current.person!.id!, person);
      if (Object.keys(organization).length)
        await pipedrive.updateRecord('organizations', current.organization!.id, organization);
      if (Object.keys(dealFields).length) {
        const { written } = await pipedrive.setDealFields(dealId, dealFields);
        const paths = plan.writes.filter((w) => 'customField' in w.target).map((w) => w.path);
        (written ? result.written : result.unchanged).push(...paths);
      }
      return result;
    }),

    annotateDealOnboarded: classified(
      async (dealId: string, outcome: { customerId: string; invoiceId?: string }): Promise<void> => {
        const { written } = await pipedrive.setDealFields(dealId, {
          [DEAL_FIELDS.onboardingStatus]: 'Onboarded',
          [DEAL_FIELDS.needsRemediation]: 'No',
        });
        if (written) {
          await pipedrive.addDealNote(
            dealId,
            `<p><b>Onboarded</b>: NetSuite customer ${escapeHtml(outcome.customerId)}${outcome.invoiceId ? `, first invoice ${escapeHtml(outcome.invoiceId)}` : ''}.</p>`,
          );
        }
      },
    ),
  };
}
export type PipedriveActivities = ReturnType<typeof createPipedriveActivities>;
