/** The review card of an edit after onboarding (kind `ownership`): its buttons say what each decision does. */
import { renderReviewCard } from '../../../integrations/slack';
import { REVIEW_ACTION_IDS, decodeButtonValue } from '../../../integrations/slack/review-action-ids';
import { ownershipReasons } from '../../../domain/deal-edit';
import type { ReviewCardInput } from '../../../domain/review-card';

const reasons = ownershipReasons([
  {
    field: 'taxRegistration',
    source: 'organization.taxId',
    owner: 'netsuite',
    pipedrive: '98-7654321 (US)',
    netsuite: '12-3456789 (US)',
  },
]);
const card: ReviewCardInput = {
  externalId: 'pd-1-edit-evt-9',
  pipedriveDealId: '42',
  dealTitle: 'Acme',
  organization: 'Acme Inc',
  kind: 'ownership',
  reasons,
  netsuiteCustomerId: '647',
};

describe('ownership review card', () => {
  const { text, blocks } = renderReviewCard(card, {});
  const json = JSON.stringify(blocks);
  const actions = blocks.find((b) => b.type === 'actions') as {
    elements: Array<{ action_id: string; text: { text: string }; value: string; confirm?: { text: { text: string } } }>;
  };

  it('names the conflict and both values per field', () => {
    expect(json).toContain('A Pipedrive change would overwrite a NetSuite-owned field');
    expect(json).toContain('organization.taxId');
    expect(json).toContain('Pipedrive says \\"98-7654321 (US)\\", NetSuite has \\"12-3456789 (US)\\"');
    expect(text).toContain('ownership.taxRegistration');
  });

  it("retry writes Pipedrive's values, cancel keeps NetSuite's, and every button signals the edit's workflow", () => {
    const byId = new Map(actions.elements.map((e) => [e.action_id, e]));
    expect(byId.get(REVIEW_ACTION_IDS.retry)?.text.text).toBe("Write Pipedrive's values");
    expect(byId.get(REVIEW_ACTION_IDS.cancel)?.text.text).toBe("Keep NetSuite's values");
    expect(byId.get(REVIEW_ACTION_IDS.cancel)?.confirm?.text.text).toContain('not written to NetSuite');
    for (const e of actions.elements) expect(decodeButtonValue(e.value)).toEqual({ externalId: 'pd-1-edit-evt-9' });
  });

  it("an onboarding's card keeps its own words", () => {
    const onboarding = renderReviewCard({ ...card, kind: 'validation' }, {});
    expect(JSON.stringify(onboarding.blocks)).toContain('Cancel onboarding');
  });
});
