export { onboardDeal } from './onboarding';
