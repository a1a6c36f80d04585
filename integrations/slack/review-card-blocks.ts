/**
 * The review card as Block Kit (pure): the reviewer's whole context on one message. Header (deal and organization),
 * why it stopped, one line per field with the suggested fix, links to both records, the deal's payload collapsed
 * into a short context line, and the decision buttons. After a decision the same card is rendered without buttons
 * and with who decided what, and when.
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { ReviewCardInput } from '../../domain/review-card';
import type { ReviewDecision, ReviewKind, ReviewOwner } from '../../domain/transaction';
import { REVIEW_ACTION_IDS, encodeButtonValue } from './review-action-ids';

export interface ReviewCardLinks {
  /** e.g. `https://acme.pipedrive.com`; the deal is `<base>/deal/<id>`. */
  pipedriveBaseUrl?: string;
  /** e.g. `https://1234567.app.netsuite.com`; the customer is `<base>/app/common/entity/custjob.nl?id=<id>`. */
  netsuiteBaseUrl?: string;
}

export interface RenderedCard {
  text: string;
  blocks: KnownBlock[];
}

const KIND_LABEL: Record<ReviewKind, string> = {
  validation: 'The deal does not pass validation',
  possible_duplicate: 'A NetSuite customer may already exist for this company',
  auth: 'A vendor rejected our credentials (systemic: on-call alerted)',
  transient: 'A vendor kept failing after every retry',
  sla: 'NetSuite did not finish in time',
  ownership: 'A Pipedrive change would overwrite a NetSuite-owned field',
};

const MAX_REASONS = 15;
const PAYLOAD_PREVIEW_CHARS = 600;
const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|authorization|signature/i;

export function pipedriveDealUrl(base: string, dealId: string): string {
  return `${base.replace(/\/+$/, '')}/deal/${encodeURIComponent(dealId)}`;
}

export function netsuiteCustomerUrl(base: string, customerId: string): string {
  return `${base.replace(/\/+$/, '')}/app/common/entity/custjob.nl?id=${encodeURIComponent(customerId)}`;
}

/** NetSuite's UI host for an account id: `1234567_SB1` ⇒ `https://1234567-sb1.app.netsuite.com`. */
export function netsuiteUiBaseUrl(accountId: string): string {
  return `https://${accountId.toLowerCase().replace(/_/g, '-')}.app.netsuite.com`;
}

/** Slack mrkdwn control characters, so customer data cannot inject links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The payload as short JSON with secret-looking keys masked. */
export function payloadPreview(payload: unknown, max = PAYLOAD_PREVIEW_CHARS): string {
  let json: string;
  try {
    json = JSON.stringify(payload, (key, value: unknown) => (key && SECRET_KEY.test(key) ? '[redacted]' : value)) ?? '';
  } catch {
    json = '[unserialisable payload]';
  }
  return clip(json, max);
}

function title(card: ReviewCardInput): string {
  const deal = card.dealTitle?.trim() || `Deal ${card.pipedriveDealId}`;
  const org = card.organization?.trim();
  return clip(`Review: ${deal}${org ? ` — ${org}` : ''}`, 150);
}

function reasonSection(r: ReviewCardInput['reasons'][number]): SectionBlock {
  const lines = [`*\`${escapeMrkdwn(r.field)}\`* — ${escapeMrkdwn(r.message)}`];
  if (r.value !== undefined && r.value !== '') lines.push(`Value: \`${escapeMrkdwn(clip(r.value, 200))}\``);
  if (r.suggestion) lines.push(`:bulb: Suggested fix: ${escapeMrkdwn(r.suggestion)}`);
  lines.push(`_code ${escapeMrkdwn(r.code)}_`);
  return { type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 3000) } };
}

function linkLine(card: ReviewCardInput, links: ReviewCardLinks): string {
  const parts: string[] = [];
  parts.push(
    links.pipedriveBaseUrl
      ? `<${pipedriveDealUrl(links.pipedriveBaseUrl, card.pipedriveDealId)}|Pipedrive deal ${escapeMrkdwn(card.pipedriveDealId)}>`
      : `Pipedrive deal ${escapeMrkdwn(card.pipedriveDealId)}`,
  );
  if (card.netsuiteCustomerId) {
    parts.push(
      links.netsuiteBaseUrl
        ? `<${netsuiteCustomerUrl(links.netsuiteBaseUrl, card.netsuiteCustomerId)}|NetSuite customer ${escapeMrkdwn(card.netsuiteCustomerId)}>`
        : `NetSuite customer ${escapeMrkdwn(card.netsuiteCustomerId)}`,
    );
  }
  parts.push(`external id \`${escapeMrkdwn(card.externalId)}\``);
  return parts.join('  ·  ');
}

function buttons(card: ReviewCardInput): ActionsBlock {
  const value = encodeButtonValue({ externalId: card.externalId, reviewId: card.reviewId });
  // An edit after onboarding (kind ownership): retry writes Pipedrive's values, cancel keeps NetSuite's.
  const ownership = card.kind === 'ownership';
  const elements: Button[] = [
    {
      type: 'button',
      action_id: REVIEW_ACTION_IDS.retry,
      style: 'primary',
      text: { type: 'plain_text', text: ownership ? "Write Pipedrive's values" : 'Mark reviewed – Retry' },
      value,
    },
    { type: 'button', action_id: REVIEW_ACTION_IDS.fix, text: { type: 'plain_text', text: 'Fix fields…' }, value },
  ];
  // One "link" button per candidate would repeat the action id (Slack requires unique ids per block): offer the
  // first, and name the others in the card text; a reviewer can still fix or retry.
  const candidate = card.duplicateCandidates?.[0];
  if (candidate) {
    elements.push({
      type: 'button',
      action_id: REVIEW_ACTION_IDS.link,
      text: { type: 'plain_text', text: clip(`Link to existing customer ${candidate.id}`, 75) },
      value: encodeButtonValue({ externalId: card.externalId, candidateId: candidate.id, reviewId: card.reviewId }),
    });
  }
  elements.push({
    type: 'button',
    action_id: REVIEW_ACTION_IDS.cancel,
    style: 'danger',
    text: { type: 'plain_text', text: ownership ? "Keep NetSuite's values" : 'Cancel onboarding' },
    value,
    confirm: {
      title: { type: 'plain_text', text: ownership ? "Keep NetSuite's values?" : 'Cancel this onboarding?' },
      text: {
        type: 'mrkdwn',
        text: ownership
          ? `The Pipedrive edit of *${escapeMrkdwn(clip(card.dealTitle ?? card.externalId, 200))}* is not written to NetSuite.`
          : `No NetSuite customer or invoice will be created for *${escapeMrkdwn(clip(card.dealTitle ?? card.externalId, 200))}*.`,
      },
      confirm: { type: 'plain_text', text: ownership ? "Keep NetSuite's values" : 'Cancel onboarding' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  });
  return { type: 'actions', block_id: 'review_actions', elements };
}

/** Slack renders `<!date^…>` in the reader's time zone; the fallback is the UTC ISO time. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

const ACTION_WORDS: Record<ReviewDecision['action'], string> = {
  retry: 'Retry',
  fix: 'Fix',
  link: 'Link to existing customer',
  cancel: 'Cancel',
};

/** "<action> by <@user> at <time>", plus what the decision carried. */
export function decisionLine(decision: ReviewDecision, at: string): string {
  const who = /^[UW][A-Z0-9]+$/.test(decision.actor) ? `<@${decision.actor}>` : escapeMrkdwn(decision.actor);
  let line = `:white_check_mark: *${ACTION_WORDS[decision.action]}* by ${who} at ${slackDate(at)}`;
  // A CLI `--as` name is unverified: shown as escaped text beside the real actor, never as a mention.
  if (decision.claimedAs) line += ` (as claimed: ${escapeMrkdwn(clip(decision.claimedAs, 64))})`;
  if (decision.action === 'fix' && decision.fields)
    line += ` — fields ${Object.keys(decision.fields)
      .map((f) => `\`${escapeMrkdwn(f)}\``)
      .join(', ')}`;
  if (decision.action === 'link' && decision.netsuiteCustomerId)
    line += ` — NetSuite customer ${escapeMrkdwn(decision.netsuiteCustomerId)}`;
  if (decision.reason) line += ` — ${escapeMrkdwn(clip(decision.reason, 300))}`;
  return line;
}

const OWNER_VIA: Record<ReviewOwner['via'], string> = {
  'deal-owner': 'deal owner',
  'first-reviewer': 'first reviewer on duty',
  'reviewer-group': 'reviewer group',
};

/** "Owner: <@U…> (deal owner)"; a group is mentioned as `<!subteam^S…>`. */
export function ownerLine(owner: ReviewOwner): string {
  const who = owner.kind === 'group' ? `<!subteam^${owner.id}>` : `<@${owner.id}>`;
  return `:bust_in_silhouette: *Owner:* ${who} (${OWNER_VIA[owner.via]})`;
}

export function renderReviewCard(
  card: ReviewCardInput,
  links: ReviewCardLinks,
  decided?: { decision: ReviewDecision; at: string },
  owner?: ReviewOwner,
): RenderedCard {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title(card) } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${KIND_LABEL[card.kind]}*` } },
  ];
  if (owner)
    blocks.push({ type: 'context', block_id: 'review_owner', elements: [{ type: 'mrkdwn', text: ownerLine(owner) }] });
  for (const r of card.reasons.slice(0, MAX_REASONS)) blocks.push(reasonSection(r));
  if (card.reasons.length > MAX_REASONS) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `…and ${card.reasons.length - MAX_REASONS} more reasons (see the workflow's state).` },
      ],
    });
  }
  if (card.duplicateCandidates?.length) {
    const list = card.duplicateCandidates
      .slice(0, 10)
      .map(
        (c) =>
          `• NetSuite customer ${escapeMrkdwn(c.id)}${c.externalId ? ` (external id ${escapeMrkdwn(c.externalId)})` : ''}, same ${escapeMrkdwn(c.matchedOn.join(' and '))}`,
      )
      .join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Possible duplicates*\n${list}` } });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: linkLine(card, links) } });
  if (card.payload !== undefined) {
    const payload: ContextBlock = {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(`Payload: \`${escapeMrkdwn(payloadPreview(card.payload)).replace(/`/g, "'")}\``, 2000),
        },
      ],
    };
    blocks.push(payload);
  }
  if (decided) {
    blocks.push(
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: decisionLine(decided.decision, decided.at) }] },
    );
  } else {
    blocks.push(buttons(card));
  }
  const fallback = `${title(card)}: ${card.reasons.map((r) => `${r.field} ${r.code}`).join(', ') || KIND_LABEL[card.kind]}`;
  // The fallback is mrkdwn too (notifications, screen readers): escaped like the blocks, so a deal title or actor
  // cannot become a <!channel> ping or a link.
  return {
    text: escapeMrkdwn(decided ? `${fallback} — ${decided.decision.action} by ${decided.decision.actor}` : fallback),
    blocks,
  };
}
