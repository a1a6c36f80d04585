/** Transaction states (docs/architecture.md#states, contract: values of the `OnboardingState` search attribute). */
export const ONBOARDING_STATES = [
  'RECEIVED',
  'VALIDATING',
  'NEEDS_REVIEW',
  'READY_FOR_BILLING',
  'CUSTOMER_SYNCING',
  'CUSTOMER_SYNCED',
  'INVOICE_SCHEDULED',
  'COMPLETED',
  'PAUSED',
  'CANCELLED',
  /** Parked while a vendor is down (its circuit breaker open); resumes by itself at the step it was on. */
  'WAITING_FOR_VENDOR',
] as const;

export type OnboardingState = (typeof ONBOARDING_STATES)[number];
