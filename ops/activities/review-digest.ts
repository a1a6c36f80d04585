/**
 * Review digests: when more than a few onboardings wait in review for the same reason (an outage past its allowance,
 * a mapping gap hitting every deal), one message in the review channel says so, with a "Retry all N" button for
 * reviewers, beside the per-deal cards. Run by ops-watch every tick: a digest is posted once per reason, edited in
 * place when its count changes, and marked handled when the count drops below the minimum. Free of the activity
 * context: the workflow passes the refs it keeps and gets the new ones back.
 */
import type { KnownBlock } from '@slack/types';
import type { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTES, WORKFLOW_TYPE } from '../../domain/temporal-names';
import { encodeRetryAllValue, RETRY_ALL_ACTION_ID, type SlackClient } from '../../integrations/slack';
import type { ReviewDigests } from '../model/review-digest';

const REVIEW_QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND OnboardingState = 'NEEDS_REVIEW'`;

export interface ReviewDigestDeps {
  client: Client;
  slack?: { client: Pick<SlackClient, 'postMessage' | 'updateMessage'>; channel: string };
  /** Rows read from visibility per tick (default 10,000). */
  scanLimit?: number;
}

/** Onboardings in review, counted by their ReviewReason. */
export async function countReviewsByReason(client: Client, scanLimit = 10_000): Promise<Record<string, number>> {
  const byReason: Record<string, number> = {};
  let seen = 0;
  for await (const wf of client.workflow.list({ query: REVIEW_QUERY, pageSize: 500 })) {
    const reason = wf.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ReviewReason);
    if (reason) byReason[reason] = (byReason[reason] ?? 0) + 1;
    if (++seen >= scanLimit) break;
  }
  return byReason;
}

export function digestMessage(reviewReason: string, count: number): { text: string; blocks: KnownBlock[] } {
  const text = `${count} onboardings are in review for ${reviewReason}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${count} onboardings are in review for \`${reviewReason}\`.* Each has its own card; "Retry all" sends retry to every one of them (each recorded under your name, as a single click).`,
        },
      },
      {
        type: 'actions',
        block_id: `review_digest_${reviewReason}`.slice(0, 255),
        elements: [
          {
            type: 'button',
            action_id: RETRY_ALL_ACTION_ID,
            style: 'primary',
            text: { type: 'plain_text', text: `Retry all ${count}` },
            value: encodeRetryAllValue(reviewReason),
            confirm: {
              title: { type: 'plain_text', text: 'Retry all?' },
              text: {
                type: 'mrkdwn',
                text: `Retry every onboarding in review for \`${reviewReason}\` (${count} now)?`,
              },
              confirm: { type: 'plain_text', text: 'Retry all' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          },
        ],
      },
    ],
  };
}

function handledMessage(reviewReason: string, left: number): { text: string; blocks: KnownBlock[] } {
  const text = `Reviews for ${reviewReason}: ${left === 0 ? 'all handled' : `${left} left, on their own cards`}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `~Reviews for \`${reviewReason}\`~ ${left === 0 ? 'all handled.' : `${left} left, on their own cards.`}`,
        },
      },
    ],
  };
}

export function createReviewDigestActivities(deps: ReviewDigestDeps) {
  return {
    publishReviewDigests: async (input: { min: number; digests: ReviewDigests }): Promise<ReviewDigests> => {
      const slack = deps.slack;
      if (!slack) return input.digests;
      const counts = await countReviewsByReason(deps.client, deps.scanLimit);
      const next: ReviewDigests = {};
      const at = new Date().toISOString();
      for (const [reason, count] of Object.entries(counts)) {
        if (count < input.min) continue;
        const prev = input.digests[reason];
        const m = digestMessage(reason, count);
        if (!prev) {
          const ref = await slack.client.postMessage({ channel: slack.channel, text: m.text, blocks: m.blocks });
          next[reason] = { channel: ref.channel, ts: ref.ts, count, at };
        } else {
          if (prev.count !== count)
            await slack.client.updateMessage({ channel: prev.channel, ts: prev.ts }, m.text, m.blocks);
          next[reason] = { ...prev, count, ...(prev.count !== count ? { at } : {}) };
        }
      }
      for (const [reason, prev] of Object.entries(input.digests)) {
        if (next[reason]) continue;
        const m = handledMessage(reason, counts[reason] ?? 0);
        await slack.client.updateMessage({ channel: prev.channel, ts: prev.ts }, m.text, m.blocks);
      }
      return next;
    },
  };
}
export type ReviewDigestActivities = ReturnType<typeof createReviewDigestActivities>;
