/**
 * Reads the card's figures: `opsWatch`'s state by query (the durable KPIs) and the review queue straight from
 * visibility (fresher than ops-watch's last tick). Cached for a few seconds so /ops, /ops.json and /metrics
 * scrapes stay cheap however often they come.
 */
import type { Client } from '@temporalio/client';
import { firstLine } from '../../domain/first-line';
import { readReviewQueue } from '../activities/read-facts';
import { within } from '../../runtime/within';
import type { OpsWatchState } from '../model/ops-watch-state';
import { OPS_WATCH_WORKFLOW_ID, opsStateQuery } from '../messages';
import { buildOpsView, type OpsView } from './ops-card-view';

export interface OpsCardSourceOptions {
  workflowId?: string;
  cacheMs?: number;
  /** Bound on the query and the visibility read. */
  timeoutMs?: number;
}

export class OpsCardSource {
  private cached?: { at: number; view: Promise<OpsView> };

  constructor(
    private readonly client: Client,
    private readonly opts: OpsCardSourceOptions = {},
  ) {}

  view(): Promise<OpsView> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < (this.opts.cacheMs ?? 3_000)) return this.cached.view;
    const view = this.load();
    this.cached = { at: now, view };
    // A failed read is not kept: the next request tries again.
    view.catch(() => (this.cached = undefined));
    return view;
  }

  async load(): Promise<OpsView> {
    const timeout = this.opts.timeoutMs ?? 5_000;
    const handle = this.client.workflow.getHandle(this.opts.workflowId ?? OPS_WATCH_WORKFLOW_ID);
    const [state, reviewQueue] = await Promise.all([
      within(handle.query(opsStateQuery), timeout, 'the ops-watch query').then(
        (s): { s: OpsWatchState } => ({ s }),
        (err: unknown) => ({ error: firstLine(err) }),
      ),
      within(readReviewQueue(this.client, Date.now()), timeout, 'the review queue').catch(() => undefined),
    ]);
    return buildOpsView('s' in state ? state.s : undefined, {
      nowIso: new Date().toISOString(),
      ...(reviewQueue && !reviewQueue.error ? { reviewQueue } : {}),
      ...('error' in state ? { sourceError: `ops-watch: ${state.error}` } : {}),
    });
  }
}

const sources = new WeakMap<Client, OpsCardSource>();
/** One source (and cache) per client: the /ops routes and /metrics share it. */
export function opsCardSourceFor(client: Client): OpsCardSource {
  let s = sources.get(client);
  if (!s) sources.set(client, (s = new OpsCardSource(client)));
  return s;
}
