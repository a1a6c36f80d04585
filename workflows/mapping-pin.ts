/**
 * The mapping template a run reads its deal with. The first fetch reads with the worker's template and returns it with
 * the deal; the run keeps it (state `pinnedMapping`, hash in `mappingHash` and in the audit trail, carried over
 * continue-as-new with the state) and passes it back to every later fetch, so a template edit deployed while the deal
 * waits in review does not change how that run maps it. An operator applies a corrected template to a parked run on
 * purpose with a `remap` decision (`npm run cli -- retry <id> --remap`): the next fetch reads with the worker's template
 * and pins that one. Runs recorded before pinning replay without it (docs/bring-your-own-accounts.md); on the third
 * lean marker the patch is implied (workflows/folded-patches.ts).
 */
import type { ResolvedDeal } from '../domain/canonical-deal';
import type { MappingSnapshot } from '../domain/mapping/schema';
import { describeActor } from '../domain/review-actor';
import { hasPatch } from './folded-patches';
import type { ReviewDecision } from '../domain/transaction';
import type { TransactionLog } from './transaction-log';

export const MAPPING_PER_RUN_PATCH = 'mapping-per-run';

/** The template the next fetch must read with; none before the first fetch and right after a remap. */
export function pinnedMapping(tx: TransactionLog): MappingSnapshot | undefined {
  return hasPatch(MAPPING_PER_RUN_PATCH) ? tx.state.pinnedMapping : undefined;
}

/** After a fetch: the template it read with becomes the run's, once; the audit trail names it by hash. */
export function pinMapping(tx: TransactionLog, deal: ResolvedDeal): void {
  const mapping = deal.mapping;
  if (!mapping || tx.state.pinnedMapping || !hasPatch(MAPPING_PER_RUN_PATCH)) return;
  const was = tx.state.mappingHash;
  tx.state.pinnedMapping = mapping;
  tx.state.mappingHash = mapping.hash;
  tx.audit({
    step: 'mapping',
    outcome: 'info',
    detail: `template ${mapping.hash} pinned for this run${was && was !== mapping.hash ? ` (was ${was})` : ''}`,
  });
}

/** A retry or fix with `remap`: the pinned template is let go, so the next fetch reads with the worker's current one. */
export function unpinOnRemap(tx: TransactionLog, d: ReviewDecision): void {
  if (!d.remap || (d.action !== 'retry' && d.action !== 'fix') || !tx.state.pinnedMapping) return;
  delete tx.state.pinnedMapping;
  tx.audit({
    step: 'mapping',
    outcome: 'decision',
    actor: describeActor(d),
    detail: `remap: template ${tx.state.mappingHash ?? '?'} let go; the next read uses the worker's current template`,
  });
}
