/**
 * In-memory NetSuite and Pipedrive ports for tests that run the real workflow and real activities without HTTP:
 * each test makes a vendor fail exactly as it wants (VendorError from integrations/vendor-error.ts).
 */
import type { NetSuitePort, PipedrivePort } from '../../domain/vendor-ports';
import type { ResolvedDeal } from '../../domain/canonical-deal';
import type { NetSuiteCustomerBody, NetSuiteInvoiceBody } from '../../domain/netsuite-records';
import type { VendorError } from '../../integrations/vendor-error';
import { SEED_REFERENCE_DATA } from '../unit/domain/fixtures';

export class FakeNetSuite implements NetSuitePort {
  customers = new Map<string, { id: string; body: NetSuiteCustomerBody }>();
  invoices = new Map<string, { id: string; body: NetSuiteInvoiceBody }>();
  existing: Array<{ id: string; externalId: string; email: string; companyName: string }> = [];
  upsertFailure?: () => VendorError;
  upsertCalls = 0;
  private nextId = 100;
  async loadReferenceData() {
    return SEED_REFERENCE_DATA;
  }
  async findCustomersByEmailOrCompany(email?: string, companyName?: string) {
    return this.existing.filter((c) => c.email === email || c.companyName === companyName);
  }
  async upsertCustomer(externalId: string, body: NetSuiteCustomerBody) {
    this.upsertCalls += 1;
    if (this.upsertFailure) throw this.upsertFailure();
    const id = this.customers.get(externalId)?.id ?? String(this.nextId++);
    this.customers.set(externalId, { id, body });
    return { customerId: id };
  }
  async upsertCustomerAsync(): Promise<{ jobId: string }> {
    throw new Error('not used');
  }
  async getJob() {
    return { completed: true, progress: 'succeeded' };
  }
  async getJobOutcome() {
    return { ok: true as const };
  }
  /** Customers by internal id for getCustomerById (a link the review did not offer is verified against them). */
  byId = new Map<string, { id: string } & Record<string, unknown>>();
  async getCustomerById(id: string) {
    return this.byId.get(id);
  }
  async getCustomerByExternalId(externalId: string) {
    const c = this.customers.get(externalId);
    return c ? { id: c.id } : undefined;
  }
  async findInvoiceByExternalId(externalId: string) {
    const i = this.invoices.get(externalId);
    return i ? { id: i.id } : undefined;
  }
  async createInvoice(body: NetSuiteInvoiceBody) {
    const id = String(this.nextId++);
    this.invoices.set(body.externalId, { id, body });
    return { invoiceId: id };
  }
}

export class FakePipedrive implements PipedrivePort {
  fields = new Map<string, Record<string, string | null>>();
  notes: string[] = [];
  fetchDelayMs = 0;
  constructor(public deal: ResolvedDeal) {}
  async fetchResolvedDeal() {
    if (this.fetchDelayMs) await new Promise((r) => setTimeout(r, this.fetchDelayMs));
    return this.deal;
  }
  async setDealFields(dealId: string, values: Record<string, string | null>) {
    const current = this.fields.get(dealId) ?? {};
    const changed = Object.entries(values).some(([k, v]) => current[k] !== v);
    this.fields.set(dealId, { ...current, ...values });
    return { written: changed };
  }
  async addDealNote(_dealId: string, html: string) {
    this.notes.push(html);
    return this.notes.length;
  }
  updates: Array<{ entity: string; id: string; body: Record<string, unknown> }> = [];
  async updateRecord(entity: 'deals' | 'persons' | 'organizations', id: string, body: Record<string, unknown>) {
    this.updates.push({ entity, id, body });
  }
}
