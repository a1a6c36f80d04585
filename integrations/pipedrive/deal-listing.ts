/**
 * Deals from one stage onward: every deal in the named stage and in the later stages of the same pipeline (for
 * "Contract Signed": Onboarded, …), with the organization name, the person's e-mails and the External ID field,
 * read with v2 cursor paging (`GET /api/v2/deals?stage_id=…&cursor=…`) and persons/organizations fetched in batches
 * by `ids`, not one request per deal. Also gives the company id, which derives the external_id of deals whose
 * External ID field is still empty.
 */
import type { ContactEntry } from '../../domain/canonical-deal';
import { ATTRIBUTION_FIELDS, DEAL_FIELDS } from '../../domain/pipedrive-fields';
import { contactEntries } from './contact-points';
import { decodeCustomField } from './custom-field-values';
import type { FieldCatalog } from './field-catalog';
import type { Envelope, V2Deal, V2Organization, V2Person, V2Stage } from './wire-types';
import { pageGuard } from './response-limits';

export interface ListedDeal {
  dealId: string;
  title: string;
  stageId: string;
  stageName: string;
  /** The External ID field's value as stored, when set. */
  externalIdField?: string;
  organizationName?: string;
  personEmails: ContactEntry[];
  /** Campaign, lead source and channel where the mapping template reads them from deal fields (for reconciliation). */
  attribution?: { campaign?: string; leadSource?: string; channel?: string };
}

export interface DealListing {
  /** Pipedrive company id (`/v1/users/me`), the namespace of deal ids. */
  companyId: string;
  /** The stages listed, in pipeline order, per pipeline that has the named stage. */
  stages: Array<{ id: string; name: string; pipelineId: string }>;
  deals: ListedDeal[];
}

/** What the listing needs from the client: a GET returning Pipedrive's envelope, and the deal field catalog. */
export interface DealListingSource {
  get<T>(url: string, params?: Record<string, string | number>): Promise<Envelope<T>>;
  dealFieldKeys(): Promise<FieldCatalog>;
}

export const PAGE = 500;
/** Ids per `ids=` batch: keeps the query string short. */
const ID_BATCH = 100;

export type StageWithOrder = V2Stage & { order_nr?: number };
export type ListedDealWire = V2Deal & { status?: string | null };

export async function allPages<T>(
  source: DealListingSource,
  url: string,
  params: Record<string, string | number>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  const guard = pageGuard(`GET ${url}`);
  do {
    const page = await source.get<T[] | null>(url, { ...params, limit: PAGE, ...(cursor ? { cursor } : {}) });
    all.push(...(page.data ?? []));
    cursor = page.additional_data?.next_cursor ?? undefined;
    guard(cursor);
  } while (cursor);
  return all;
}

export async function byIds<T extends { id: number }>(
  source: DealListingSource,
  url: string,
  ids: ReadonlySet<number>,
): Promise<Map<number, T>> {
  const found = new Map<number, T>();
  const list = [...ids];
  for (let i = 0; i < list.length; i += ID_BATCH) {
    const batch = list.slice(i, i + ID_BATCH);
    for (const item of await allPages<T>(source, url, { ids: batch.join(',') })) found.set(item.id, item);
  }
  return found;
}

/** The named stage and the later stages (by `order_nr`) of each pipeline that has it, in pipeline order. */
export function stagesFrom(stages: StageWithOrder[], stageName: string): StageWithOrder[] {
  const live = stages.filter((s) => s.is_deleted !== true);
  const order = (s: StageWithOrder): number => s.order_nr ?? s.id;
  const wanted: StageWithOrder[] = [];
  for (const from of live.filter((s) => s.name === stageName)) {
    wanted.push(
      ...live
        .filter((s) => s.pipeline_id === from.pipeline_id && order(s) >= order(from))
        .sort((a, b) => order(a) - order(b)),
    );
  }
  return wanted;
}

/** Maps wire deals to listed deals: their persons and organizations fetched by `ids`, the catalog's fields decoded. */
export async function listedDeals(
  source: DealListingSource,
  catalog: FieldCatalog,
  deals: ListedDealWire[],
  stageNameOf: (d: ListedDealWire) => string,
): Promise<ListedDeal[]> {
  const [persons, organizations] = await Promise.all([
    byIds<V2Person>(source, '/api/v2/persons', new Set(deals.flatMap((d) => (d.person_id ? [d.person_id] : [])))),
    byIds<V2Organization>(source, '/api/v2/organizations', new Set(deals.flatMap((d) => (d.org_id ? [d.org_id] : [])))),
  ]);
  const externalIdField = catalog.get(DEAL_FIELDS.externalId);
  const attributionFields = (Object.keys(ATTRIBUTION_FIELDS) as Array<keyof typeof ATTRIBUTION_FIELDS>).flatMap(
    (name) => {
      const field = catalog.get(ATTRIBUTION_FIELDS[name]);
      return field ? [[name, field] as const] : [];
    },
  );
  return deals.map((d) => {
    const externalId = externalIdField
      ? decodeCustomField(externalIdField, d.custom_fields?.[externalIdField.key])?.trim()
      : undefined;
    const organizationName = d.org_id ? organizations.get(d.org_id)?.name : undefined;
    const attribution = Object.fromEntries(
      attributionFields.flatMap(([name, field]) => {
        const value = decodeCustomField(field, d.custom_fields?.[field.key])?.trim();
        return value ? [[name, value]] : [];
      }),
    );
    return {
      dealId: String(d.id),
      title: d.title,
      stageId: String(d.stage_id),
      stageName: stageNameOf(d),
      ...(externalId ? { externalIdField: externalId } : {}),
      ...(organizationName ? { organizationName } : {}),
      personEmails: contactEntries(d.person_id ? persons.get(d.person_id)?.emails : undefined),
      ...(Object.keys(attribution).length ? { attribution } : {}),
    };
  });
}

/**
 * Deals in `stageName` and every later stage (by `order_nr`) of each pipeline that has it. Lost deals are left
 * out: a signed deal later marked lost is no longer expected to have a customer.
 */
export async function listDealsFromStage(source: DealListingSource, stageName: string): Promise<DealListing> {
  const [me, stages, catalog] = await Promise.all([
    source.get<{ company_id: number | string }>('/v1/users/me'),
    allPages<StageWithOrder>(source, '/api/v2/stages', {}),
    source.dealFieldKeys(),
  ]);
  const wanted = stagesFrom(stages, stageName);
  const stageNames = new Map(wanted.map((s) => [s.id, s.name]));

  const deals: ListedDealWire[] = [];
  for (const stage of wanted)
    deals.push(...(await allPages<ListedDealWire>(source, '/api/v2/deals', { stage_id: stage.id })));
  const signed = deals.filter((d) => d.status !== 'lost');

  return {
    companyId: String(me.data.company_id),
    stages: wanted.map((s) => ({ id: String(s.id), name: s.name, pipelineId: String(s.pipeline_id) })),
    deals: await listedDeals(source, catalog, signed, (d) => stageNames.get(d.stage_id) ?? String(d.stage_id)),
  };
}
