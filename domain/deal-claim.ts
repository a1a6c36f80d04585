/**
 * What a delivery claims, re-checked against the deal as Pipedrive returns it: a webhook is authenticated, but a
 * replayed or forged one (or one from another company's account sharing the endpoint) must not onboard a deal that is
 * not signed, is lost, or belongs to another company. Pure: the workflow decides with it after fetching the deal.
 */
import type { ResolvedDeal } from './canonical-deal';

/** Deal statuses an onboarding may proceed with (Pipedrive: open, won, lost, deleted). */
export const ONBOARDABLE_STATUSES: readonly string[] = ['open', 'won'];

export interface DealClaimFacts {
  /** Ids of the stages named Contract Signed, as the Pipedrive client finds them. */
  contractSignedStageIds: string[];
  /** The company the API token belongs to (`GET /v1/users/me` → `company_id`). */
  companyId: string;
}

/**
 * Why the run must not onboard this deal, or undefined when the deal is what the delivery said. `claimedCompanyId`
 * is the delivery's `meta.company_id` (absent for runs started by hand, which claim no company).
 */
export function dealClaimRefusal(
  deal: Pick<ResolvedDeal['deal'], 'id' | 'stageId' | 'status'>,
  facts: DealClaimFacts,
  claimedCompanyId?: string,
): string | undefined {
  if (claimedCompanyId !== undefined && String(claimedCompanyId).trim() !== String(facts.companyId).trim()) {
    return `the delivery names Pipedrive company ${claimedCompanyId}, but the API token belongs to company ${facts.companyId}`;
  }
  if (!facts.contractSignedStageIds.includes(String(deal.stageId))) {
    return `deal ${deal.id} is not in Contract Signed (stage ${deal.stageId})`;
  }
  if (deal.status !== undefined && !ONBOARDABLE_STATUSES.includes(deal.status)) {
    return `deal ${deal.id} is ${deal.status}, not open or won`;
  }
  return undefined;
}
