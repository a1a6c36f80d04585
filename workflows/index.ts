export { onboardDeal } from './onboarding';
export { reconcile } from './reconciliation';
export { backfill } from './backfill';
export { syncDealEdit } from './deal-edit';
