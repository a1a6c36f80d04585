export { onboardDeal } from './onboarding';
export { reconcile } from './reconciliation';
export { backfill } from './backfill';
export { opsWatch } from './ops-watch';
export { syncDealEdit } from './deal-edit';
export { opsLedgerShard } from './ops-ledger-shard';
