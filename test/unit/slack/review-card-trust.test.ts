/**
 * The review card as an attacker would use it: its `text` fallback (notifications, screen readers, clients without
 * blocks) is escaped like the blocks; a CLI `--as` claim is shown as escaped text beside the actor, never a mention;
 * buttons carry their review id, and a click from an earlier review's card or for a customer the review did not
 * offer is refused.
 */
import type { ReviewCardInput } from '../../../domain/review-card';
import { claimOf, cliActor, describeActor } from '../../../domain/review-actor';
import { decodeButtonValue, encodeButtonValue, renderReviewCard } from '../../../integrations/slack';
import { cardMismatch, NOT_A_CANDIDATE_TEXT, STALE_CARD_TEXT } from '../../../starters/slack/review-handlers';

const card: ReviewCardInput = {
  externalId: 'pd-1-x',
  pipedriveDealId: '1',
  dealTitle: '<!channel> urgent & <https://evil.example|click>',
  organization: '<@U0CFO>',
  kind: 'possible_duplicate',
  reasons: [{ field: 'netsuite.customer', code: 'possible_duplicate', message: 'same company' }],
  duplicateCandidates: [{ id: '55', matchedOn: ['companyName'] }],
  reviewId: 'abcd1234-2',
};

describe('review card fallback text', () => {
  it('is escaped like the blocks: no <!channel>, no mention, no link', () => {
    const { text } = renderReviewCard(card, {});
    expect(text).not.toMatch(/<[!@h]/);
    expect(text).toContain('&lt;!channel&gt; urgent &amp; &lt;https://evil.example|click&gt;');
    expect(text).toContain('&lt;@U0CFO&gt;');
  });

  it('after a decision too, and a CLI claim is never a mention', () => {
    const decided = renderReviewCard(
      card,
      {},
      { decision: { action: 'retry', actor: cliActor('alice'), claimedAs: '<@U0CFO>' }, at: '2026-12-05T06:00:00Z' },
    );
    // The header is plain_text, which Slack never parses for mentions; everything else is mrkdwn.
    const all = decided.text + JSON.stringify(decided.blocks.filter((b) => b.type !== 'header'));
    expect(all).not.toContain('<@U0CFO>');
    expect(all).not.toContain('<@cli');
    expect(JSON.stringify(decided.blocks)).toContain('by cli:alice at');
    expect(JSON.stringify(decided.blocks)).toContain('(as claimed: &lt;@U0CFO&gt;)');
  });
});

describe('CLI actors', () => {
  it('are cli:<os user>; --as is a bounded claim beside it', () => {
    expect(cliActor('alice')).toBe('cli:alice');
    expect(cliActor('U0CFO')).toBe('cli:U0CFO');
    expect(cliActor('we ird<user>')).toBe('cli:we_ird_user_');
    expect(claimOf('  U0CFO ')).toBe('U0CFO');
    expect(claimOf('')).toBeUndefined();
    expect(claimOf('x'.repeat(200))).toHaveLength(64);
    expect(describeActor({ actor: 'cli:alice', claimedAs: 'U0CFO' })).toBe('cli:alice (as claimed: U0CFO)');
    expect(describeActor({ actor: 'U0REVIEWER1' })).toBe('U0REVIEWER1');
  });
});

describe('buttons bound to their review', () => {
  it('carry the review id; a malformed one makes the value not ours', () => {
    const actions = renderReviewCard(card, {})
      .blocks.filter((b) => b.type === 'actions')
      .flatMap((b) => (b as { elements: Array<{ action_id: string; value: string }> }).elements);
    for (const button of actions) expect(decodeButtonValue(button.value)?.reviewId).toBe('abcd1234-2');
    expect(decodeButtonValue(actions.find((b) => b.action_id === 'review_link')!.value)).toEqual({
      externalId: 'pd-1-x',
      candidateId: '55',
      reviewId: 'abcd1234-2',
    });
    expect(decodeButtonValue(JSON.stringify({ externalId: 'pd-1-x', reviewId: '<@U1>' }))).toBeUndefined();
    expect(decodeButtonValue(encodeButtonValue({ externalId: 'pd-1-x' }))).toEqual({ externalId: 'pd-1-x' });
  });

  it('a click from an earlier review, or a link to a customer the review did not offer, is refused', () => {
    const state = { reviewId: 'abcd1234-3', duplicateCandidates: [{ id: '55' }] };
    expect(cardMismatch(state, { externalId: 'pd-1-x', reviewId: 'abcd1234-2' }, 'retry')).toEqual({
      why: 'card of an earlier review',
      text: STALE_CARD_TEXT,
    });
    expect(cardMismatch(state, { externalId: 'pd-1-x' }, 'cancel')).toEqual({
      why: 'card of an earlier review',
      text: STALE_CARD_TEXT,
    });
    expect(cardMismatch(state, { externalId: 'pd-1-x', reviewId: 'abcd1234-3', candidateId: '56' }, 'link')).toEqual({
      why: 'link to customer 56, not a candidate of this review',
      text: NOT_A_CANDIDATE_TEXT,
    });
    expect(
      cardMismatch(state, { externalId: 'pd-1-x', reviewId: 'abcd1234-3', candidateId: '55' }, 'link'),
    ).toBeUndefined();
    // A run from before review ids: its cards have none either.
    expect(cardMismatch({ duplicateCandidates: [{ id: '55' }] }, { externalId: 'pd-1-x' }, 'retry')).toBeUndefined();
  });
});
