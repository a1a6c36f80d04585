/**
 * The signed-deal listing of deal-listing.ts one page at a time, for readers that must not hold every deal at once
 * (reconciliation at 50,000 deals): each page is up to 500 deals of one stage with their persons and organizations
 * fetched by `ids`, and carries the position to resume from, so an activity that heartbeats it picks up on a retry
 * at the page it had reached instead of listing everything again.
 */
import {
  allPages,
  listedDeals,
  PAGE,
  stagesFrom,
  type DealListingSource,
  type ListedDeal,
  type ListedDealWire,
  type StageWithOrder,
} from './deal-listing';
import { pageGuard } from './response-limits';

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

/** What reconciliation and backfill need of Pipedrive to page through signed deals (PipedriveClient has it). */
export interface DealPagesPort {
  dealPagesFromStage(stageName: string, from?: DealPagePosition): AsyncIterable<DealPage>;
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
  const [me, allStages, catalog] = await Promise.all([
    source.get<{ company_id: number | string }>('/v1/users/me'),
    allPages<StageWithOrder>(source, '/api/v2/stages', {}),
    source.dealFieldKeys(),
  ]);
  const companyId = String(me.data.company_id);
  const stages = stagesFrom(allStages, stageName);

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
      const deals = await listedDeals(source, catalog, signed, () => stage.name);
      const next: DealPagePosition | undefined = cursor
        ? { stageIndex, cursor }
        : stageIndex + 1 < stages.length
          ? { stageIndex: stageIndex + 1 }
          : undefined;
      yield { companyId, deals, ...(next ? { next } : {}) };
    } while (cursor);
  }
}
