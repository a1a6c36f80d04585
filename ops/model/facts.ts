/**
 * What only the outside knows, gathered by an activity on every `opsWatch` tick (and by the app for a fresh /ops):
 * the review queue from Temporal visibility, the last reconciliation's figures and the KPI ledger shards. Types only.
 */
import type { DayBucket } from './ledger';
import type { VendorWaits } from './vendor-outages';

export interface ReviewQueueItem {
  externalId: string;
  pipedriveDealId?: string;
  /** The ReviewReason search attribute: the first reason's code. */
  reason?: string;
  reviewKind?: string;
  /** Who holds it, when the transaction says (the last reviewer to act on it). */
  owner?: string;
  title?: string;
  /** When the deal entered review (the audit trail), else when its workflow started. */
  since: string;
  ageMs: number;
}

export interface ReviewQueueFacts {
  size: number;
  /** 0 when the queue is empty. */
  oldestAgeMs: number;
  /** The oldest first, at most a page of them. */
  items: ReviewQueueItem[];
  error?: string;
}

export interface ReconciliationFacts {
  workflowId: string;
  generatedAt: string;
  mismatchRate: number;
  threshold: number;
  counts: {
    signedDeals?: number;
    customers?: number;
    compared?: number;
    withProblems?: number;
    missingCustomers?: number;
    customersWithoutDeal?: number;
    fieldMismatches?: number;
    duplicates?: number;
  };
  /** Customers beyond the first in each group sharing an external id or an e-mail (the report's duplicates). */
  duplicateCustomers: number;
  reportPath?: string;
}

/** Onboardings closed on a UTC day, by outcome (visibility: their final OnboardingState). */
export interface ClosedOnDay {
  day: string;
  completed: number;
  cancelled: number;
}

export interface OpsFacts {
  gatheredAt: string;
  /** Today and yesterday (so the last minutes before midnight are counted too). */
  closed?: ClosedOnDay[];
  reviewQueue: ReviewQueueFacts;
  /** Absent until a reconciliation has completed. */
  reconciliation?: ReconciliationFacts;
  reconciliationError?: string;
  /** The ledger shards' day buckets summed (onboardings' KPI events); absent when not every shard could be read. */
  ledgerShards?: LedgerShardsFacts;
  ledgerShardsError?: string;
  /** Onboardings in WAITING_FOR_VENDOR by vendor; absent when visibility could not be read. */
  vendorWaits?: VendorWaits;
}

export interface LedgerShardsFacts {
  shards: number;
  days: DayBucket[];
  openDeals: number;
}
