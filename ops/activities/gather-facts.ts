/** `gatherOpsFacts`: run by `opsWatch` every tick, on the ops queue, over a Temporal client. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { FAILURE } from '../../domain/failure-types';
import { opsTaskQueueFor } from '../../domain/temporal-names';
import type { OpsFacts } from '../model/facts';
import type { LedgerShardSettings } from '../model/ledger-shard-state';
import { readOpsFacts, type OpsFactsOptions } from './read-facts';
import { readLedgerShards } from './ledger-shards';
import { createVendorOutageActivities, readVendorWaits } from './vendor-outages';
import { createReviewDigestActivities, type ReviewDigestDeps } from './review-digest';

export interface GatherOpsFactsInput {
  /** Present since the ledger shards: their settings, so a missing shard is started with the right ones. */
  ledgerShards?: LedgerShardSettings;
}

export function createOpsFactsActivities(
  client: Client,
  opts: OpsFactsOptions & { ledgerShardPrefix?: string; reviewDigests?: Omit<ReviewDigestDeps, 'client'> } = {},
) {
  return {
    ...createVendorOutageActivities(client),
    ...createReviewDigestActivities({ client, ...opts.reviewDigests }),
    gatherOpsFacts: async (input: GatherOpsFactsInput = {}): Promise<OpsFacts> => {
      const shardSettings = input.ledgerShards;
      const [facts, shards, vendorWaits] = await Promise.all([
        readOpsFacts(client, new Date(), opts),
        shardSettings
          ? readLedgerShards(client, {
              settings: shardSettings,
              // The shards run beside ops-watch (`ops`, or a test's own queue).
              taskQueue: opsTaskQueueFor(Context.current().info.taskQueue),
              ...(opts.ledgerShardPrefix ? { idPrefix: opts.ledgerShardPrefix } : {}),
            })
          : undefined,
        readVendorWaits(client).catch(() => undefined),
      ]);
      // An unreadable queue is not an empty one: fail, so the workflow keeps its last facts and alerts stay as they are.
      if (facts.reviewQueue.error) throw ApplicationFailure.retryable(facts.reviewQueue.error, FAILURE.transient);
      const withWaits = vendorWaits ? { ...facts, vendorWaits } : facts;
      if (!shards) return withWaits;
      return 'facts' in shards
        ? { ...withWaits, ledgerShards: shards.facts }
        : { ...withWaits, ledgerShardsError: shards.error };
    },
  };
}
export type OpsFactsActivities = ReturnType<typeof createOpsFactsActivities>;
