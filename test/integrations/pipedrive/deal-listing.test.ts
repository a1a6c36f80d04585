/** listDealsFromStage over a scripted Pipedrive: cursor paging, later stages by order_nr, ids batches, lost deals left out. */
import { listDealsFromStage, type DealListingSource } from '../../../integrations/pipedrive/deal-listing';
import type { FieldCatalog } from '../../../integrations/pipedrive';
import type { Envelope } from '../../../integrations/pipedrive/wire-types';

const EXTERNAL_ID_KEY = 'a'.repeat(40);
const catalog: FieldCatalog = new Map([
  ['External ID', { key: EXTERNAL_ID_KEY, name: 'External ID', type: 'varchar', options: [] }],
]) as FieldCatalog;

const STAGES = [
  { id: 1, name: 'Qualified', pipeline_id: 1, order_nr: 1 },
  { id: 4, name: 'Contract Signed', pipeline_id: 1, order_nr: 4 },
  { id: 5, name: 'Onboarded', pipeline_id: 1, order_nr: 5 },
  { id: 3, name: 'Negotiation', pipeline_id: 1, order_nr: 3 },
  { id: 9, name: 'Contract Signed', pipeline_id: 2, order_nr: 2 },
  { id: 10, name: 'Closed', pipeline_id: 2, order_nr: 1 },
  { id: 11, name: 'Archived', pipeline_id: 1, order_nr: 6, is_deleted: true },
];

/** 260 deals in stage 4 (three pages of 100 would be two of 500: pages are forced small by the fake), 3 in 5, 1 in 9. */
function scriptedPipedrive() {
  const seeds: Array<{ id: number; stage_id: number; status?: string; externalId?: string }> = [
    ...Array.from({ length: 260 }, (_, i) => ({ id: i + 1, stage_id: 4 })),
    { id: 1001, stage_id: 5 },
    { id: 1002, stage_id: 5, status: 'lost' },
    { id: 1003, stage_id: 5, externalId: ' CID-1003 ' },
    { id: 2001, stage_id: 9 },
    { id: 3001, stage_id: 3 },
  ];
  const deals = seeds.map((d) => ({
    id: d.id,
    title: `Deal ${d.id}`,
    value: 1,
    currency: 'EUR',
    owner_id: 2,
    person_id: d.id,
    org_id: d.id === 2001 ? null : d.id,
    stage_id: d.stage_id,
    status: d.status ?? 'open',
    custom_fields: { [EXTERNAL_ID_KEY]: d.externalId ?? null },
  }));
  const calls: Array<{ url: string; params: Record<string, string | number> }> = [];
  const pageOf = <T extends { id: number }>(
    items: T[],
    params: Record<string, string | number>,
    size = 100,
  ): Envelope<T[]> => {
    const after = params.cursor === undefined ? 0 : Number(params.cursor);
    const rest = items.filter((i) => i.id > after).sort((a, b) => a.id - b.id);
    const page = rest.slice(0, size);
    return {
      success: true,
      data: page,
      additional_data: { next_cursor: rest.length > size ? String(page[page.length - 1]!.id) : null },
    };
  };
  const idsOf = (params: Record<string, string | number>): number[] => String(params.ids).split(',').map(Number);
  const source: DealListingSource = {
    async get<T>(url: string, params: Record<string, string | number> = {}): Promise<Envelope<T>> {
      calls.push({ url, params });
      const answer = (() => {
        if (url === '/v1/users/me') return { success: true, data: { company_id: 7340001 } };
        if (url === '/api/v2/stages') return pageOf(STAGES, params, 4);
        if (url === '/api/v2/deals')
          return pageOf(
            deals.filter((d) => d.stage_id === Number(params.stage_id)),
            params,
          );
        if (url === '/api/v2/persons') {
          expect(idsOf(params).length).toBeLessThanOrEqual(100);
          return pageOf(
            idsOf(params).map((id) => ({
              id,
              name: `P${id}`,
              emails: [
                { value: ` p${id}@x.example `, primary: true },
                { value: '', primary: false },
              ],
            })),
            params,
          );
        }
        if (url === '/api/v2/organizations')
          return pageOf(
            idsOf(params).map((id) => ({ id, name: `Org ${id}` })),
            params,
          );
        throw new Error(`unexpected GET ${url}`);
      })();
      return answer as unknown as Envelope<T>;
    },
    dealFieldKeys: async () => catalog,
  };
  return { source, calls };
}

test('every deal from Contract Signed onward, in each pipeline that has the stage, with people and organizations batched', async () => {
  const { source, calls } = scriptedPipedrive();
  const listing = await listDealsFromStage(source, 'Contract Signed');

  expect(listing.companyId).toBe('7340001');
  expect(listing.stages).toEqual([
    { id: '4', name: 'Contract Signed', pipelineId: '1' },
    { id: '5', name: 'Onboarded', pipelineId: '1' },
    { id: '9', name: 'Contract Signed', pipelineId: '2' },
  ]);
  const ids = listing.deals.map((d) => Number(d.dealId));
  expect(ids).toHaveLength(260 + 2 + 1);
  expect(ids).not.toContain(1002); // lost
  expect(ids).not.toContain(3001); // Negotiation: before the signature
  expect(listing.deals.find((d) => d.dealId === '1003')).toEqual({
    dealId: '1003',
    title: 'Deal 1003',
    stageId: '5',
    stageName: 'Onboarded',
    externalIdField: 'CID-1003',
    organizationName: 'Org 1003',
    personEmails: [{ value: 'p1003@x.example', primary: true }],
  });
  expect(listing.deals.find((d) => d.dealId === '2001')).not.toHaveProperty('organizationName');
  expect(listing.deals.find((d) => d.dealId === '1')).not.toHaveProperty('externalIdField');

  // Stage 4's 260 deals took three cursor pages; persons went in batches of at most 100 ids.
  expect(calls.filter((c) => c.url === '/api/v2/deals' && c.params.stage_id === 4).map((c) => c.params.cursor)).toEqual(
    [undefined, '100', '200'],
  );
  expect(calls.filter((c) => c.url === '/api/v2/persons')).toHaveLength(3);
  expect(calls.filter((c) => c.url === '/api/v2/stages').length).toBe(2);
});

test('a stage name no pipeline has lists nothing', async () => {
  const { source } = scriptedPipedrive();
  expect((await listDealsFromStage(source, 'No such stage')).deals).toEqual([]);
});
