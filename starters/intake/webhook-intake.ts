/**
 * The webhook intake's use case, behind the HTTP route: decide (intake-decision.ts), then start the onboarding
 * through OnboardingStarter or signal the running one; a change to a deal whose onboarding has closed goes to the
 * edit after onboarding (`syncDealEdit`: a signal to the deal's edit still open, else a run of its own) instead. A
 * 2xx is returned only after Temporal durably accepted the start or signal; when Temporal (or the Pipedrive lookups
 * the decision needs) cannot be reached, the answer is 503 so Pipedrive retries. Logs carry deal id, event id and outcome only.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client, Connection } from '@temporalio/client';
import type { Logger } from '../../runtime/logger';
import { DEAL_EDIT_WORKFLOW_TYPE, dealEditWorkflowId } from '../../domain/deal-edit';
import { firstLine } from '../../domain/first-line';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import type { WebhookV2Event } from '../../domain/webhook-v2';
import { dealUpdatedSignal } from '../../workflows/messages';
import type { OnboardingStarter } from '../start-onboarding';
import { decideClosedRunChange, decideIntake, quickIgnoreReason, type OnboardingRunStatus } from './intake-decision';
import { loadIntakeFacts, type IntakeLookups } from './intake-facts';
import type { IntakeOutcome } from './intake-metrics';
import { deterministicRefusal, isTemporalUnavailable } from './temporal-availability';

export interface IntakeResult {
  status: number;
  outcome: IntakeOutcome;
  body: Record<string, unknown>;
  /** Set when Temporal refused deterministically (temporal-availability.ts): the drainer moves the row to the dead letters. */
  deadLetter?: string;
}

export interface WebhookIntakeDeps {
  lookups: IntakeLookups;
  starter: OnboardingStarter;
  client: Client;
  connection: Connection;
  log: Logger;
  /** Task queue for new runs (tests use their own); default the onboarding queue. */
  taskQueue?: string;
  /** Bound on each Temporal call, so the answer stays inside Pipedrive's 10 s; default 5 s. */
  temporalTimeoutMs?: number;
}

const unavailable = (message: string): IntakeResult => ({
  status: 503,
  outcome: 'unavailable',
  body: { error: 'unavailable', message },
});

/** How long this process remembers the edit a deal's delivery reached (an edit in review waits far longer). */
const RECENT_EDIT_MS = 10 * 60_000;
const RECENT_EDITS_MAX = 10_000;

interface RecentEdit {
  /** The deal's delivery decisions, one after another. */
  chain: Promise<unknown>;
  /** The edit run the last delivery started or signalled, and when. */
  workflowId?: string;
  seenAt?: number;
  /** The last delivery's turn (for dropping entries of deals not edited for a while). */
  at: number;
}

export class WebhookIntake {
  private readonly recentEdits = new Map<string, RecentEdit>();

  constructor(private readonly deps: WebhookIntakeDeps) {}

  async handle(event: WebhookV2Event, receivedAt: Date): Promise<IntakeResult> {
    const { log } = this.deps;
    const ids = { dealId: event.meta.entity_id, eventId: event.meta.id, attempt: event.meta.attempt };
    const quick = quickIgnoreReason(event);
    if (quick !== undefined) return { status: 200, outcome: 'ignored', body: { outcome: 'ignored', reason: quick } };

    let facts;
    try {
      facts = await loadIntakeFacts(this.deps.lookups);
    } catch (err) {
      log.warn(
        { ...ids, err: (err as Error).message },
        'pipedrive webhook: Pipedrive lookups failed; asking Pipedrive to retry',
      );
      return unavailable('Pipedrive lookups needed to classify this delivery failed; retry later');
    }
    if (facts.contractSignedStageIds.length === 0)
      log.warn('pipedrive webhook: Pipedrive has no stage named Contract Signed; nothing can start');

    const decision = decideIntake(event, facts);
    switch (decision.action) {
      case 'ignore':
        return { status: 200, outcome: 'ignored', body: { outcome: 'ignored', reason: decision.reason } };
      case 'drop-own-write-back':
        log.debug(ids, 'pipedrive webhook: own write-back dropped');
        return { status: 200, outcome: 'loop_dropped', body: { outcome: 'loop-dropped', reason: decision.reason } };
      case 'start':
        return this.start(decision, receivedAt, ids);
      case 'signal':
        return this.signal(decision, receivedAt, ids);
    }
  }

  private async start(
    d: {
      externalId: string;
      ownExternalId?: string;
      dealId: string;
      eventId: string;
      companyId: string;
      title?: string;
      trigger: string;
    },
    receivedAt: Date,
    ids: Record<string, unknown>,
  ): Promise<IntakeResult> {
    try {
      const startAs = (externalId: string) =>
        this.bounded(() =>
          this.deps.starter.startOnboarding(
            {
              externalId,
              pipedriveDealId: d.dealId,
              eventId: d.eventId,
              companyId: d.companyId,
              receivedAt: receivedAt.toISOString(),
            },
            { memo: d.title ? { dealTitle: d.title } : undefined, taskQueue: this.deps.taskQueue },
          ),
        );
      let externalId = d.externalId;
      let started = await startAs(externalId);
      // A copied deal carries its original's External ID: that id's run is another deal's, so answering "duplicate"
      // would leave the copy never onboarded. The copy runs under its own id, which its run then writes back.
      if (
        started.outcome === 'duplicate' &&
        d.ownExternalId !== undefined &&
        (await this.runDealId(externalId)) !== d.dealId
      ) {
        this.deps.log.warn(
          { ...ids, externalId, ownExternalId: d.ownExternalId },
          "pipedrive webhook: External ID belongs to another deal; starting under the deal's own id",
        );
        externalId = d.ownExternalId;
        started = await startAs(externalId);
      }
      const outcome = started.outcome === 'started' ? 'accepted' : 'duplicate';
      this.deps.log.info({ ...ids, externalId, outcome, trigger: d.trigger }, 'pipedrive webhook: onboarding start');
      return { status: 202, outcome, body: { outcome, externalId, workflowId: started.workflowId } };
    } catch (err) {
      return this.temporalFailure(err, ids, 'start');
    }
  }

  private async signal(
    d: { externalId: string; dealId: string; eventId: string; changedFields: string[]; carriesExternalId: boolean },
    receivedAt: Date,
    ids: Record<string, unknown>,
  ): Promise<IntakeResult> {
    try {
      await this.bounded(() =>
        this.deps.client.workflow.getHandle(d.externalId).signal(dealUpdatedSignal, {
          eventId: d.eventId,
          changedFields: d.changedFields,
          at: receivedAt.toISOString(),
          dealId: d.dealId,
        }),
      );
      this.deps.log.info(
        { ...ids, externalId: d.externalId, outcome: 'signalled' },
        'pipedrive webhook: deal update signalled',
      );
      return {
        status: 202,
        outcome: 'signalled',
        body: { outcome: 'signalled', externalId: d.externalId, workflowId: d.externalId },
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return this.changeAfterOnboarding(d, receivedAt, ids);
      return this.temporalFailure(err, ids, 'signal');
    }
  }

  /** The deal's onboarding is not running: its status decides whether this change starts an edit after onboarding. */
  private async changeAfterOnboarding(
    d: {
      externalId: string;
      ownExternalId?: string;
      dealId: string;
      eventId: string;
      changedFields: string[];
      carriesExternalId: boolean;
    },
    receivedAt: Date,
    ids: Record<string, unknown>,
  ): Promise<IntakeResult> {
    let run: OnboardingRunStatus;
    let foreign = false;
    try {
      run = await this.onboardingRunStatus(d.externalId);
      foreign = run === 'closed' && d.ownExternalId !== undefined && (await this.runDealId(d.externalId)) !== d.dealId;
    } catch (err) {
      return this.temporalFailure(err, ids, 'status lookup');
    }
    // The closed onboarding under this External ID is another deal's (this deal is a copy): an edit of the copy is
    // about the copy's own onboarding, if it has one, never about the original's customer.
    if (foreign)
      return this.changeAfterOnboarding(
        { ...d, externalId: d.ownExternalId!, ownExternalId: undefined, carriesExternalId: false },
        receivedAt,
        ids,
      );
    const next = decideClosedRunChange(d, run);
    if (next.action === 'ignore')
      return { status: 200, outcome: 'ignored', body: { outcome: 'ignored', reason: next.reason } };
    if (next.action === 'retry-later') return unavailable(next.reason);
    // Several quick edits of one deal: the edit still open for it reads this one too and updates its one review card
    // (workflows/deal-edit.ts), instead of a run and a card per delivery.
    return this.oneEditAtATime(d.externalId, (recent) => this.signalOrStartEdit(d, receivedAt, ids, run, recent));
  }

  /**
   * A deal's edit deliveries decide one after another in this process, and the edit one of them started or reached is
   * remembered for a while: two deliveries drained at once, or one right after a start that visibility does not list
   * yet, still reach the same run.
   */
  private oneEditAtATime<T>(externalId: string, fn: (recent: RecentEdit) => Promise<T>): Promise<T> {
    const now = Date.now();
    if (this.recentEdits.size > RECENT_EDITS_MAX)
      for (const [k, e] of this.recentEdits) if (now - e.at > RECENT_EDIT_MS) this.recentEdits.delete(k);
    const recent = this.recentEdits.get(externalId) ?? { chain: Promise.resolve(), at: now };
    const turn = recent.chain.then(() => fn(recent));
    recent.chain = turn.catch(() => undefined);
    recent.at = now;
    this.recentEdits.set(externalId, recent);
    return turn;
  }

  private async signalOrStartEdit(
    d: { externalId: string; dealId: string; eventId: string; changedFields: string[] },
    receivedAt: Date,
    ids: Record<string, unknown>,
    run: OnboardingRunStatus,
    recent: RecentEdit,
  ): Promise<IntakeResult> {
    // A redelivery of the open edit's own event goes on to the start below, which answers `duplicate`.
    try {
      const open =
        recent.workflowId !== undefined && Date.now() - (recent.seenAt ?? 0) < RECENT_EDIT_MS
          ? recent.workflowId
          : await this.openEdit(d.externalId, d.dealId);
      if (open !== undefined && open !== dealEditWorkflowId(d.externalId, d.eventId)) {
        await this.bounded(() =>
          this.deps.client.workflow.getHandle(open).signal(dealUpdatedSignal, {
            eventId: d.eventId,
            changedFields: d.changedFields,
            at: receivedAt.toISOString(),
            dealId: d.dealId,
          }),
        );
        Object.assign(recent, { workflowId: open, seenAt: Date.now() });
        this.deps.log.info(
          { ...ids, externalId: d.externalId, outcome: 'signalled', workflowId: open },
          'pipedrive webhook: edit after onboarding signalled to the open edit',
        );
        return {
          status: 202,
          outcome: 'signalled',
          body: { outcome: 'signalled', kind: 'edit', externalId: d.externalId, workflowId: open },
        };
      }
    } catch (err) {
      // The open edit closed in between: this edit starts its own run below.
      if (!(err instanceof WorkflowNotFoundError)) return this.temporalFailure(err, ids, 'edit signal');
      recent.workflowId = undefined;
    }
    try {
      const started = await this.bounded(() =>
        this.deps.starter.startDealEdit(
          {
            externalId: d.externalId,
            pipedriveDealId: d.dealId,
            eventId: d.eventId,
            receivedAt: receivedAt.toISOString(),
            changedFields: d.changedFields,
          },
          { taskQueue: this.deps.taskQueue },
        ),
      );
      const outcome = started.outcome === 'started' ? 'accepted' : 'duplicate';
      Object.assign(recent, { workflowId: started.workflowId, seenAt: Date.now() });
      this.deps.log.info(
        { ...ids, externalId: d.externalId, outcome, onboarding: run },
        'pipedrive webhook: edit after onboarding start',
      );
      return {
        status: 202,
        outcome,
        body: { outcome, kind: 'edit', externalId: d.externalId, workflowId: started.workflowId },
      };
    } catch (err) {
      return this.temporalFailure(err, ids, 'edit start');
    }
  }

  /** The running edit after onboarding of this deal (its workflow ID names the external id), if there is one. */
  private async openEdit(externalId: string, dealId: string): Promise<string | undefined> {
    const prefix = dealEditWorkflowId(externalId, '');
    const query =
      `WorkflowType = '${DEAL_EDIT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ` +
      `${SEARCH_ATTRIBUTES.PipedriveDealId.name} = '${dealId.replace(/[^A-Za-z0-9_-]/g, '')}'`;
    return this.bounded(async () => {
      for await (const wf of this.deps.client.workflow.list({ query, pageSize: 20 }))
        if (wf.workflowId.startsWith(prefix)) return wf.workflowId;
      return undefined;
    });
  }

  private async onboardingRunStatus(workflowId: string): Promise<OnboardingRunStatus> {
    try {
      const description = await this.bounded(() => this.deps.client.workflow.getHandle(workflowId).describe());
      return description.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'unknown';
      throw err;
    }
  }

  /** The Pipedrive deal a run was started for (its PipedriveDealId search attribute); undefined when there is no run. */
  private async runDealId(workflowId: string): Promise<string | undefined> {
    try {
      const description = await this.bounded(() => this.deps.client.workflow.getHandle(workflowId).describe());
      return description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.PipedriveDealId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private temporalFailure(err: unknown, ids: Record<string, unknown>, what: string): IntakeResult {
    const message = firstLine(err);
    if (isTemporalUnavailable(err)) {
      this.deps.log.warn(
        { ...ids, err: message },
        `pipedrive webhook: Temporal unavailable for ${what}; asking Pipedrive to retry`,
      );
      return unavailable(`Temporal did not accept the ${what}; retry later`);
    }
    this.deps.log.error({ ...ids, err: message }, `pipedrive webhook: Temporal refused the ${what}`);
    const refusal = deterministicRefusal(err);
    return {
      status: 500,
      outcome: 'error',
      body: { error: 'internal_error', message: `Temporal refused the ${what}` },
      ...(refusal !== undefined ? { deadLetter: `Temporal refused the ${what}: ${refusal}` } : {}),
    };
  }

  /** One Temporal call with a bounded total time (the SDK otherwise retries UNAVAILABLE for a long while). */
  private bounded<T>(fn: () => Promise<T>): Promise<T> {
    const ms = this.deps.temporalTimeoutMs ?? 5_000;
    return this.deps.connection.withAbortSignal(AbortSignal.timeout(ms), () =>
      this.deps.connection.withDeadline(Date.now() + ms, fn),
    );
  }
}
