/**
 * The transaction's state and audit trail, kept in the workflow and served by the `state` query. Every step is
 * recorded with what, when, outcome, latency and error code; state changes also update the `OnboardingState`
 * search attribute so the Web UI, CLI and ops card can filter by it.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { OnboardingState } from '../domain/states';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import {
  boundAuditEntry,
  foldAuditTrail,
  type AuditEntry,
  type OnboardingInput,
  type TransactionState,
} from '../domain/transaction';

export class TransactionLog {
  readonly state: TransactionState;

  constructor(input: OnboardingInput) {
    const { carried } = input;
    // A carried trail from a run before the bounds existed is bounded on arrival.
    const trail = carried ? foldAuditTrail(carried.auditTrail.map(boundAuditEntry), carried.auditSummary) : undefined;
    this.state = carried
      ? { ...carried, auditTrail: [...trail!.trail], ...(trail!.summary ? { auditSummary: trail!.summary } : {}) }
      : {
          externalId: input.externalId,
          pipedriveDealId: input.pipedriveDealId,
          state: 'RECEIVED',
          paused: false,
          reviewReasons: [],
          receivedAt: input.receivedAt,
          auditTrail: [],
        };
  }

  /**
   * Runs on the lean command sequence (workflows/onboarding.ts, LEAN_ONBOARDING_PATCH) upsert only what changes:
   * each upsert is an event and a visibility write on the server (docs/lean-worker.md).
   */
  lean = false;

  /**
   * `also`: further search attributes set in the same upsert. `passing`: the run leaves this state again within the
   * same workflow task (only local activities before its next `enter`), so a lean run does not upsert it: the
   * server would apply both upserts at that task's completion anyway. The audit trail records it either way.
   */
  enter(state: OnboardingState, opts: { also?: SearchAttributeUpdatePair[]; passing?: boolean } = {}): void {
    if (this.state.state !== state)
      this.audit({ step: 'state', outcome: 'info', detail: `${this.state.state} → ${state}` });
    this.state.state = state;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: SEARCH_ATTRIBUTES.OnboardingState, value: state },
      ...(opts.also ?? []),
    ];
    if (!this.lean) return upsertSearchAttributes(pairs);
    if (opts.passing) return;
    // A value the run already carries (RECEIVED from the start, a state carried over continue-as-new) is not sent again.
    const current = workflowInfo().typedSearchAttributes;
    const changed = pairs.filter((p) => current.get(p.key) !== p.value);
    if (changed.length > 0) upsertSearchAttributes(changed);
  }

  audit(entry: Omit<AuditEntry, 'at' | 'state'>): void {
    const clean = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as Omit<
      AuditEntry,
      'at' | 'state'
    >;
    this.state.auditTrail.push(boundAuditEntry({ at: new Date().toISOString(), state: this.state.state, ...clean }));
    // Bounded in the run, so the `state` query and the continue-as-new input stay small whatever arrives.
    const folded = foldAuditTrail(this.state.auditTrail, this.state.auditSummary);
    if (folded.trail !== this.state.auditTrail) {
      this.state.auditTrail = folded.trail;
      if (folded.summary) this.state.auditSummary = folded.summary;
    }
  }

  /** Runs one step (an activity call), recording its outcome and latency either way. */
  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await run();
      this.audit({ step: name, outcome: 'ok', latencyMs: Date.now() - started });
      return result;
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : err;
      const errorCode =
        cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : (cause as Error | undefined)?.name;
      this.audit({
        step: name,
        outcome: 'failed',
        latencyMs: Date.now() - started,
        errorCode,
        detail: (cause as Error | undefined)?.message?.slice(0, 300),
      });
      throw err;
    }
  }

  snapshot(): TransactionState {
    return this.state;
  }
}
