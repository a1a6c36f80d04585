/**
 * The product's NetSuite SuiteTalk REST client: the calls onboarding needs, typed, each failure a VendorError.
 * Idempotency lives in the calls themselves (customer upsert by `eid:`, invoice looked up by its own externalId,
 * async writes under an idempotency key), because a Temporal activity may run any of them more than once.
 * Every request shares one semaphore sized to the account's concurrency limit (see netsuite-http.ts).
 */
import { validate as isUuid } from 'uuid';
import type { z } from 'zod';
import type { CustomerPatch, NetSuiteCustomerSnapshot } from '../../domain/deal-edit';
import type { NetSuiteCustomerBody, NetSuiteInvoiceBody } from '../../domain/netsuite-records';
import type { ReferenceData } from '../../domain/reference-data';
import { PIPEDRIVE_DEAL_ID_FIELD } from '../../domain/external-id';
import { VendorError } from '../vendor-error';
import { errorDetails, errorFromResponse, unexpectedResponse } from './error-classification';
import { NetSuiteHttp, type NetSuiteHttpConfig, type NetSuiteResponse } from './netsuite-http';
import {
  CONTACT_ROLES_QUERY,
  LEAD_SOURCES_QUERY,
  toLeadSource,
  CURRENCIES_QUERY,
  ITEMS_QUERY,
  SUBSIDIARIES_QUERY,
  TERMS_QUERY,
  toContactRole,
  toCurrency,
  toItem,
  toPaymentTerm,
  toSubsidiary,
} from './reference-data-queries';
import type { NetSuiteContactBody } from '../../domain/billing-contact';
import { idFromLocation, recordPath } from './request-url';
import {
  asyncJobSchema,
  asyncTaskSchema,
  customerRecordSchema,
  customerSnapshotSchema,
  recordIdSchema,
  suiteqlPageSchema,
  taskCollectionSchema,
  type NetSuiteCustomerRecord,
} from './response-schemas';
import { sqlString } from './suiteql-literal';

export type NetSuiteClientConfig = NetSuiteHttpConfig;
export type { NetSuiteCustomerRecord } from './response-schemas';

export interface AsyncJobRef {
  jobId: string;
  /** The job's Location, as NetSuite gave it. */
  jobUrl: string;
  /** True when NetSuite already had a job for this idempotency key (IDEMPOTENCY_ERROR) and this is that job. */
  reused: boolean;
}

export interface AsyncJobStatus {
  completed: boolean;
  progress: 'pending' | 'succeeded' | 'failed' | (string & {});
}

export interface SuiteQlPage<T> {
  items: T[];
  hasMore: boolean;
  totalResults: number;
  offset: number;
}

export interface CustomerMatch {
  id: string;
  externalId?: string;
  email?: string;
  companyName?: string;
}

/** NetSuite's SuiteQL page size cap. */
export const SUITEQL_MAX_PAGE = 1000;

const CUSTOMER = 'customer';
const INVOICE = 'invoice';

export class NetSuiteClient {
  private readonly http: NetSuiteHttp;

  constructor(config: NetSuiteClientConfig) {
    this.http = new NetSuiteHttp(config);
  }

  /** Requests holding a concurrency slot now. */
  get inFlight(): number {
    return this.http.inFlight;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.http.queued;
  }

  /** Creates or updates the customer whose externalId is given: safe to repeat (PUT …/customer/eid:X). */
  async upsertCustomer(externalId: string, body: NetSuiteCustomerBody): Promise<{ customerId: string }> {
    const path = recordPath(CUSTOMER, { externalId });
    const response = await this.http.request('PUT', path, { body });
    const customerId = idFromLocation(response.headers.location);
    if (customerId !== undefined) return { customerId };
    // NetSuite does not document the upsert's answer; if it carries no Location, the eid: read is authoritative.
    const record = await this.getCustomerByExternalId(externalId);
    if (!record)
      throw unexpectedResponse(`PUT ${path}`, 'the customer cannot be read back by its external id', response.status);
    return { customerId: record.id };
  }

  /** The billing contact, upserted by its own externalId (`PUT record/v1/contact/eid:…`) like the customer. */
  async upsertContact(externalId: string, body: NetSuiteContactBody): Promise<{ contactId: string }> {
    const path = recordPath('contact', { externalId });
    const response = await this.http.request('PUT', path, { body });
    const contactId = idFromLocation(response.headers.location);
    if (contactId === undefined)
      throw unexpectedResponse(`PUT ${path}`, 'no Location header naming the contact', response.status);
    return { contactId };
  }

  /**
   * The same upsert as an async job (`Prefer: respond-async`) under an idempotency key: a retry with the same key
   * gets NetSuite's IDEMPOTENCY_ERROR with the earlier job's Location, which is returned as that job (not an error).
   */
  async upsertCustomerAsync(
    externalId: string,
    body: NetSuiteCustomerBody,
    idempotencyKey: string,
  ): Promise<AsyncJobRef> {
    if (!isUuid(idempotencyKey)) {
      // NetSuite wants an RFC 4122 UUID; a bad key is our bug, caught before the call.
      throw new VendorError('netsuite', 'validation', 'NetSuite idempotency key must be a UUID', {
        details: [
          {
            code: 'INVALID_HEADER',
            path: 'X-NetSuite-Idempotency-Key',
            message: 'The idempotency key must be a UUID (RFC 4122).',
          },
        ],
      });
    }
    const path = recordPath(CUSTOMER, { externalId });
    const response = await this.http.request('PUT', path, {
      body,
      headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': idempotencyKey },
      accept: (status, responseBody) =>
        status === 400 && errorDetails(responseBody).some((d) => d.code === 'IDEMPOTENCY_ERROR'),
    });
    const jobUrl = response.headers.location;
    const jobId = idFromLocation(jobUrl);
    if (jobUrl === undefined || jobId === undefined) {
      if (response.status >= 400) throw errorFromResponse(`PUT ${path}`, response);
      throw unexpectedResponse(`PUT ${path}`, 'gave no job Location', response.status);
    }
    return { jobId, jobUrl, reused: response.status >= 400 };
  }

  /** One poll of an async job. Callers poll with durable timers, not in a loop here. */
  async getJob(jobId: string): Promise<AsyncJobStatus> {
    const path = `async/v1/job/${encodeURIComponent(jobId)}`;
    const job = parse(asyncJobSchema, await this.http.request('GET', path), `GET ${path}`);
    return { completed: job.completed, progress: job.progress };
  }

  /**
   * A finished job's outcome, read from its task's result (the response the synchronous call would have given).
   * Success ⇒ `{ ok: true, customerId }` (from the result's Location when it has one). Failure ⇒ throws the VendorError
   * the synchronous call would have thrown: validation for USER_ERROR / INVALID_*, transient for UNEXPECTED_ERROR, etc.
   * A job still running ⇒ transient VendorError (ask again later).
   */
  async getJobOutcome(jobId: string): Promise<{ ok: true; customerId?: string }> {
    const jobPath = `async/v1/job/${encodeURIComponent(jobId)}`;
    const tasks = parse(taskCollectionSchema, await this.http.request('GET', `${jobPath}/task`), `GET ${jobPath}/task`);
    const taskId = tasks.items[0]?.id ?? idFromLocation(tasks.items[0]?.links?.find((l) => l.rel === 'self')?.href);
    if (taskId === undefined) throw unexpectedResponse(`GET ${jobPath}/task`, 'listed no task', 200);
    const taskPath = `${jobPath}/task/${encodeURIComponent(taskId)}`;
    const task = parse(asyncTaskSchema, await this.http.request('GET', taskPath), `GET ${taskPath}`);
    if (!task.completed) {
      throw new VendorError(
        'netsuite',
        'transient',
        `NetSuite async job ${jobId} has not finished (${task.progress})`,
        { code: 'JOB_PENDING' },
      );
    }
    // The result is the underlying response, failures included: take every status and classify it ourselves.
    const resultPath = `${taskPath}/result`;
    const result = await this.http.request('GET', resultPath, { accept: () => true });
    const failure = resultFailure(result);
    if (failure) throw errorFromResponse(`async job ${jobId}`, failure);
    if (task.progress === 'failed') {
      throw new VendorError('netsuite', 'transient', `NetSuite async job ${jobId} failed without an error result`, {
        status: result.status,
      });
    }
    const customerId = idFromLocation(result.headers.location) ?? idOf(result.body);
    return customerId === undefined ? { ok: true } : { ok: true, customerId };
  }

  /** The customer with this internal id, or `undefined` when none exists (404 NONEXISTENT_ID). */
  async getCustomerById(id: string): Promise<NetSuiteCustomerRecord | undefined> {
    const path = recordPath(CUSTOMER, { id });
    const response = await notFoundAsUndefined(this.http.request('GET', path));
    return response === undefined ? undefined : parse(customerRecordSchema, response, `GET ${path}`);
  }

  /** The customer with this externalId, or `undefined` when none exists (404 NONEXISTENT_ID). */
  async getCustomerByExternalId(externalId: string): Promise<NetSuiteCustomerRecord | undefined> {
    const path = recordPath(CUSTOMER, { externalId });
    const response = await notFoundAsUndefined(this.http.request('GET', path));
    return response === undefined ? undefined : parse(customerRecordSchema, response, `GET ${path}`);
  }

  /**
   * The customer's mapped fields as NetSuite holds them now, sublists expanded (address book, tax registrations), or
   * `undefined` when no customer has this externalId. Read before an edit after onboarding is compared.
   */
  async getCustomerSnapshot(externalId: string): Promise<NetSuiteCustomerSnapshot | undefined> {
    const path = recordPath(CUSTOMER, { externalId });
    const response = await notFoundAsUndefined(
      this.http.request('GET', path, { query: { expandSubResources: 'true' } }),
    );
    if (response === undefined) return undefined;
    const r = parse(customerSnapshotSchema, response, `GET ${path}`);
    const idOrText = (v: string | { id: string } | undefined): string | undefined => (typeof v === 'object' ? v.id : v);
    const lines = r.addressBook?.items ?? [];
    const billing = (lines.find((l) => l.defaultBilling) ?? lines[0])?.addressBookAddress;
    const snapshot: NetSuiteCustomerSnapshot = {
      id: r.id,
      taxRegistrations: (r.taxRegistration?.items ?? []).flatMap((t) => {
        const nexusCountry = idOrText(t.nexusCountry);
        return t.taxRegistrationNumber === undefined
          ? []
          : [{ taxRegistrationNumber: t.taxRegistrationNumber, ...(nexusCountry ? { nexusCountry } : {}) }];
      }),
      customFields: Object.fromEntries(
        Object.entries(r).flatMap(([k, v]) =>
          k.toLowerCase().startsWith('custentity_') && (typeof v === 'string' || typeof v === 'number')
            ? [[k.toLowerCase(), String(v)]]
            : [],
        ),
      ),
    };
    for (const key of ['externalId', 'companyName', 'email', 'phone'] as const)
      if (r[key] !== undefined) snapshot[key] = r[key];
    for (const key of ['subsidiary', 'terms'] as const) {
      const ref = r[key];
      if (ref) snapshot[key] = ref.refName === undefined ? { id: ref.id } : { id: ref.id, refName: ref.refName };
    }
    if (billing) {
      const { addr1, addr2, city, state, zip } = billing;
      const country = idOrText(billing.country);
      snapshot.billingAddress = Object.fromEntries(
        Object.entries({ addr1, addr2, city, state, zip, country }).filter(([, v]) => v !== undefined),
      );
    }
    return snapshot;
  }

  /**
   * Writes only the given fields of the customer with this externalId (`PATCH …/customer/eid:X`; omitted fields stay,
   * `null` clears). Repeating it writes the same values again. Sublists in the patch replace the customer's lines
   * (`replace=`), instead of being added to them.
   */
  async patchCustomer(externalId: string, patch: CustomerPatch): Promise<{ customerId: string }> {
    const path = recordPath(CUSTOMER, { externalId });
    const sublists = (['addressBook', 'taxRegistration'] as const).filter((k) => patch[k] !== undefined);
    const response = await this.http.request('PATCH', path, {
      body: patch,
      ...(sublists.length > 0 ? { query: { replace: sublists.join(',') } } : {}),
    });
    const customerId = idFromLocation(response.headers.location);
    if (customerId !== undefined) return { customerId };
    const record = await this.getCustomerByExternalId(externalId);
    if (!record)
      throw unexpectedResponse(`PATCH ${path}`, 'the customer cannot be read back by its external id', response.status);
    return { customerId: record.id };
  }

  /**
   * Gives an existing customer (by internal id) the externalId it lacks: the backfill's link between a customer an
   * older connector created and its deal. Repeating it sets the same value again. With `ownerDealId`, the customer's
   * owner field (PIPEDRIVE_DEAL_ID_FIELD, domain/external-id-owner.ts) is stamped in the same PATCH.
   */
  async setCustomerExternalId(customerId: string, externalId: string, ownerDealId?: string): Promise<void> {
    await this.http.request('PATCH', recordPath(CUSTOMER, { id: customerId }), {
      body: { externalId, ...(ownerDealId ? { [PIPEDRIVE_DEAL_ID_FIELD]: ownerDealId } : {}) },
    });
  }

  /** One SuiteQL page. `T` describes the row: every value is a string and null columns are absent. */
  /** Ids of up to `limit` records of a type (`GET record/v1/<type>?limit=`): proves the role may read that record type. */
  async listRecordIds(type: string, limit = 1): Promise<string[]> {
    const response = await this.http.request('GET', `record/v1/${encodeURIComponent(type)}`, {
      query: { limit: String(limit) },
    });
    const items = (response.body as { items?: Array<{ id?: string }> } | undefined)?.items ?? [];
    return items.flatMap((i) => (i.id === undefined ? [] : [String(i.id)]));
  }

  /**
   * A write that cannot write, answering the status and NetSuite error code. `PATCH`: `record/v1/<type>/eid:<probeId>`
   * with an empty body, where no record has that external id (PATCH never creates; only PUT upserts): 403
   * INSUFFICIENT_PERMISSION is the role refusing the edit, 404 NONEXISTENT_ID a request that got past it. `POST`: an
   * empty body to `record/v1/<type>` (for a record whose mandatory fields an empty body lacks, e.g. an invoice's
   * customer): 403 is the role refusing the create, 400 USER_ERROR the validation after it.
   */
  async probeWrite(
    type: string,
    probeId: string,
    method: 'PATCH' | 'POST' = 'PATCH',
  ): Promise<{ status: number; code?: string; detail?: string }> {
    const path =
      method === 'PATCH' ? recordPath(type, { externalId: probeId }) : `record/v1/${encodeURIComponent(type)}`;
    const response = await this.http.request(method, path, {
      body: {},
      accept: (status) => status === 400 || status === 403 || status === 404,
    });
    const detail = (
      response.body as { 'o:errorDetails'?: Array<{ detail?: string; 'o:errorCode'?: string }> } | undefined
    )?.['o:errorDetails']?.[0];
    return {
      status: response.status,
      ...(detail?.['o:errorCode'] ? { code: detail['o:errorCode'] } : {}),
      ...(detail?.detail ? { detail: detail.detail } : {}),
    };
  }

  async suiteql<T = Record<string, string | undefined>>(
    query: string,
    page: { limit?: number; offset?: number } = {},
  ): Promise<SuiteQlPage<T>> {
    const limit = page.limit ?? SUITEQL_MAX_PAGE;
    const offset = page.offset ?? 0;
    const response = await this.http.request('POST', 'query/v1/suiteql', {
      query: { limit, offset },
      body: { q: query },
      // SuiteQL over REST refuses requests without it.
      headers: { Prefer: 'transient' },
    });
    const body = parse(suiteqlPageSchema, response, 'POST query/v1/suiteql');
    const items = body.items.map(({ links: _links, ...row }) => row as T);
    return {
      items,
      hasMore: body.hasMore,
      totalResults: body.totalResults ?? items.length,
      offset: body.offset ?? offset,
    };
  }

  /** Every row, page by page (NetSuite caps a page at 1000 rows and a query at 100,000). */
  async suiteqlAll<T = Record<string, string | undefined>>(query: string, pageSize = SUITEQL_MAX_PAGE): Promise<T[]> {
    const rows: T[] = [];
    let offset = 0;
    for (;;) {
      const page = await this.suiteql<T>(query, { limit: pageSize, offset });
      rows.push(...page.items);
      // An empty page with hasMore would loop forever; NetSuite never sends one, but a proxy might truncate.
      if (!page.hasMore || page.items.length === 0) return rows;
      offset += page.items.length;
    }
  }

  /**
   * Customers that may be the same company under another externalId: same email or same company name, ignoring case.
   * Used before creating a customer, so a possible duplicate goes to review with "link to existing".
   */
  async findCustomersByEmailOrCompany(email?: string, companyName?: string): Promise<CustomerMatch[]> {
    const conditions: string[] = [];
    const e = email?.trim();
    const c = companyName?.trim();
    if (e) conditions.push(`LOWER(email) = LOWER(${sqlString(e)})`);
    if (c) conditions.push(`LOWER(companyname) = LOWER(${sqlString(c)})`);
    if (conditions.length === 0) return [];
    const rows = await this.suiteqlAll<Record<string, string | undefined>>(
      `SELECT id, externalid, email, companyname FROM customer WHERE ${conditions.join(' OR ')} ORDER BY id`,
    );
    return rows.flatMap((row) => {
      if (row.id === undefined) return [];
      const match: CustomerMatch = { id: row.id };
      if (row.externalid !== undefined) match.externalId = row.externalid;
      if (row.email !== undefined) match.email = row.email;
      if (row.companyname !== undefined) match.companyName = row.companyname;
      return [match];
    });
  }

  /** Active subsidiaries (with country), payment terms (with days) and items (with item id and price). */
  async loadReferenceData(): Promise<ReferenceData> {
    const [subsidiaries, terms, items, currencies, contactRoles, leadSources] = await Promise.all([
      this.suiteqlAll(SUBSIDIARIES_QUERY),
      this.suiteqlAll(TERMS_QUERY),
      this.suiteqlAll(ITEMS_QUERY),
      this.suiteqlAll(CURRENCIES_QUERY),
      this.suiteqlAll(CONTACT_ROLES_QUERY),
      // An account without the CRM lists (or a role without access) refuses it: only a template targeting
      // leadSource needs it, and that deal goes to review saying the list is not readable (domain/lead-source.ts).
      // A transient failure stays a failure, so it is retried rather than read as "no list".
      this.suiteqlAll(LEAD_SOURCES_QUERY).catch((err: unknown) => {
        if (err instanceof VendorError && ['validation', 'auth', 'not_found'].includes(err.kind)) return undefined;
        throw err;
      }),
    ]);
    try {
      return {
        subsidiaries: subsidiaries.map(toSubsidiary),
        terms: terms.map(toPaymentTerm),
        items: items.map(toItem),
        currencies: currencies.map(toCurrency),
        contactRoles: contactRoles.map(toContactRole),
        ...(leadSources ? { leadSources: leadSources.map(toLeadSource) } : {}),
      };
    } catch {
      throw unexpectedResponse(
        'POST query/v1/suiteql (reference data)',
        'returned rows without the expected columns',
        200,
      );
    }
  }

  /** The invoice with this externalId, or `undefined`: checked before every create so a retry never bills twice. */
  async findInvoiceByExternalId(externalId: string): Promise<{ id: string } | undefined> {
    const path = recordPath(INVOICE, { externalId });
    const response = await notFoundAsUndefined(this.http.request('GET', path, { query: { fields: 'externalId' } }));
    return response === undefined ? undefined : { id: parse(recordIdSchema, response, `GET ${path}`).id };
  }

  /** Creates an invoice; the body must carry its externalId (see findInvoiceByExternalId). */
  async createInvoice(body: NetSuiteInvoiceBody): Promise<{ invoiceId: string }> {
    const path = `record/v1/${INVOICE}`;
    const response = await this.http.request('POST', path, { body });
    const invoiceId = idFromLocation(response.headers.location);
    if (invoiceId === undefined)
      throw unexpectedResponse(`POST ${path}`, 'gave no Location for the new invoice', response.status);
    return { invoiceId };
  }
}

function parse<S extends z.ZodType>(schema: S, response: NetSuiteResponse, what: string): z.infer<S> {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) throw unexpectedResponse(what, 'its body has an unexpected shape', response.status);
  return parsed.data;
}

async function notFoundAsUndefined(request: Promise<NetSuiteResponse>): Promise<NetSuiteResponse | undefined> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof VendorError && err.kind === 'not_found') return undefined;
    throw err;
  }
}

/** A task result is a failure when its status is, or when NetSuite wraps an error body in a 200. */
function resultFailure(result: NetSuiteResponse): NetSuiteResponse | undefined {
  if (result.status >= 400) return result;
  const embedded =
    typeof result.body === 'object' && result.body !== null ? (result.body as { status?: unknown }).status : undefined;
  if (errorDetails(result.body).length > 0) return { ...result, status: typeof embedded === 'number' ? embedded : 400 };
  return undefined;
}

function idOf(body: unknown): string | undefined {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
