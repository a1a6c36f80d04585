/**
 * NetSuite calls of an edit after onboarding (`syncDealEdit`), on the `netsuite` queue with the other NetSuite
 * activities: read the customer as NetSuite holds it, and write only the fields the edit may change. Both are
 * idempotent: a read, and a PATCH by `eid:` that writes the same values again when repeated.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { CustomerPatch, NetSuiteCustomerSnapshot } from '../domain/deal-edit';
import { externalIdOwnershipConflict } from '../domain/external-id-owner';
import { FAILURE } from '../domain/failure-types';
import type { NetSuiteEditPort } from '../domain/vendor-ports';
import { classified } from './to-activity-failure';

export function createCustomerEditActivities(netsuite: Partial<NetSuiteEditPort>) {
  const need = <K extends keyof NetSuiteEditPort>(name: K): NetSuiteEditPort[K] => {
    const fn = netsuite[name];
    if (!fn) throw ApplicationFailure.nonRetryable(`this worker's NetSuite port cannot ${name}`, FAILURE.validation);
    return fn.bind(netsuite) as NetSuiteEditPort[K];
  };
  return {
    /** `undefined` when no customer carries this externalId (never onboarded, or deleted in NetSuite). */
    getCustomerSnapshot: classified(async (externalId: string): Promise<NetSuiteCustomerSnapshot | undefined> =>
      need('getCustomerSnapshot')(externalId),
    ),

    /**
     * With `dealId` (the edit's deal), the customer is read first and a customer created for another deal is never
     * patched (a copied deal's External ID): the workflow checks the same on its own read, this guards the write itself.
     */
    patchCustomer: classified(
      async (externalId: string, patch: CustomerPatch, dealId?: string): Promise<{ customerId: string }> => {
        if (dealId) {
          const conflict = externalIdOwnershipConflict({
            externalId,
            dealId,
            customer: await need('getCustomerSnapshot')(externalId),
          });
          if (conflict) throw ApplicationFailure.nonRetryable(conflict.message, FAILURE.conflict, [conflict]);
        }
        return need('patchCustomer')(externalId, patch);
      },
    ),
  };
}
