/** The review card, the button values and the fix modal (pure Block Kit). */
import type { ReviewCardInput } from '../../../domain/review-card';
import {
  decodeButtonValue,
  encodeButtonValue,
  escapeMrkdwn,
  netsuiteUiBaseUrl,
  payloadPreview,
  renderReviewCard,
} from '../../../integrations/slack';
import { buildFixModal, submittedFields } from '../../../starters/slack/review-fix-modal';

const card: ReviewCardInput = {
  externalId: 'pd-1-x',
  pipedriveDealId: '1',
  dealTitle: 'Big <deal>',
  organization: 'O&Co',
  kind: 'validation',
  reasons: [
    {
      field: 'organization.taxId',
      code: 'tax_id.invalid',
      message: 'Bad checksum',
      value: 'DE123',
      suggestion: 'Use DE + 9 digits',
    },
    { field: 'organization.taxId', code: 'tax_id.format', message: 'Wrong format', value: 'DE123' },
    { field: 'person.email', code: 'email.invalid', message: 'Not an address', value: 'a@' },
    { field: 'netsuite.customer', code: 'netsuite.user_error', message: 'Rejected' },
  ],
};

describe('review card', () => {
  it('escapes customer data so it cannot inject links or mentions', () => {
    expect(escapeMrkdwn('<!channel> & <https://evil|x>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|x&gt;');
    const mrkdwn = JSON.stringify(renderReviewCard(card, {}).blocks.filter((b) => b.type !== 'header'));
    expect(mrkdwn).not.toContain('<deal>');
    expect(mrkdwn).toContain('Big &lt;deal&gt;');
  });

  it('has three buttons without duplicates, four with a candidate whose id rides in the link button value', () => {
    const ids = (c: ReviewCardInput) =>
      renderReviewCard(c, {})
        .blocks.filter((b) => b.type === 'actions')
        .flatMap((b) => (b as { elements: Array<{ action_id: string; value: string }> }).elements);
    expect(ids(card).map((b) => b.action_id)).toEqual(['review_retry', 'review_fix', 'review_cancel']);
    const dup = ids({ ...card, kind: 'possible_duplicate', duplicateCandidates: [{ id: '55', matchedOn: ['email'] }] });
    expect(dup.map((b) => b.action_id)).toEqual(['review_retry', 'review_fix', 'review_link', 'review_cancel']);
    expect(decodeButtonValue(dup[2]!.value)).toEqual({ externalId: 'pd-1-x', candidateId: '55' });
  });

  it('keeps the payload preview short and without secrets', () => {
    const preview = payloadPreview({ token: 'xoxb-1', nested: { password: 'p', ok: 'x'.repeat(2000) } });
    expect(preview).not.toContain('xoxb-1');
    expect(preview).toContain('[redacted]');
    expect(preview.length).toBeLessThanOrEqual(600);
  });

  it('decodes only our own button values', () => {
    expect(decodeButtonValue(encodeButtonValue({ externalId: 'a_b-1' }))).toEqual({ externalId: 'a_b-1' });
    expect(decodeButtonValue('{"externalId":"../etc"}')).toBeUndefined();
    expect(decodeButtonValue('nope')).toBeUndefined();
    expect(decodeButtonValue(undefined)).toBeUndefined();
  });

  it('derives the NetSuite UI host from the account id', () => {
    expect(netsuiteUiBaseUrl('1234567_SB1')).toBe('https://1234567-sb1.app.netsuite.com');
  });
});

describe('fix modal', () => {
  it('has one prefilled input per distinct editable field and carries the external id', () => {
    const modal = buildFixModal('pd-1-x', card.reasons);
    expect(modal.private_metadata).toBe('pd-1-x');
    const inputs = modal.blocks.filter((b) => b.type === 'input') as Array<{
      block_id: string;
      element: { initial_value?: string };
    }>;
    expect(inputs.map((b) => b.block_id)).toEqual(['organization.taxId', 'person.email']);
    expect(inputs[0]!.element.initial_value).toBe('DE123');
  });

  it('reads submitted values by field path, trimmed, ignoring blanks and foreign blocks', () => {
    expect(
      submittedFields({
        'organization.taxId': { value: { type: 'plain_text_input', value: ' DE129273398 ' } },
        'person.email': { value: { type: 'plain_text_input', value: '' } },
        evil: { value: { type: 'plain_text_input', value: 'x' } },
      }),
    ).toEqual({ 'organization.taxId': 'DE129273398' });
  });
});
