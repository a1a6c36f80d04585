/**
 * `npm run cli -- report --week [--json]`: the health card's figures in the terminal, read exactly as GET /ops reads
 * them (ops-watch's query + the review queue from visibility), so the two never disagree.
 */
import type { Client } from '@temporalio/client';
import { OpsCardSource } from '../../ops/http/ops-card-data';
import { formatOpsReport, type OpsView } from '../../ops/http/ops-card-view';

export async function runReportCommand(client: Client, opts: { workflowId?: string } = {}): Promise<OpsView> {
  return new OpsCardSource(client, { cacheMs: 0, ...(opts.workflowId ? { workflowId: opts.workflowId } : {}) }).load();
}

export { formatOpsReport };
