/** Signal and query definitions (DESIGN.md §4 names), shared by the workflow and every caller. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PauseRequest, ReviewDecision, TransactionState } from '../domain/transaction';

export const reviewSignal = defineSignal<[ReviewDecision]>('review');
export const pauseSignal = defineSignal<[PauseRequest]>('pause');
export const resumeSignal = defineSignal<[PauseRequest]>('resume');
export const stateQuery = defineQuery<TransactionState>('state');

/** A later Pipedrive change to a deal already in flight (sent by the webhook intake). */
export const dealUpdatedSignal = defineSignal<[{ eventId: string; changedFields: string[]; at: string }]>('dealUpdated');

/** Someone not allowed to decide pressed a review button: recorded in the audit trail, changes nothing else. */
export const reviewRefusedSignal = defineSignal<[{ actor: string; action: string; at: string }]>('reviewRefused');
