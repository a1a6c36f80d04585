/**
 * The product's Pipedrive client (v1 + v2 REST, `x-api-token`). Reads a deal with its person and organization as a
 * ResolvedDeal, writes the orchestrator's own deal fields idempotently, leaves notes, and keeps the webhook
 * subscription in place. Every failure is a VendorError (pipedrive-error.ts); lookups that rarely change (our
 * user id, field catalogs, stages) are cached.
 */
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { VendorError } from '../vendor-error';
import type { ResolvedDeal } from '../../domain/canonical-deal';
import {
  CONTRACT_SIGNED_STAGE,
  fieldAliases,
  type DEAL_FIELDS,
  type FieldAliases,
} from '../../domain/pipedrive-fields';
import { installedMapping } from '../../domain/mapping/active-mapping';
import type { MappingSnapshot } from '../../domain/mapping/schema';
import { UnencodableFieldValue, decodeCustomField, encodeCustomField } from './custom-field-values';
import { listDealsFromStage, type DealListing } from './deal-listing';
import { dealPagesFromStage, type DealPage, type DealPagePosition } from './deal-pages';
import { PipedriveRateGate, rateAnswerOf } from './rate-gate';
import { buildFieldCatalog, type FieldCatalog } from './field-catalog';
import { toPipedriveError } from './pipedrive-error';
import { toResolvedDeal } from './resolved-deal';
import { TtlCache } from './ttl-cache';
import { MAX_RESPONSE_BYTES, idSegment, pageGuard } from './response-limits';
import { WEBHOOK_EVENT, planWebhook, type WebhookSubscription } from './webhook-registration';
import type { Envelope, V1Field, V1Webhook, V2Deal, V2Organization, V2Person, V2Stage } from './wire-types';

export type DealFieldName = (typeof DEAL_FIELDS)[keyof typeof DEAL_FIELDS];

export interface PipedriveClientOptions {
  /** Base URL without `/v1` or `/api/v2`, e.g. `https://acme.pipedrive.com` or the simulator's URL. */
  apiUrl: string;
  apiToken: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** How long field catalogs and stages are cached; default 5 min. */
  catalogTtlMs?: number;
  /** Paces requests by the burst limit Pipedrive reports (rate-gate.ts); `false` sends them as they come. */
  rateGate?: PipedriveRateGate | false;
  /** The mapping template (domain/mapping/schema.ts); default: the one this process loaded at start-up. */
  mapping?: MappingSnapshot;
}

export interface SetDealFieldsResult {
  written: boolean;
  /** The field names whose value differed and were written. */
  changed: string[];
}

const PAGE = 500;

export class PipedriveClient {
  private readonly http: AxiosInstance;
  private readonly me = new TtlCache<string>(Infinity);
  private readonly company = new TtlCache<string>(Infinity);
  private readonly dealFields: TtlCache<FieldCatalog>;
  private readonly organizationFields: TtlCache<FieldCatalog>;
  private readonly personFields: TtlCache<FieldCatalog>;
  private readonly mapping: MappingSnapshot | undefined;
  private readonly aliases: FieldAliases | undefined;
  private readonly stages: TtlCache<V2Stage[]>;
  private readonly userEmails = new Map<string, TtlCache<string | undefined>>();
  private readonly catalogTtlMs: number;

  constructor(opts: PipedriveClientOptions) {
    this.http = axios.create({
      baseURL: opts.apiUrl.replace(/\/+$/, ''),
      timeout: opts.timeoutMs ?? 10_000,
      headers: { 'x-api-token': opts.apiToken, accept: 'application/json' },
      // The token is a header: a redirect would hand it to the host the answer names (response-limits.ts).
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_RESPONSE_BYTES,
    });
    const gate = opts.rateGate === false ? undefined : (opts.rateGate ?? new PipedriveRateGate());
    if (gate) {
      this.http.interceptors.request.use(async (config) => {
        await gate.acquire();
        return config;
      });
      this.http.interceptors.response.use(
        (response) => {
          gate.observe(rateAnswerOf(response.status, response.headers as Record<string, unknown>));
          return response;
        },
        (err: unknown) => {
          const response = (err as { response?: { status: number; headers: Record<string, unknown> } }).response;
          gate.observe(rateAnswerOf(response?.status, response?.headers));
          return Promise.reject(err);
        },
      );
    }
    const ttl = opts.catalogTtlMs ?? 5 * 60_000;
    this.catalogTtlMs = ttl;
    this.dealFields = new TtlCache(ttl);
    this.organizationFields = new TtlCache(ttl);
    this.personFields = new TtlCache(ttl);
    this.mapping = opts.mapping ?? installedMapping();
    this.aliases = this.mapping ? fieldAliases(this.mapping) : undefined;
    this.stages = new TtlCache(ttl);
  }

  /** The integration user's id (whose writes echo back as our own webhooks). Cached for the process. */
  getCurrentUserId(): Promise<string> {
    return this.me.get(async () => {
      const me = await this.call<{ id: number }>('GET /v1/users/me', { method: 'GET', url: '/v1/users/me' });
      return String(me.data.id);
    });
  }

  /** A health call for the circuit breaker (integrations/vendor-health.ts): `GET /v1/users/me`, never cached. */
  async ping(): Promise<void> {
    await this.call<{ id: number }>('GET /v1/users/me', { method: 'GET', url: '/v1/users/me' });
  }

  /** The company the API token belongs to (`company_id` of `GET /v1/users/me`). Cached for the process. */
  getCompanyId(): Promise<string> {
    return this.company.get(async () => {
      const me = await this.call<{ company_id: number }>('GET /v1/users/me', { method: 'GET', url: '/v1/users/me' });
      return String(me.data.company_id);
    });
  }

  /** A Pipedrive user's e-mail (the deal owner's, to find them in Slack); cached per user for the catalog TTL. */
  getUserEmail(userId: string | number): Promise<string | undefined> {
    const id = String(userId);
    let cache = this.userEmails.get(id);
    if (!cache) {
      cache = new TtlCache<string | undefined>(this.catalogTtlMs);
      this.userEmails.set(id, cache);
    }
    return cache.get(async () => {
      const user = await this.call<{ email?: string | null }>('GET /v1/users/{id}', {
        method: 'GET',
        url: `/v1/users/${idSegment(id, 'user id')}`,
      });
      return user.data.email ?? undefined;
    });
  }

  dealFieldKeys(): Promise<FieldCatalog> {
    return this.dealFields.get(() => this.fieldCatalog('dealFields'));
  }

  organizationFieldKeys(): Promise<FieldCatalog> {
    return this.organizationFields.get(() => this.fieldCatalog('organizationFields'));
  }

  personFieldKeys(): Promise<FieldCatalog> {
    return this.personFields.get(() => this.fieldCatalog('personFields'));
  }

  /** The template's name for a stage asked for by its canonical id (CONTRACT_SIGNED_STAGE). */
  private stageName(name: string): string {
    return name === CONTRACT_SIGNED_STAGE ? (this.mapping?.pipedrive.contractSignedStage ?? name) : name;
  }

  /** Ids of every live stage with this name (one per pipeline that has it), as strings. */
  async findStageIdsByName(name: string): Promise<string[]> {
    const stages = await this.stages.get(() => this.allStages());
    const wanted = this.stageName(name);
    return stages.filter((s) => s.name === wanted && s.is_deleted !== true).map((s) => String(s.id));
  }

  /** The first stage with this name, or undefined. */
  async findStageIdByName(name: string): Promise<string | undefined> {
    return (await this.findStageIdsByName(name))[0];
  }

  /** Deals in the named stage and the later stages of its pipeline, with org name and person e-mails (deal-listing.ts). */
  listDealsFromStage(stageName: string): Promise<DealListing> {
    return listDealsFromStage(
      {
        get: (url, params) => this.call(`GET ${url}`, { method: 'GET', url, params }),
        dealFieldKeys: () => this.dealFieldKeys(),
      },
      this.stageName(stageName),
    );
  }

  /** The same listing a page at a time, resumable from a position (deal-pages.ts). */
  dealPagesFromStage(stageName: string, from?: DealPagePosition): AsyncGenerator<DealPage> {
    return dealPagesFromStage(
      {
        get: (url, params) => this.call(`GET ${url}`, { method: 'GET', url, params }),
        dealFieldKeys: () => this.dealFieldKeys(),
      },
      this.stageName(stageName),
      from,
    );
  }

  /** `pinned`: the template a run read its first fetch with (workflows/onboarding.ts), else this client's. */
  async fetchResolvedDeal(dealId: string | number, pinned?: MappingSnapshot): Promise<ResolvedDeal> {
    const id = idSegment(dealId, 'deal id');
    const deal = (await this.call<V2Deal>('GET /api/v2/deals/{id}', { method: 'GET', url: `/api/v2/deals/${id}` }))
      .data;
    const mapping = pinned ?? this.mapping;
    if (!mapping)
      throw new VendorError(
        'pipedrive',
        'validation',
        'no mapping template loaded: the Pipedrive client reads deals through it (runtime/mapping-loader.ts)',
      );
    const readsPersonFields = [mapping.fields.email, mapping.fields.phone, mapping.fields.contact].some(
      (f) => f.source.from === 'person' && f.source.standard === undefined,
    );
    const [person, organization, dealFields, organizationFields, personFields] = await Promise.all([
      deal.person_id
        ? this.call<V2Person>('GET /api/v2/persons/{id}', {
            method: 'GET',
            url: `/api/v2/persons/${idSegment(deal.person_id, 'person id')}`,
          }).then((r) => r.data)
        : undefined,
      deal.org_id
        ? this.call<V2Organization>('GET /api/v2/organizations/{id}', {
            method: 'GET',
            url: `/api/v2/organizations/${idSegment(deal.org_id, 'organization id')}`,
          }).then((r) => r.data)
        : undefined,
      this.dealFieldKeys(),
      this.organizationFieldKeys(),
      readsPersonFields ? this.personFieldKeys() : undefined,
    ]);
    try {
      return toResolvedDeal({
        deal,
        person,
        organization,
        dealFields,
        organizationFields,
        ...(personFields ? { personFields } : {}),
        mapping,
      });
    } catch (err) {
      throw new VendorError(
        'pipedrive',
        'validation',
        `Pipedrive deal ${String(dealId)} has an unexpected shape: ${(err as Error).message.slice(0, 300)}`,
      );
    }
  }

  /**
   * Writes deal custom fields by NAME (`null` clears). Reads the current values first and PATCHes only those that
   * differ; when none differ no write happens (`written: false`), so a retried activity never writes twice and
   * never triggers a webhook echo.
   */
  async setDealFields(
    dealId: string | number,
    values: Partial<Record<DealFieldName, string | null>>,
  ): Promise<SetDealFieldsResult> {
    const catalog = await this.dealFieldKeys();
    const fields = Object.entries(values)
      .filter((e): e is [string, string | null] => e[1] !== undefined)
      .map(([name, value]) => {
        const field = catalog.get(name);
        if (!field)
          throw new VendorError('pipedrive', 'validation', `Pipedrive has no deal field named "${name}"`, {
            code: 'unknown_field',
          });
        return { field, value };
      });
    if (fields.length === 0) return { written: false, changed: [] };
    const id = idSegment(dealId, 'deal id');
    const current =
      (
        await this.call<V2Deal>('GET /api/v2/deals/{id}', {
          method: 'GET',
          url: `/api/v2/deals/${id}`,
          params: { custom_fields: fields.map((f) => f.field.key).join(',') },
        })
      ).data.custom_fields ?? {};
    const changed = fields.filter(
      ({ field, value }) => (decodeCustomField(field, current[field.key]) ?? null) !== (value === '' ? null : value),
    );
    if (changed.length === 0) return { written: false, changed: [] };
    let body: Record<string, string | number | null>;
    try {
      body = Object.fromEntries(changed.map(({ field, value }) => [field.key, encodeCustomField(field, value)]));
    } catch (err) {
      if (err instanceof UnencodableFieldValue)
        throw new VendorError('pipedrive', 'validation', err.message, { code: 'invalid_value' });
      throw err;
    }
    await this.call('PATCH /api/v2/deals/{id}', {
      method: 'PATCH',
      url: `/api/v2/deals/${id}`,
      data: { custom_fields: body },
    });
    return { written: true, changed: changed.map((c) => c.field.name) };
  }

  /** PATCHes standard fields (`title`, `name`, `emails`…) of a deal, person or organization through API v2. */
  async updateRecord(
    entity: 'deals' | 'persons' | 'organizations',
    id: string | number,
    body: Record<string, unknown>,
  ): Promise<void> {
    await this.call(`PATCH /api/v2/${entity}/{id}`, {
      method: 'PATCH',
      url: `/api/v2/${entity}/${idSegment(id, `${entity} id`)}`,
      data: body,
    });
  }

  /** Adds an HTML note to the deal; returns the note id. */
  async addDealNote(dealId: string | number, html: string, opts: { pinned?: boolean } = {}): Promise<string> {
    const note = await this.call<{ id: number }>('POST /v1/notes', {
      method: 'POST',
      url: '/v1/notes',
      data: {
        content: html,
        deal_id: Number(idSegment(dealId, 'deal id')),
        ...(opts.pinned ? { pinned_to_deal_flag: 1 } : {}),
      },
    });
    return String(note.data.id);
  }

  /**
   * Makes sure exactly one `deal.change` v2 webhook with these Basic-auth credentials points at `subscriptionUrl`;
   * returns its id. Idempotent: an identical subscription is kept; one to the same URL with other credentials is
   * replaced (created first, then the old one deleted, so no event falls in between).
   */
  async ensureWebhook(wanted: WebhookSubscription & { name?: string }): Promise<string> {
    const hooks =
      (await this.call<V1Webhook[] | null>('GET /v1/webhooks', { method: 'GET', url: '/v1/webhooks' })).data ?? [];
    const plan = planWebhook(hooks, wanted);
    let id: string;
    if ('keep' in plan) {
      id = String(plan.keep);
    } else {
      const created = await this.call<V1Webhook>('POST /v1/webhooks', {
        method: 'POST',
        url: '/v1/webhooks',
        data: {
          subscription_url: wanted.subscriptionUrl,
          ...WEBHOOK_EVENT,
          http_auth_user: wanted.user,
          http_auth_password: wanted.password,
          name: wanted.name ?? 'onboarding-orchestrator',
        },
      });
      id = String(created.data.id);
    }
    for (const old of plan.remove) {
      await this.call('DELETE /v1/webhooks/{id}', {
        method: 'DELETE',
        url: `/v1/webhooks/${idSegment(old, 'webhook id')}`,
      }).catch((err: unknown) => {
        if (!(err instanceof VendorError && err.kind === 'not_found')) throw err;
      });
    }
    return id;
  }

  private async fieldCatalog(path: 'dealFields' | 'organizationFields' | 'personFields'): Promise<FieldCatalog> {
    const all: V1Field[] = [];
    const guard = pageGuard(`GET /v1/${path}`, 100);
    for (let start = 0; ;) {
      const page = await this.call<V1Field[] | null>(`GET /v1/${path}`, {
        method: 'GET',
        url: `/v1/${path}`,
        params: { start, limit: PAGE },
      });
      all.push(...(page.data ?? []));
      const next = page.additional_data?.pagination;
      if (!next?.more_items_in_collection || next.next_start === undefined) break;
      guard(next.next_start);
      start = next.next_start;
    }
    const entity = path === 'dealFields' ? 'deal' : path === 'organizationFields' ? 'organization' : 'person';
    return buildFieldCatalog(all, this.aliases?.[entity]);
  }

  private async allStages(): Promise<V2Stage[]> {
    const all: V2Stage[] = [];
    let cursor: string | undefined;
    const guard = pageGuard('GET /api/v2/stages', 100);
    do {
      const page = await this.call<V2Stage[] | null>('GET /api/v2/stages', {
        method: 'GET',
        url: '/api/v2/stages',
        params: { limit: PAGE, ...(cursor ? { cursor } : {}) },
      });
      all.push(...(page.data ?? []));
      cursor = page.additional_data?.next_cursor ?? undefined;
      guard(cursor);
    } while (cursor);
    return all;
  }

  private async call<T>(operation: string, config: AxiosRequestConfig): Promise<Envelope<T>> {
    let body: Envelope<T>;
    try {
      body = (await this.http.request<Envelope<T>>(config)).data;
    } catch (err) {
      throw toPipedriveError(err, operation);
    }
    if (body === null || typeof body !== 'object' || body.success !== true) {
      throw new VendorError('pipedrive', 'transient', `Pipedrive ${operation}: answer without success envelope`);
    }
    return body;
  }
}
