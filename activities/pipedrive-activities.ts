/** Pipedrive side effects of the transaction: read the deal, write back what the orchestrator owns. */
import type { ResolvedDeal } from '../domain/canonical-deal';
import { DEAL_FIELDS } from '../domain/pipedrive-fields';
import type { ReviewReason } from '../domain/review-reason';
import type { PipedrivePort } from './ports';
import { classified } from './to-activity-failure';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function createPipedriveActivities(pipedrive: PipedrivePort) {
  return {
    fetchDeal: classified(async (dealId: string): Promise<ResolvedDeal> => pipedrive.fetchResolvedDeal(dealId)),

    /** Skipped by the client when the deal already holds this value, so a replayed step writes nothing. */
    writeBackExternalId: classified(async (dealId: string, externalId: string): Promise<{ written: boolean }> =>
      pipedrive.setDealFields(dealId, { [DEAL_FIELDS.externalId]: externalId })),

    markDealForReview: classified(async (dealId: string, reasons: ReviewReason[]): Promise<void> => {
      const { written } = await pipedrive.setDealFields(dealId, { [DEAL_FIELDS.needsRemediation]: 'Yes', [DEAL_FIELDS.onboardingStatus]: 'Needs review' });
      // One note per entry into review, not per activity retry: only when the flag actually changed.
      if (written) {
        const items = reasons.map((r) => `<li><b>${escapeHtml(r.field)}</b>: ${escapeHtml(r.message)}${r.suggestion ? ` <i>${escapeHtml(r.suggestion)}</i>` : ''}</li>`).join('');
        await pipedrive.addDealNote(dealId, `<p><b>Onboarding needs review</b></p><ul>${items}</ul>`);
      }
    }),

    annotateDealOnboarded: classified(async (dealId: string, outcome: { customerId: string; invoiceId?: string }): Promise<void> => {
      const { written } = await pipedrive.setDealFields(dealId, { [DEAL_FIELDS.onboardingStatus]: 'Onboarded', [DEAL_FIELDS.needsRemediation]: 'No' });
      if (written) {
        await pipedrive.addDealNote(
          dealId,
          `<p><b>Onboarded</b>: NetSuite customer ${escapeHtml(outcome.customerId)}${outcome.invoiceId ? `, first invoice ${escapeHtml(outcome.invoiceId)}` : ''}.</p>`,
        );
      }
    }),
  };
}
export type PipedriveActivities = ReturnType<typeof createPipedriveActivities>;
