/** Signal and query definitions (names: docs/architecture.md#contracts), shared by the workflow and every caller. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { QUERIES, SIGNALS } from '../domain/temporal-names';
import type { PauseRequest, ReviewDecision, TransactionState } from '../domain/transaction';

export const reviewSignal = defineSignal<[ReviewDecision]>(SIGNALS.review);
export const pauseSignal = defineSignal<[PauseRequest]>(SIGNALS.pause);
export const resumeSignal = defineSignal<[PauseRequest]>(SIGNALS.resume);
export const stateQuery = defineQuery<TransactionState>(QUERIES.state);

/**
 * A later Pipedrive change to a deal already in flight (sent by the webhook intake). `dealId` names the deal that
 * changed: a copied deal carrying this run's External ID signals it too, and the run ignores another deal's change.
 */
export const dealUpdatedSignal = defineSignal<
  [{ eventId: string; changedFields: string[]; at: string; dealId?: string }]
>(SIGNALS.dealUpdated);

/**
 * A review button click the app refused (not a reviewer; a card of an earlier review; a link to a customer the card
 * did not offer): recorded in the audit trail, changes nothing else. `why` absent: not an authorised reviewer.
 */
export const reviewRefusedSignal = defineSignal<[{ actor: string; action: string; at: string; why?: string }]>(
  SIGNALS.reviewRefused,
);
