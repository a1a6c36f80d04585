/**
 * Who may decide a review: the configured user ids, plus the members of the configured user groups
 * (`usergroups.users.list`). Group membership is cached briefly (default 60 s) so a click costs no extra Slack call
 * in the common case, while a person added to or removed from the group is honoured within a minute. When a group
 * cannot be read (Slack down, missing scope), its members are treated as unknown: the listed user ids still decide,
 * and nobody is let in on a failure.
 */
import type { ReviewOwner } from '../../domain/transaction';
import type { SlackClient } from './slack-client';

export interface ReviewerDirectoryOptions {
  client: Pick<SlackClient, 'usergroupMembers'>;
  reviewerIds: readonly string[];
  reviewerGroups?: readonly string[];
  /** How long a group's member list is reused; default 60 s. */
  cacheTtlMs?: number;
  now?: () => number;
  onGroupError?: (groupId: string, err: unknown) => void;
}

/** How the card names the person (or group) responsible for a review item. */
export type ReviewOwnerRef = ReviewOwner;

export class ReviewerDirectory {
  private readonly ids: ReadonlySet<string>;
  private readonly groups: readonly string[];
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { members: Promise<ReadonlySet<string>>; expiresAt: number }>();

  constructor(private readonly opts: ReviewerDirectoryOptions) {
    this.ids = new Set(opts.reviewerIds);
    this.groups = [...(opts.reviewerGroups ?? [])];
    this.ttlMs = opts.cacheTtlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Nobody configured at all: every review must be decided from the CLI or Temporal. */
  get isEmpty(): boolean {
    return this.ids.size === 0 && this.groups.length === 0;
  }

  async isReviewer(userId: string): Promise<boolean> {
    if (this.ids.has(userId)) return true;
    for (const group of this.groups) {
      if ((await this.members(group)).has(userId)) return true;
    }
    return false;
  }

  /** The fallback owner when the deal owner is not a reviewer: the first listed reviewer, else the first group. */
  defaultOwner(): ReviewOwnerRef | undefined {
    const first = this.opts.reviewerIds[0];
    if (first) return { kind: 'user', id: first, via: 'first-reviewer' };
    const group = this.groups[0];
    return group ? { kind: 'group', id: group, via: 'reviewer-group' } : undefined;
  }

  private members(group: string): Promise<ReadonlySet<string>> {
    const t = this.now();
    const hit = this.cache.get(group);
    if (hit && hit.expiresAt > t) return hit.members;
    const members = this.opts.client.usergroupMembers(group).then(
      (ids) => new Set(ids) as ReadonlySet<string>,
      (err: unknown) => {
        this.cache.delete(group);
        this.opts.onGroupError?.(group, err);
        return new Set<string>() as ReadonlySet<string>;
      },
    );
    this.cache.set(group, { members, expiresAt: t + this.ttlMs });
    return members;
  }
}

/** Slack mrkdwn for an owner: a user mention or a user group mention. */
export function ownerMention(owner: ReviewOwnerRef): string {
  return owner.kind === 'group' ? `<!subteam^${owner.id}>` : `<@${owner.id}>`;
}
