/**
 * Shadow mode (SHADOW_MODE=true) as a decorator of the NetSuite port: reads go to NetSuite, writes (customer upsert
 * sync or async, invoice create, externalId PATCH) are recorded in the ShadowLedger and answered with synthetic,
 * marked ids (`shadow-…`), so the whole transaction runs unchanged and a team compares what it would have written
 * with what its old connector wrote before switching. Deterministic ids (from the externalId) keep every write as
 * idempotent as the real one: a retry gets the same id, an invoice already "created" is found by its externalId.
 */
import { randomUUID } from 'node:crypto';
import type { NetSuiteEditPort, NetSuitePort } from '../../domain/vendor-ports';
import type { CustomerPatch, NetSuiteCustomerSnapshot } from '../../domain/deal-edit';
import type { NetSuiteContactBody } from '../../domain/billing-contact';
import type { NetSuiteCustomerBody, NetSuiteInvoiceBody } from '../../domain/netsuite-records';
import type { ShadowLedger } from './shadow-ledger';
import { PIPEDRIVE_DEAL_ID_FIELD } from '../../domain/external-id';

export const SHADOW_ID_PREFIX = 'shadow-';

export const isShadowId = (id: string | undefined): boolean =>
  typeof id === 'string' && id.startsWith(SHADOW_ID_PREFIX);

/** What the backfill writes besides the onboarding's calls. */
export interface CustomerExternalIdWriter {
  /** `ownerDealId`: also stamps the customer's owner field (PIPEDRIVE_DEAL_ID_FIELD) with the deal it now belongs to. */
  setCustomerExternalId(customerId: string, externalId: string, ownerDealId?: string): Promise<void>;
}

export class ShadowNetSuitePort implements NetSuitePort, CustomerExternalIdWriter, NetSuiteEditPort {
  constructor(
    private readonly inner: NetSuitePort & Partial<CustomerExternalIdWriter> & Partial<NetSuiteEditPort>,
    private readonly ledger: ShadowLedger,
  ) {}

  loadReferenceData: NetSuitePort['loadReferenceData'] = () => this.inner.loadReferenceData();

  findCustomersByEmailOrCompany: NetSuitePort['findCustomersByEmailOrCompany'] = (email, companyName) =>
    this.inner.findCustomersByEmailOrCompany(email, companyName);

  async upsertCustomer(externalId: string, body: NetSuiteCustomerBody): Promise<{ customerId: string }> {
    const write = await this.recordCustomer('customer.upsert', externalId, body);
    return { customerId: write.syntheticId };
  }

  /** Recorded at once; the "job" is complete by the first look (NetSuite's own validation is not run in shadow). */
  async upsertCustomerAsync(
    externalId: string,
    body: NetSuiteCustomerBody,
    _idempotencyKey: string,
  ): Promise<{ jobId: string }> {
    await this.recordCustomer('customer.upsertAsync', externalId, body);
    return { jobId: `${SHADOW_ID_PREFIX}job-${externalId}` };
  }

  async getJob(jobId: string): Promise<{ completed: boolean; progress: string }> {
    return isShadowId(jobId) ? { completed: true, progress: 'succeeded' } : this.inner.getJob(jobId);
  }

  async getJobOutcome(jobId: string): Promise<{ ok: true; customerId?: string }> {
    if (!isShadowId(jobId)) return this.inner.getJobOutcome(jobId);
    const externalId = jobId.slice(`${SHADOW_ID_PREFIX}job-`.length);
    const write = this.ledger.find('customer.upsertAsync', externalId);
    return write ? { ok: true, customerId: write.syntheticId } : { ok: true };
  }

  /** A customer this shadow run "created" is found, as NetSuite would find it after a real upsert. */
  async getCustomerByExternalId(externalId: string): Promise<{ id: string } | undefined> {
    const shadow =
      this.ledger.find('customer.upsert', externalId) ?? this.ledger.find('customer.upsertAsync', externalId);
    return shadow ? { id: shadow.syntheticId } : this.inner.getCustomerByExternalId(externalId);
  }

  /** A read: goes to the real NetSuite (a link the review did not offer is verified in shadow mode too). */
  async getCustomerById(id: string): Promise<({ id: string } & { [field: string]: unknown }) | undefined> {
    return this.inner.getCustomerById?.(id);
  }

  async findInvoiceByExternalId(externalId: string): Promise<{ id: string } | undefined> {
    const shadow = this.ledger.find('invoice.create', externalId);
    return shadow ? { id: shadow.syntheticId } : this.inner.findInvoiceByExternalId(externalId);
  }

  async createInvoice(body: NetSuiteInvoiceBody): Promise<{ invoiceId: string }> {
    // An invoice without an externalId is never created by the product; keep such a call apart rather than merge it.
    const key = body.externalId ?? `no-external-id-${randomUUID()}`;
    const existing = await this.inner.findInvoiceByExternalId(key).catch(() => undefined);
    const write = this.ledger.record({
      operation: 'invoice.create',
      method: 'POST',
      path: 'record/v1/invoice',
      recordKey: key,
      syntheticId: `${SHADOW_ID_PREFIX}invoice-${key}`,
      effect: existing ? 'update' : 'create',
      ...(existing ? { existingId: existing.id } : {}),
      body,
    });
    return { invoiceId: write.syntheticId };
  }

  /** The billing contact's upsert is recorded like the customer's (create or update is not read: contacts are keyed by us). */
  async upsertContact(externalId: string, body: NetSuiteContactBody): Promise<{ contactId: string }> {
    const write = this.ledger.record({
      operation: 'contact.upsert',
      method: 'PUT',
      path: `record/v1/contact/eid:${externalId}`,
      recordKey: externalId,
      syntheticId: `${SHADOW_ID_PREFIX}contact-${externalId}`,
      effect: 'create',
      body,
    });
    return { contactId: write.syntheticId };
  }

  async setCustomerExternalId(customerId: string, externalId: string, ownerDealId?: string): Promise<void> {
    this.ledger.record({
      operation: 'customer.patch',
      method: 'PATCH',
      path: `record/v1/customer/${customerId}`,
      recordKey: customerId,
      syntheticId: `${SHADOW_ID_PREFIX}patch-${customerId}`,
      effect: 'update',
      existingId: customerId,
      body: { externalId, ...(ownerDealId ? { [PIPEDRIVE_DEAL_ID_FIELD]: ownerDealId } : {}) },
    });
  }

  /** An edit after onboarding reads NetSuite; a customer only this shadow run "created" is not there (no customer). */
  async getCustomerSnapshot(externalId: string): Promise<NetSuiteCustomerSnapshot | undefined> {
    return this.inner.getCustomerSnapshot ? this.inner.getCustomerSnapshot(externalId) : undefined;
  }

  /** An edit's PATCH is recorded, keyed `eid:<externalId>` (apart from the backfill's PATCH by internal id). */
  async patchCustomer(externalId: string, patch: CustomerPatch): Promise<{ customerId: string }> {
    const existing = await this.inner.getCustomerByExternalId(externalId);
    const write = this.ledger.record({
      operation: 'customer.patch',
      method: 'PATCH',
      path: `record/v1/customer/eid:${externalId}`,
      recordKey: `eid:${externalId}`,
      syntheticId: `${SHADOW_ID_PREFIX}patch-eid-${externalId}`,
      effect: 'update',
      ...(existing ? { existingId: existing.id } : {}),
      body: patch,
    });
    return { customerId: existing?.id ?? write.syntheticId };
  }

  private async recordCustomer(
    operation: 'customer.upsert' | 'customer.upsertAsync',
    externalId: string,
    body: NetSuiteCustomerBody,
  ) {
    // A read, so the ledger says whether NetSuite would have created the customer or updated the one it has.
    const existing = await this.inner.getCustomerByExternalId(externalId);
    return this.ledger.record({
      operation,
      method: 'PUT',
      path: `record/v1/customer/eid:${externalId}`,
      recordKey: externalId,
      syntheticId: `${SHADOW_ID_PREFIX}customer-${externalId}`,
      effect: existing ? 'update' : 'create',
      ...(existing ? { existingId: existing.id } : {}),
      body,
    });
  }
}
