/**
 * Starts `syncDealEdit` for a Pipedrive edit to a deal whose onboarding has closed, one run per webhook delivery
 * (ID `<external_id>-edit-<event id>`). As for onboardings, REJECT_DUPLICATE + USE_EXISTING make Pipedrive's retries
 * of the same delivery harmless, and the server's `started` flag tells "accepted" from "duplicate" in one RPC.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { WorkflowClient, type Connection, type WorkflowStartOptions } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { compileWorkflowOptions } from '@temporalio/client/lib/workflow-options';
import { DEAL_EDIT_WORKFLOW_TYPE, dealEditWorkflowId, type DealEditInput } from '../../domain/deal-edit';
import { SEARCH_ATTRIBUTES, TASK_QUEUES } from '../../domain/temporal-names';
import type { OnboardingSettings } from '../../domain/transaction';
import type { StartOutcome, StartOptions } from '../start-onboarding';
// Type only: the intake must not load workflow code (it runs in the worker's sandbox).
import type { syncDealEdit } from '../../workflows';

export class DealEditStarter extends WorkflowClient {
  constructor(connection: Connection, namespace: string, private readonly settings: OnboardingSettings = {}) {
    super({ connection, namespace });
  }

  async startDealEdit(given: DealEditInput & { eventId: string }, opts: StartOptions = {}): Promise<StartOutcome> {
    const input: DealEditInput = { ...given, settings: { ...this.settings, ...given.settings } };
    const workflowId = dealEditWorkflowId(input.externalId, given.eventId);
    const options: WorkflowStartOptions<typeof syncDealEdit> = {
      workflowId,
      taskQueue: opts.taskQueue ?? TASK_QUEUES.onboarding,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.OnboardingState, value: 'RECEIVED' },
        { key: SEARCH_ATTRIBUTES.PipedriveDealId, value: input.pipedriveDealId },
      ],
      memo: { ...opts.memo, editOf: input.externalId },
    };
    const request = await this.createStartWorkflowRequest({
      workflowType: DEAL_EDIT_WORKFLOW_TYPE,
      headers: {},
      options: { ...compileWorkflowOptions(options), args: [input] },
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
