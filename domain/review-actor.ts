/**
 * Who made a decision, as recorded. A Slack decision's actor is the user id Slack signed; a CLI decision's is
 * `cli:<os user>`, and the CLI's `--as` name is only a claim kept beside it: free text nobody verified, so it is
 * never an actor, and never rendered as a Slack mention (integrations/slack/review-card-blocks.ts).
 */

export const CLI_ACTOR_PREFIX = 'cli:';
export const MAX_CLAIM_LENGTH = 64;

export function cliActor(osUser: string): string {
  return `${CLI_ACTOR_PREFIX}${osUser.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64) || 'unknown'}`;
}

/** The `--as` name as kept: trimmed, bounded, control characters dropped; undefined when empty. */
export function claimOf(as: string | undefined): string | undefined {
  const claim = [...(as ?? '')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, MAX_CLAIM_LENGTH);
  return claim === '' ? undefined : claim;
}

/** The audit trail's actor: `cli:alice (as claimed: Bob)` when a claim came with it. */
export function describeActor(d: { actor: string; claimedAs?: string }): string {
  const claim = claimOf(d.claimedAs);
  return claim ? `${d.actor} (as claimed: ${claim})` : d.actor;
}
