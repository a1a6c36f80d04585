export { onboardDeal } from './onboarding';
export { reconcile } from './reconciliation';
export { syncDealEdit } from './deal-edit';
