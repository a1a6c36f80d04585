/**
 * `onboardDeal`: one Pipedrive deal → one NetSuite customer and first invoice. The workflow ID is the deal's
 * external_id, so a deal can never be onboarded twice while Temporal remembers the run.
 *
 * Foundation shell: state, audit trail, search attributes and the operator signals. The transaction steps
 * (fetch, validate, upsert, invoice) are added by the onboarding-transaction work.
 */
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import type { OnboardingState } from '../domain/states';
import type { AuditEntry, OnboardingInput, ReviewDecision, TransactionState } from '../domain/transaction';
import { pauseSignal, resumeSignal, reviewSignal, stateQuery } from './messages';

export async function onboardDeal(input: OnboardingInput): Promise<TransactionState> {
  const tx: TransactionState = {
    externalId: input.externalId,
    pipedriveDealId: input.pipedriveDealId,
    state: 'RECEIVED',
    paused: false,
    reviewReasons: [],
    auditTrail: [],
  };
  let decision: ReviewDecision | undefined;

  const audit = (entry: Omit<AuditEntry, 'at' | 'state'>): void => {
    tx.auditTrail.push({ at: new Date().toISOString(), state: tx.state, ...entry });
  };
  const enter = (state: OnboardingState): void => {
    tx.state = state;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.OnboardingState, value: state }]);
  };

  setHandler(stateQuery, () => tx);
  setHandler(reviewSignal, (d) => {
    decision = d;
    audit({ step: 'review', outcome: 'decision', actor: d.actor, detail: d.action });
  });
  setHandler(pauseSignal, (p) => {
    tx.paused = true;
    audit({ step: 'pause', outcome: 'decision', actor: p.actor, detail: p.reason });
  });
  setHandler(resumeSignal, (p) => {
    tx.paused = false;
    audit({ step: 'resume', outcome: 'decision', actor: p.actor, detail: p.reason });
  });

  enter('RECEIVED');
  audit({ step: 'received', outcome: 'info', detail: input.eventId });

  await condition(() => decision !== undefined && !tx.paused);
  if (decision?.action === 'cancel') enter('CANCELLED');
  return tx;
}
