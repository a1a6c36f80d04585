/**
 * What the activities need from each vendor, as the integration clients provide it (ports: integrations implement
 * them, activities call them, so both import them from here, below either). Activities depend on these
 * shapes, not on the clients' classes, so a workflow-logic test can stand a vendor in without HTTP.
 */
import type { ResolvedDeal } from './canonical-deal';
import type { CustomerPatch, NetSuiteCustomerSnapshot } from './deal-edit';
import type { NetSuiteContactBody } from './billing-contact';
import type { NetSuiteCustomerBody, NetSuiteInvoiceBody } from './netsuite-records';
import type { ReferenceData } from './reference-data';
import type { DEAL_FIELDS } from './pipedrive-fields';
import type { MappingSnapshot } from './mapping/schema';

export type DealFieldName = (typeof DEAL_FIELDS)[keyof typeof DEAL_FIELDS];

export interface PipedrivePort {
  /** Read with `mapping` when given (the template a run pinned), else with the client's own. */
  fetchResolvedDeal(dealId: string, mapping?: MappingSnapshot): Promise<ResolvedDeal>;
  setDealFields(dealId: string, values: Partial<Record<DealFieldName, string | null>>): Promise<{ written: boolean }>;
  addDealNote(dealId: string, html: string): Promise<string | number>;
  /** PATCHes standard fields of a deal, person or organization (a reviewer's Pipedrive-owned fixes). */
  updateRecord(entity: 'deals' | 'persons' | 'organizations', id: string, body: Record<string, unknown>): Promise<void>;
  /** The API token's company (domain/deal-claim.ts); the product's client has both, a test double may not. */
  getCompanyId?(): Promise<string>;
  findStageIdsByName?(name: string): Promise<string[]>;
}

export interface NetSuitePort {
  loadReferenceData(): Promise<ReferenceData>;
  findCustomersByEmailOrCompany(
    email?: string,
    companyName?: string,
  ): Promise<Array<{ id: string; externalId?: string | null; email?: string | null; companyName?: string | null }>>;
  upsertCustomer(externalId: string, body: NetSuiteCustomerBody): Promise<{ customerId: string }>;
  upsertCustomerAsync(
    externalId: string,
    body: NetSuiteCustomerBody,
    idempotencyKey: string,
  ): Promise<{ jobId: string }>;
  getJob(jobId: string): Promise<{ completed: boolean; progress: string }>;
  getJobOutcome(jobId: string): Promise<{ ok: true; customerId?: string }>;
  /** The record as NetSuite returns it: custom fields (the owning deal's id among them) at the top level. */
  getCustomerByExternalId(externalId: string): Promise<({ id: string } & { [field: string]: unknown }) | undefined>;
  findInvoiceByExternalId(externalId: string): Promise<{ id: string } | undefined>;
  createInvoice(body: NetSuiteInvoiceBody): Promise<{ invoiceId: string }>;
  /** A customer by internal id, to verify a link the review did not offer (activities/link-verification.ts). */
  getCustomerById?(id: string): Promise<({ id: string } & { [field: string]: unknown }) | undefined>;
  /** The billing contact, upserted by its own externalId; a port without it (a test double) skips the contact. */
  upsertContact?(externalId: string, body: NetSuiteContactBody): Promise<{ contactId: string }>;
}

/** What the edit needs from NetSuite beyond NetSuitePort: the product's NetSuiteClient has both. */
export interface NetSuiteEditPort {
  getCustomerSnapshot(externalId: string): Promise<NetSuiteCustomerSnapshot | undefined>;
  patchCustomer(externalId: string, patch: CustomerPatch): Promise<{ customerId: string }>;
}
