/**
 * ReviewNotifierPort over Slack: the review card in the review channel, updated in place once someone decides, and
 * escalations as a reminder in the card's thread plus a message to the escalation channel. Slack failures leave as
 * VendorError (integrations/slack), so the activity wrapper classifies them like every other vendor's.
 */
import type { ReviewDecision } from '../domain/transaction';
import { SlackClient, escapeMrkdwn, renderReviewCard, slackDate, type ReviewCardLinks } from '../integrations/slack';
import type { SlackConfig } from '../runtime/config';
import type { ReviewCardInput, ReviewCardRef, ReviewNotifierPort } from './review-notifier-port';

export interface SlackReviewNotifierOptions extends ReviewCardLinks {
  client: Pick<SlackClient, 'postMessage' | 'updateMessage'>;
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

  static fromConfig(slack: SlackConfig, links: ReviewCardLinks = {}): SlackReviewNotifier {
    return new SlackReviewNotifier({
      client: new SlackClient({ apiUrl: slack.apiUrl, botToken: slack.botToken }),
      reviewChannel: slack.reviewChannel,
      escalationChannel: slack.escalationChannel,
      ...links,
    });
  }

  async postReviewCard(card: ReviewCardInput): Promise<ReviewCardRef> {
    const { text, blocks } = renderReviewCard(card, this.opts);
    return this.opts.client.postMessage({ channel: this.opts.reviewChannel, text, blocks });
  }

  async recordDecision(ref: ReviewCardRef, card: ReviewCardInput, decision: ReviewDecision, at: string): Promise<void> {
    const { text, blocks } = renderReviewCard(card, this.opts, { decision, at });
    await this.opts.client.updateMessage(ref, text, blocks);
  }

  async escalate(ref: ReviewCardRef, card: ReviewCardInput, escalation: number, waitingSince: string): Promise<void> {
    const since = Date.parse(waitingSince);
    const waited = describeWait(Number.isNaN(since) ? 0 : this.now() - since);
    const what = escapeMrkdwn(card.dealTitle ?? card.externalId) + (card.organization ? ` (${escapeMrkdwn(card.organization)})` : '');
    const reminder = `:alarm_clock: Still waiting for a reviewer: ${waited} since ${slackDate(waitingSince)} (escalation ${escalation}).`;
    await this.opts.client.postMessage({ channel: ref.channel, threadTs: ref.ts, text: reminder });
    const channel = this.opts.escalationChannel ?? this.opts.reviewChannel;
    const reasons = card.reasons.map((r) => `\`${escapeMrkdwn(r.field)}\``).join(', ');
    await this.opts.client.postMessage({
      channel,
      text:
        `:rotating_light: Onboarding of *${what}* has waited ${waited} for review (escalation ${escalation}). ` +
        `External id \`${escapeMrkdwn(card.externalId)}\`${reasons ? `; fields ${reasons}` : ''}. The card is in <#${ref.channel}>.`,
    });
  }
}
