/**
 * ReviewNotifierPort over Slack: the review card in the review channel, updated in place once someone decides, and
 * escalations as a reminder in the card's thread plus a message to the escalation channel. Slack failures leave as
 * VendorError (integrations/slack), so the activity wrapper classifies them like every other vendor's.
 *
 * Every card names an owner: the Pipedrive deal owner's Slack account (found by e-mail) when that person is an
 * authorised reviewer, else the first configured reviewer, else the first reviewer group. Finding the owner never
 * fails the card: a lookup error falls back to the configured reviewers.
 */
import type { ResolvedDeal } from '../domain/canonical-deal';
import type { ReviewDecision, ReviewOwner } from '../domain/transaction';
import {
  ReviewerDirectory,
  SlackClient,
  escapeMrkdwn,
  ownerMention,
  renderReviewCard,
  slackDate,
  type ReviewCardLinks,
} from '../integrations/slack';
import type { SlackConfig } from '../runtime/config';
import type { ReviewCardInput, ReviewCardRef, ReviewNotifierPort } from '../domain/review-card';

export interface SlackReviewNotifierOptions extends ReviewCardLinks {
  client: Pick<SlackClient, 'postMessage' | 'updateMessage'> & Partial<Pick<SlackClient, 'lookupUserByEmail'>>;
  /** Who may decide; without it cards name no owner. */
  reviewers?: ReviewerDirectory;
  /** The e-mail of a Pipedrive user (the deal owner), to find their Slack account. */
  dealOwnerEmail?: (pipedriveUserId: string) => Promise<string | undefined>;
  onOwnerLookupError?: (err: unknown) => void;
  reviewChannel: string;
  /** Where escalations go; the review channel when unset. */
  escalationChannel?: string | undefined;
  /** For "waited N hours"; injectable for tests. */
  now?: () => number;
}

/** "3 h 20 min", "2 d 4 h", "45 min". */
export function describeWait(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

export class SlackReviewNotifier implements ReviewNotifierPort {
  private readonly now: () => number;

  constructor(private readonly opts: SlackReviewNotifierOptions) {
    this.now = opts.now ?? Date.now;
  }

  static fromConfig(
    slack: SlackConfig,
    links: ReviewCardLinks = {},
    deps: Pick<SlackReviewNotifierOptions, 'dealOwnerEmail' | 'onOwnerLookupError'> = {},
  ): SlackReviewNotifier {
    const client = new SlackClient({ apiUrl: slack.apiUrl, botToken: slack.botToken });
    return new SlackReviewNotifier({
      client,
      reviewChannel: slack.reviewChannel,
      escalationChannel: slack.escalationChannel,
      reviewers: new ReviewerDirectory({
        client,
        reviewerIds: slack.reviewerIds,
        reviewerGroups: slack.reviewerGroups ?? [],
      }),
      ...deps,
      ...links,
    });
  }

  async postReviewCard(card: ReviewCardInput): Promise<ReviewCardRef> {
    const owner = await this.ownerFor(card);
    const { text, blocks } = renderReviewCard(card, this.opts, undefined, owner);
    const ref = await this.opts.client.postMessage({ channel: this.opts.reviewChannel, text, blocks });
    return owner ? { ...ref, owner } : ref;
  }

  async updateReviewCard(ref: ReviewCardRef, card: ReviewCardInput): Promise<ReviewCardRef> {
    const owner = ref.owner ?? (await this.ownerFor(card));
    const { text, blocks } = renderReviewCard(card, this.opts, undefined, owner);
    await this.opts.client.updateMessage({ channel: ref.channel, ts: ref.ts }, text, blocks);
    return owner ? { ...ref, owner } : ref;
  }

  async recordDecision(ref: ReviewCardRef, card: ReviewCardInput, decision: ReviewDecision, at: string): Promise<void> {
    const { text, blocks } = renderReviewCard(card, this.opts, { decision, at }, ref.owner);
    await this.opts.client.updateMessage({ channel: ref.channel, ts: ref.ts }, text, blocks);
  }

  /** The deal owner when they can decide, else the configured fallback; undefined when no reviewer is configured. */
  async ownerFor(card: ReviewCardInput): Promise<ReviewOwner | undefined> {
    const reviewers = this.opts.reviewers;
    if (!reviewers || reviewers.isEmpty) return undefined;
    const ownerId = dealOwnerIdOf(card.payload);
    if (ownerId && this.opts.dealOwnerEmail && this.opts.client.lookupUserByEmail) {
      try {
        const email = await this.opts.dealOwnerEmail(ownerId);
        const slackUser = email ? await this.opts.client.lookupUserByEmail(email) : undefined;
        if (slackUser && (await reviewers.isReviewer(slackUser)))
          return { kind: 'user', id: slackUser, via: 'deal-owner' };
      } catch (err) {
        this.opts.onOwnerLookupError?.(err);
      }
    }
    return reviewers.defaultOwner();
  }

  async escalate(ref: ReviewCardRef, card: ReviewCardInput, escalation: number, waitingSince: string): Promise<void> {
    const since = Date.parse(waitingSince);
    const waited = describeWait(Number.isNaN(since) ? 0 : this.now() - since);
    const what =
      escapeMrkdwn(card.dealTitle ?? card.externalId) +
      (card.organization ? ` (${escapeMrkdwn(card.organization)})` : '');
    const owner = ref.owner ? `${ownerMention(ref.owner)} ` : '';
    const reminder = `:alarm_clock: ${owner}Still waiting for a reviewer: ${waited} since ${slackDate(waitingSince)} (escalation ${escalation}).`;
    await this.opts.client.postMessage({ channel: ref.channel, threadTs: ref.ts, text: reminder });
    const channel = this.opts.escalationChannel ?? this.opts.reviewChannel;
    const reasons = card.reasons.map((r) => `\`${escapeMrkdwn(r.field)}\``).join(', ');
    await this.opts.client.postMessage({
      channel,
      text:
        `:rotating_light: Onboarding of *${what}* has waited ${waited} for review (escalation ${escalation}). ` +
        `External id \`${escapeMrkdwn(card.externalId)}\`${reasons ? `; fields ${reasons}` : ''}. The card is in <#${ref.channel}>.` +
        (ref.owner ? ` Owner: ${ownerMention(ref.owner)}.` : ''),
    });
  }
}

/** The Pipedrive user id of the deal's owner, from the canonical deal the card carries as its payload. */
function dealOwnerIdOf(payload: unknown): string | undefined {
  const deal = (payload as Partial<ResolvedDeal> | undefined)?.deal;
  return typeof deal?.ownerId === 'string' && deal.ownerId !== '' ? deal.ownerId : undefined;
}
