/**
 * "Link to existing customer" with a customer the review did not offer (the CLI's `link --customer <id>`): before
 * the onboarding adopts it, NetSuite is asked whether it exists, is in the deal's subsidiary and belongs to no other
 * deal (its PIPEDRIVE_DEAL_ID_FIELD, domain/external-id-owner.ts). Candidates the duplicate probe found need no
 * such check: the review offered them. Answers a verdict, never throws for a refusal: the workflow puts it back to
 * review with the reason.
 */
import { ownerDealIdOf } from '../domain/external-id-owner';
import type { NetSuitePort } from '../domain/vendor-ports';
import { classified } from './to-activity-failure';

export interface LinkTarget {
  /** The onboarding's external id and deal. */
  externalId: string;
  dealId: string;
  /** The subsidiary the deal maps to; undefined while the deal does not validate (then nothing can be verified). */
  subsidiaryId?: string;
}

export type LinkVerdict = { ok: true } | { ok: false; reason: string };

export function createLinkVerificationActivities(netsuite: Pick<NetSuitePort, 'getCustomerById'>) {
  return {
    verifyLinkTarget: classified(async (customerId: string, target: LinkTarget): Promise<LinkVerdict> => {
      if (!/^\d{1,20}$/.test(customerId))
        return { ok: false, reason: `"${customerId.slice(0, 40)}" is not a NetSuite internal id` };
      if (!netsuite.getCustomerById)
        return { ok: false, reason: 'this NetSuite connection cannot look customers up by internal id' };
      if (!target.subsidiaryId)
        return {
          ok: false,
          reason: "the deal's subsidiary is not known until the deal validates: fix the deal first, then link",
        };
      const customer = await netsuite.getCustomerById(customerId);
      if (!customer) return { ok: false, reason: `NetSuite customer ${customerId} does not exist` };
      const subsidiary = (customer.subsidiary as { id?: unknown } | undefined)?.id;
      if (String(subsidiary ?? '') !== target.subsidiaryId) {
        return {
          ok: false,
          reason: `NetSuite customer ${customerId} is in subsidiary ${String(subsidiary ?? 'none')}, the deal in ${target.subsidiaryId}`,
        };
      }
      const owner = ownerDealIdOf(customer);
      if (owner !== undefined && owner !== target.dealId)
        return { ok: false, reason: `NetSuite customer ${customerId} belongs to Pipedrive deal ${owner}` };
      return { ok: true };
    }),
  };
}
