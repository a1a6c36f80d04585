/** `gatherOpsFacts`: run by `opsWatch` every tick, on the onboarding queue, over a Temporal client. */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { OpsFacts } from '../workflows/ops-watch-facts';
import { readOpsFacts, type OpsFactsOptions } from './ops-facts';

export function createOpsFactsActivities(client: Client, opts: OpsFactsOptions = {}) {
  return {
    gatherOpsFacts: async (): Promise<OpsFacts> => {
      const facts = await readOpsFacts(client, new Date(), opts);
      // An unreadable queue is not an empty one: fail, so the workflow keeps its last facts and alerts stay as they are.
      if (facts.reviewQueue.error) throw ApplicationFailure.retryable(facts.reviewQueue.error, 'TransientError');
      return facts;
    },
  };
}
export type OpsFactsActivities = ReturnType<typeof createOpsFactsActivities>;
