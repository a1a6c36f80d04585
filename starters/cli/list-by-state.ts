/**
 * Onboardings in one state, oldest first, from Temporal's visibility store (the search attributes). Items waiting
 * for review also carry their named owner, read from each workflow's `state` query (the owner is not a search
 * attribute: it is set when the card is posted, and adding an attribute would change every run's commands).
 */
import type { Client } from '@temporalio/client';
import { ONBOARDING_STATES } from '../../domain/states';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { ReviewOwner } from '../../domain/transaction';
import { stateQuery } from '../../workflows/messages';

export interface QueueItem {
  externalId: string;
  pipedriveDealId?: string;
  state?: string;
  reviewReason?: string;
  /** Who the review card names as responsible; absent when no card was posted (yet) or nobody is configured. */
  owner?: ReviewOwner;
  startedAt: string;
  ageMinutes: number;
}

/** Owner queries in flight at once; each bounded so one stuck workflow cannot hold the listing up. */
const OWNER_QUERY_CONCURRENCY = 8;
const OWNER_QUERY_TIMEOUT_MS = 3_000;

export async function listByState(client: Client, state: string, limit = 500): Promise<QueueItem[]> {
  if (!(ONBOARDING_STATES as readonly string[]).includes(state))
    throw new Error(`unknown state ${state}; one of ${ONBOARDING_STATES.join(', ')}`);
  const items: QueueItem[] = [];
  for await (const wf of client.workflow.list({
    query: `OnboardingState = '${state}' AND ExecutionStatus = 'Running'`,
  })) {
    const sa = wf.typedSearchAttributes;
    items.push({
      externalId: wf.workflowId,
      pipedriveDealId: sa.get(SEARCH_ATTRIBUTES.PipedriveDealId),
      state: sa.get(SEARCH_ATTRIBUTES.OnboardingState),
      reviewReason: sa.get(SEARCH_ATTRIBUTES.ReviewReason),
      startedAt: wf.startTime.toISOString(),
      ageMinutes: Math.round((Date.now() - wf.startTime.getTime()) / 60_000),
    });
    if (items.length >= limit) break;
  }
  if (state === 'NEEDS_REVIEW') await addOwners(client, items);
  return items.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

async function addOwners(client: Client, items: QueueItem[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const owner = await ownerOf(client, item.externalId);
      if (owner) item.owner = owner;
    }
  };
  await Promise.all(Array.from({ length: Math.min(OWNER_QUERY_CONCURRENCY, items.length) }, worker));
}

async function ownerOf(client: Client, externalId: string): Promise<ReviewOwner | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), OWNER_QUERY_TIMEOUT_MS)),
    );
    const state = await Promise.race([client.workflow.getHandle(externalId).query(stateQuery), timeout]);
    return state?.reviewOwner;
  } catch {
    // Closed or not answering: the row is still listed, without an owner.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

const describeOwner = (o: ReviewOwner | undefined): string =>
  o ? `${o.kind === 'group' ? 'group ' : ''}${o.id} (${o.via})` : '-';

const describeAge = (minutes: number): string =>
  minutes >= 1440
    ? `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`
    : minutes >= 60
      ? `${Math.floor(minutes / 60)} h ${minutes % 60} min`
      : `${minutes} min`;

/** The queue as a plain-text table: external id, deal, age, reason, owner. */
export function formatQueue(items: QueueItem[]): string {
  if (items.length === 0) return 'No onboardings in this state.\n';
  const rows = [
    ['EXTERNAL ID', 'DEAL', 'AGE', 'REASON', 'OWNER'],
    ...items.map((i) => [
      i.externalId,
      i.pipedriveDealId ?? '-',
      describeAge(i.ageMinutes),
      i.reviewReason ?? '-',
      describeOwner(i.owner),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return `${rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n')}\n`;
}
