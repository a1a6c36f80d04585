export { onboardDeal } from './onboarding';
export { reconcile } from '../reconciliation/workflows/reconcile';
export { backfill } from '../backfill/workflows/backfill';
export { opsWatch } from '../ops/workflows/ops-watch';
export { syncDealEdit } from './deal-edit';
export { opsLedgerShard } from '../ops/workflows/ops-ledger-shard';
