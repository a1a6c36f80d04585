/**
 * Pure and in-memory parts of issue #5's additions: who may decide (listed ids, user-group members, cached, failing
 * closed), who owns a review card, how a fix splits between Pipedrive and NetSuite, the write-back activity's
 * compare-first writes, and the CLI queue table.
 */
import { createPipedriveActivities } from '../../../activities/pipedrive-activities';
import { SlackReviewNotifier } from '../../../activities/slack-review-notifier';
import type { ReviewCardInput } from '../../../domain/review-card';
import { pipedriveOwnedFixes, pipedriveWriteBackPlan } from '../../../domain/review-fixes';
import { ReviewerDirectory, ownerLine, renderReviewCard } from '../../../integrations/slack';
import { formatQueue } from '../../../starters/cli/list-by-state';
import { FakePipedrive } from '../../helpers/fake-vendors';
import { makeDeal } from '../domain/fixtures';

describe('ReviewerDirectory', () => {
  const groups = (members: Record<string, string[]>, calls: string[] = []) => ({
    usergroupMembers: async (id: string) => {
      calls.push(id);
      const m = members[id];
      if (!m) throw new Error('no_such_subteam');
      return m;
    },
  });

  it('lets listed users and group members decide, nobody else', async () => {
    const dir = new ReviewerDirectory({ client: groups({ S1: ['U9'] }), reviewerIds: ['U1'], reviewerGroups: ['S1'] });
    expect(await dir.isReviewer('U1')).toBe(true);
    expect(await dir.isReviewer('U9')).toBe(true);
    expect(await dir.isReviewer('U2')).toBe(false);
  });

  it('caches group members for the TTL, then reads them again', async () => {
    let now = 0;
    const calls: string[] = [];
    const members: Record<string, string[]> = { S1: ['U9'] };
    const dir = new ReviewerDirectory({
      client: groups(members, calls),
      reviewerIds: [],
      reviewerGroups: ['S1'],
      cacheTtlMs: 1000,
      now: () => now,
    });
    expect(await dir.isReviewer('U9')).toBe(true);
    members.S1 = [];
    expect(await dir.isReviewer('U9')).toBe(true);
    expect(calls).toEqual(['S1']);
    now = 1001;
    expect(await dir.isReviewer('U9')).toBe(false);
    expect(calls).toEqual(['S1', 'S1']);
  });

  it('fails closed when a group cannot be read, and does not cache the failure', async () => {
    const errors: string[] = [];
    const members: Record<string, string[]> = {};
    const dir = new ReviewerDirectory({
      client: groups(members),
      reviewerIds: ['U1'],
      reviewerGroups: ['S1'],
      onGroupError: (g) => errors.push(g),
    });
    expect(await dir.isReviewer('U9')).toBe(false);
    expect(await dir.isReviewer('U1')).toBe(true);
    expect(errors).toEqual(['S1']);
    members.S1 = ['U9'];
    expect(await dir.isReviewer('U9')).toBe(true);
  });

  it('falls back to the first listed reviewer, else the first group, else nobody', () => {
    const none = groups({});
    expect(
      new ReviewerDirectory({ client: none, reviewerIds: ['U1', 'U2'], reviewerGroups: ['S1'] }).defaultOwner(),
    ).toEqual({ kind: 'user', id: 'U1', via: 'first-reviewer' });
    expect(new ReviewerDirectory({ client: none, reviewerIds: [], reviewerGroups: ['S1'] }).defaultOwner()).toEqual({
      kind: 'group',
      id: 'S1',
      via: 'reviewer-group',
    });
    expect(new ReviewerDirectory({ client: none, reviewerIds: [] }).defaultOwner()).toBeUndefined();
  });
});

describe('review card owner', () => {
  const card = (ownerId?: string): ReviewCardInput => ({
    externalId: 'ext-1',
    pipedriveDealId: '7',
    kind: 'validation',
    reasons: [{ field: 'organization.taxId', code: 'tax_id.missing', message: 'missing' }],
    payload: makeDeal({ deal: { ownerId } }),
  });
  const notifier = (opts: {
    lookup?: Record<string, string>;
    reviewerIds?: string[];
    groups?: Record<string, string[]>;
    emails?: Record<string, string>;
    failLookup?: boolean;
  }) => {
    const posted: Array<{ blocks?: unknown }> = [];
    const client = {
      postMessage: async (m: { blocks?: unknown }) => {
        posted.push(m);
        return { channel: 'C0REVIEW', ts: '1.000100' };
      },
      updateMessage: async () => undefined,
      lookupUserByEmail: async (email: string) => {
        if (opts.failLookup) throw new Error('slack down');
        return opts.lookup?.[email];
      },
    };
    const reviewers = new ReviewerDirectory({
      client: { usergroupMembers: async (id: string) => opts.groups?.[id] ?? [] },
      reviewerIds: opts.reviewerIds ?? ['U1'],
      reviewerGroups: Object.keys(opts.groups ?? {}),
    });
    return {
      posted,
      n: new SlackReviewNotifier({
        client,
        reviewChannel: 'C0REVIEW',
        reviewers,
        dealOwnerEmail: async (id) => opts.emails?.[id],
      }),
    };
  };

  it('names the deal owner when their Slack account is a reviewer (listed or in a group)', async () => {
    const { n, posted } = notifier({
      emails: { '4': 'bea@x.example' },
      lookup: { 'bea@x.example': 'U7' },
      groups: { S1: ['U7'] },
    });
    const ref = await n.postReviewCard(card('4'));
    expect(ref).toEqual({ channel: 'C0REVIEW', ts: '1.000100', owner: { kind: 'user', id: 'U7', via: 'deal-owner' } });
    expect(JSON.stringify(posted[0]!.blocks)).toContain('<@U7> (deal owner)');
  });

  it('falls back to the first reviewer when the deal owner is no reviewer, has no Slack account, or the lookup fails', async () => {
    const fallback = { kind: 'user', id: 'U1', via: 'first-reviewer' };
    expect(
      (
        await notifier({ emails: { '4': 'sam@x.example' }, lookup: { 'sam@x.example': 'U8' } }).n.postReviewCard(
          card('4'),
        )
      ).owner,
    ).toEqual(fallback);
    expect((await notifier({ emails: { '4': 'sam@x.example' } }).n.postReviewCard(card('4'))).owner).toEqual(fallback);
    expect(
      (await notifier({ emails: { '4': 'bea@x.example' }, failLookup: true }).n.postReviewCard(card('4'))).owner,
    ).toEqual(fallback);
    expect((await notifier({}).n.postReviewCard(card(undefined))).owner).toEqual(fallback);
  });

  it('mentions a group as <!subteam^…>, and keeps the owner on the decided card', () => {
    expect(ownerLine({ kind: 'group', id: 'S1', via: 'reviewer-group' })).toContain('<!subteam^S1>');
    const decided = renderReviewCard(
      card(),
      {},
      { decision: { action: 'retry', actor: 'U1' }, at: '2026-11-27T10:00:00Z' },
      { kind: 'user', id: 'U1', via: 'first-reviewer' },
    );
    expect(JSON.stringify(decided.blocks)).toContain('<@U1> (first reviewer on duty)');
  });
});

describe('fix write-back plan (pure)', () => {
  it('sends Pipedrive-owned fixes to Pipedrive and keeps NetSuite-owned ones away from it', () => {
    const plan = pipedriveWriteBackPlan({
      'organization.taxId': 'DE123456789',
      'organization.address.postalCode': '10115',
      'organization.paymentTerms': 'Net 30',
      'deal.firstInvoiceDate': '2026-12-01',
      'deal.title': 'New title',
      'person.email': 'a@b.example',
      'organization.name': 'Acme GmbH',
      'deal.csmUserId': '3',
      'person.phones': '+49 30 1234',
    });
    expect(plan.writes.map((w) => w.path).sort()).toEqual([
      'deal.csmUserId',
      'deal.title',
      'organization.name',
      'person.email',
    ]);
    expect(plan.notPipedriveOwned.sort()).toEqual([
      'deal.firstInvoiceDate',
      'organization.address.postalCode',
      'organization.paymentTerms',
      'organization.taxId',
    ]);
    expect(plan.unmapped).toEqual(['person.phones']);
    expect(pipedriveOwnedFixes({ 'organization.taxId': 'DE1' })).toEqual({});
  });
});

describe('writeBackFixes activity (in-memory Pipedrive)', () => {
  it('writes only what differs, to the right record, and never the tax id', async () => {
    const deal = makeDeal();
    const pipedrive = new FakePipedrive(deal);
    const { writeBackFixes } = createPipedriveActivities(pipedrive);
    const result = await writeBackFixes(deal.deal.id, {
      'organization.taxId': 'DE123456789',
      'deal.title': deal.deal.title,
      'person.email': 'new@acme.example',
      'organization.name': 'Acme Renamed',
    });
    expect(result.written.sort()).toEqual(['organization.name', 'person.email']);
    expect(result.unchanged).toEqual(['deal.title']);
    expect(result.skipped).toEqual(['organization.taxId']);
    expect(pipedrive.updates).toEqual([
      {
        entity: 'persons',
        id: deal.person!.id,
        body: {
          emails: [
            { value: 'new@acme.example', primary: true, label: 'work' },
            ...deal.person!.emails.map((e) => ({ value: e.value, primary: false, label: e.label ?? 'work' })),
          ],
        },
      },
      { entity: 'organizations', id: deal.organization!.id, body: { name: 'Acme Renamed' } },
    ]);
    expect(JSON.stringify(pipedrive.updates)).not.toContain('DE123456789');
  });
});

describe('CLI queue table', () => {
  it('shows age, reason and owner per item', () => {
    const text = formatQueue([
      {
        externalId: 'ext-1',
        pipedriveDealId: '7',
        reviewReason: 'tax_id.missing',
        startedAt: '2026-11-27T10:00:00Z',
        ageMinutes: 125,
        owner: { kind: 'user', id: 'U1', via: 'deal-owner' },
      },
      { externalId: 'ext-22', startedAt: '2026-11-27T11:00:00Z', ageMinutes: 3 },
    ]);
    const [header, first, second] = text.trimEnd().split('\n');
    expect(header).toMatch(/^EXTERNAL ID\s+DEAL\s+AGE\s+REASON\s+OWNER$/);
    expect(first).toMatch(/^ext-1\s+7\s+2 h 5 min\s+tax_id\.missing\s+U1 \(deal-owner\)$/);
    expect(second).toMatch(/^ext-22\s+-\s+3 min\s+-\s+-$/);
    expect(formatQueue([])).toBe('No onboardings in this state.\n');
  });
});
