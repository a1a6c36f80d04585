export { onboardDeal } from './onboarding';
export { reconcile } from './reconciliation';
