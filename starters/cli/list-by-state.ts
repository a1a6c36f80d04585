/** Onboardings in one state, oldest first, from Temporal's visibility store (the search attributes). */
import type { Client } from '@temporalio/client';
import { ONBOARDING_STATES } from '../../domain/states';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';

export interface QueueItem {
  externalId: string;
  pipedriveDealId?: string;
  state?: string;
  reviewReason?: string;
  startedAt: string;
  ageMinutes: number;
}

export async function listByState(client: Client, state: string, limit = 500): Promise<QueueItem[]> {
  if (!(ONBOARDING_STATES as readonly string[]).includes(state)) throw new Error(`unknown state ${state}; one of ${ONBOARDING_STATES.join(', ')}`);
  const items: QueueItem[] = [];
  for await (const wf of client.workflow.list({ query: `OnboardingState = '${state}' AND ExecutionStatus = 'Running'` })) {
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
  return items.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
