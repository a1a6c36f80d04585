/**
 * The signed-deal listing of deal-listing.ts one page at a time, for readers that must not hold every deal at once
 * (reconciliation at 50,000 deals): each page is up to 500 deals of one stage with their persons and organizations
 * fetched by `ids`, and carries the position to resume from, so an activity that heartbeats it picks up on a retry
 * at the page it had reached instead of listing everything again.
 */
import { ATTRIBUTION_FIELDS, DEAL_FIELDS } from '../../domain/pipedrive-fields';
import { contactEntries } from './contact-points';
import { decodeCustomField } from './custom-field-values';
import type { DealListingSource, ListedDeal } from './deal-listing';
import { pageGuard } from './response-limits';
import type { V2Deal, V2Organization, V2Person, V2Stage } from './wire-types';

/** Where a paged listing stands: the stage (index in pipeline order) and that stage's v2 cursor. */
export interface DealPagePosition {
  stageIndex: number;
  cursor?: string;
}

export interface DealPage {
  companyId: string;
  deals: ListedDeal[];
  /** Where the next page starts; absent after the last page. */
  next?: DealPagePosition;
}

const PAGE = 500;
const ID_BATCH = 100;

type StageWithOrder = V2Stage & { order_nr?: number };
type ListedDealWire = V2Deal & { status?: string | null };

async function allPages<T>(
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

async function byIds<T extends { id: number }>(
  source: DealListingSource,
  url: string,
  ids: ReadonlySet<number>,
): Promise<Map<number, T>> {
  const found = new Map<number, T>();
  const list = [...ids];
  for (let i = 0; i < list.length; i += ID_BATCH) {
    for (const item of await allPages<T>(source, url, { ids: list.slice(i, i + ID_BATCH).join(',') }))
      found.set(item.id, item);
  }
  return found;
}

/** The named stage and the later stages of each pipeline that has it, in pipeline order (as deal-listing.ts). */
async function signedStages(source: DealListingSource, stageName: string): Promise<StageWithOrder[]> {
  const live = (await allPages<StageWithOrder>(source, '/api/v2/stages', {})).filter((s) => s.is_deleted !== true);
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

/**
 * Pages of signed deals from `from` on (the first page when absent). Lost deals are left out, as in the whole listing;
 * a page may then hold fewer than 500 deals, or none, and still carry a `next`.
 */
export async function* dealPagesFromStage(
  source: DealListingSource,
  stageName: string,
  from: DealPagePosition = { stageIndex: 0 },
): AsyncGenerator<DealPage> {
  const [me, stages, catalog] = await Promise.all([
    source.get<{ company_id: number | string }>('/v1/users/me'),
    signedStages(source, stageName),
    source.dealFieldKeys(),
  ]);
  const companyId = String(me.data.company_id);
  const externalIdField = catalog.get(DEAL_FIELDS.externalId);
  const attributionFields = (Object.keys(ATTRIBUTION_FIELDS) as Array<keyof typeof ATTRIBUTION_FIELDS>).flatMap(
    (name) => {
      const field = catalog.get(ATTRIBUTION_FIELDS[name]);
      return field ? [[name, field] as const] : [];
    },
  );

  for (let stageIndex = from.stageIndex; stageIndex < stages.length; stageIndex++) {
    const stage = stages[stageIndex]!;
    let cursor = stageIndex === from.stageIndex ? from.cursor : undefined;
    const guard = pageGuard('GET /api/v2/deals');
    do {
      const page = await source.get<ListedDealWire[] | null>('/api/v2/deals', {
        stage_id: stage.id,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      cursor = page.additional_data?.next_cursor ?? undefined;
      guard(cursor);
      const signed = (page.data ?? []).filter((d) => d.status !== 'lost');
      const [persons, organizations] = await Promise.all([
        byIds<V2Person>(source, '/api/v2/persons', new Set(signed.flatMap((d) => (d.person_id ? [d.person_id] : [])))),
        byIds<V2Organization>(
          source,
          '/api/v2/organizations',
          new Set(signed.flatMap((d) => (d.org_id ? [d.org_id] : []))),
        ),
      ]);
      const deals = signed.map((d): ListedDeal => {
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
          stageName: stage.name,
          ...(externalId ? { externalIdField: externalId } : {}),
          ...(organizationName ? { organizationName } : {}),
          personEmails: contactEntries(d.person_id ? persons.get(d.person_id)?.emails : undefined),
          ...(Object.keys(attribution).length ? { attribution } : {}),
        };
      });
      const next: DealPagePosition | undefined = cursor
        ? { stageIndex, cursor }
        : stageIndex + 1 < stages.length
          ? { stageIndex: stageIndex + 1 }
          : undefined;
      yield { companyId, deals, ...(next ? { next } : {}) };
    } while (cursor);
  }
}
