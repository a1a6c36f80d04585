import { dealClaimRefusal } from '../../../domain/deal-claim';

const facts = { contractSignedStageIds: ['5', '12'], companyId: '777' };

describe('dealClaimRefusal: the fetched deal against what the delivery claimed', () => {
  it("a signed, open or won deal of the token's company passes", () => {
    expect(dealClaimRefusal({ id: '1', stageId: '5', status: 'open' }, facts, '777')).toBeUndefined();
    expect(dealClaimRefusal({ id: '1', stageId: '12', status: 'won' }, facts, '777')).toBeUndefined();
    expect(dealClaimRefusal({ id: '1', stageId: '5', status: 'open' }, facts)).toBeUndefined();
  });
  it.each([
    [{ id: '1', stageId: '3', status: 'open' }, '777', /not in Contract Signed/],
    [{ id: '1', stageId: '5', status: 'lost' }, '777', /is lost, not open or won/],
    [{ id: '1', stageId: '5', status: 'deleted' }, '777', /is deleted/],
    [{ id: '1', stageId: '5', status: 'open' }, '999', /company 999.*company 777/],
  ])('%j claimed by company %s is refused', (deal, company, why) => {
    expect(dealClaimRefusal(deal, facts, company)).toMatch(why);
  });
});
