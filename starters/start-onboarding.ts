/**
 * The one way work enters Temporal: start `onboardDeal` with workflow ID = external_id (and `syncDealEdit` for an edit
 * after onboarding, one per delivery). Reuse policy
 * REJECT_DUPLICATE refuses a second run after the first closed; conflict policy USE_EXISTING turns a start while
 * one runs into a no-op that returns the running execution. Duplicate and concurrent deliveries are therefore
 * harmless by construction.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { compileWorkflowOptions, WorkflowClient, type Connection, type WorkflowStartOptions } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, TASK_QUEUES } from '../domain/temporal-names';
import { processDataConverter } from '../runtime/payload-codec';
import type { OnboardingInput, OnboardingSettings } from '../domain/transaction';
import { WORKFLOW_TYPE } from '../domain/temporal-names';
import { DEAL_EDIT_WORKFLOW_TYPE, dealEditWorkflowId, type DealEditInput } from '../domain/deal-edit';
// Type only: callers of the starter must not load workflow code (it runs in the worker's sandbox).
import type { onboardDeal, syncDealEdit } from '../workflows';

export type StartOutcome =
  | { outcome: 'started'; workflowId: string; runId: string }
  /** A run with this ID is open (USE_EXISTING returned it: runId set) or closed (REJECT_DUPLICATE: no runId). */
  | { outcome: 'duplicate'; workflowId: string; runId?: string };

export interface StartOptions {
  taskQueue?: string;
  memo?: Record<string, unknown>;
}

/**
 * The SDK's `start()` hides the server's `started` flag, which is the only way to tell "this call created the
 * run" from "USE_EXISTING handed back the open one" in a single round trip. Intake metrics and the webhook's
 * answer need that distinction, so this client keeps the SDK's request building and reads the raw response.
 */
export class OnboardingStarter extends WorkflowClient {
  constructor(
    connection: Connection,
    namespace: string,
    private readonly settings: OnboardingSettings = {},
  ) {
    // Encrypts the start's input when the payload codec is configured (runtime/payload-codec.ts).
    super({ connection, namespace, dataConverter: processDataConverter() });
  }

  async startOnboarding(given: OnboardingInput, opts: StartOptions = {}): Promise<StartOutcome> {
    const input: OnboardingInput = { ...given, settings: { ...this.settings, ...given.settings } };
    return this.startOnce(
      WORKFLOW_TYPE,
      input.externalId,
      input.pipedriveDealId,
      [input] satisfies Parameters<typeof onboardDeal>,
      opts.taskQueue,
      opts.memo,
    );
  }

  /**
   * `syncDealEdit` for a Pipedrive edit to a deal whose onboarding has closed: one run per webhook delivery
   * (ID `<external_id>-edit-<event id>`), so Pipedrive's retries of that delivery start it once.
   */
  async startDealEdit(given: DealEditInput & { eventId: string }, opts: StartOptions = {}): Promise<StartOutcome> {
    const input: DealEditInput = { ...given, settings: { ...this.settings, ...given.settings } };
    const workflowId = dealEditWorkflowId(input.externalId, given.eventId);
    return this.startOnce(
      DEAL_EDIT_WORKFLOW_TYPE,
      workflowId,
      input.pipedriveDealId,
      [input] satisfies Parameters<typeof syncDealEdit>,
      opts.taskQueue,
      { ...opts.memo, editOf: input.externalId },
    );
  }

  private async startOnce(
    workflowType: string,
    workflowId: string,
    pipedriveDealId: string,
    args: [unknown],
    taskQueue: string | undefined,
    memo: Record<string, unknown> | undefined,
  ): Promise<StartOutcome> {
    const options: WorkflowStartOptions = {
      workflowId,
      taskQueue: taskQueue ?? TASK_QUEUES.onboarding,
      args,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.OnboardingState, value: 'RECEIVED' },
        { key: SEARCH_ATTRIBUTES.PipedriveDealId, value: pipedriveDealId },
      ],
      memo,
    };
    const request = await this.createStartWorkflowRequest({
      workflowType,
      headers: {},
      options: { ...compileWorkflowOptions(options), args },
    });
    try {
      const response = await this.workflowService.startWorkflowExecution(request);
      return response.started === false
        ? { outcome: 'duplicate', workflowId, runId: response.runId }
        : { outcome: 'started', workflowId, runId: response.runId };
    } catch (err) {
      if ((err as { code?: number }).code === grpcStatus.ALREADY_EXISTS) return { outcome: 'duplicate', workflowId };
      throw err;
    }
  }
}
