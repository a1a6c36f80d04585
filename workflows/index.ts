export { onboardDeal } from './onboarding';
export { reconcile } from './reconciliation';
export { backfill } from './backfill';
export { opsWatch } from '../ops/workflows/ops-watch';
export { syncDealEdit } from './deal-edit';
export { opsLedgerShard } from '../ops/workflows/ops-ledger-shard';
