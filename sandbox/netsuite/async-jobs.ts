/**
 * `Prefer: respond-async` writes and `/services/rest/async/v1/job/…`. A job applies its write when it completes
 * (asyncJobDelayMs after submission); its single task's result is the response the synchronous call would have given.
 */
import { randomUUID } from 'node:crypto';
import type { FaultInjector } from './faults';
import { CONTENT_TYPE, errorResponse, type SimResponse } from './http-io';
import { NetSuiteError, nonexistentRecord, unexpectedError } from './netsuite-error';
import { isoTimestamp } from './record-fields';
import { selfLinks } from './references';
import type { SimStats } from './stats';
import type { AsyncRequest, NetSuiteStore, StoredJob, StoredResult } from './store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AsyncJobDeps {
  store: NetSuiteStore;
  faults: FaultInjector;
  stats: SimStats;
  delayMs: number;
  now: () => Date;
  /** Runs the write; throws NetSuiteError when refused. */
  execute: (request: AsyncRequest) => SimResponse;
}

export function jobUrl(base: string, id: string): string {
  return `${base}/services/rest/async/v1/job/${id}`;
}

export class AsyncJobRunner {
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: AsyncJobDeps) {}

  submit(request: AsyncRequest, idempotencyKey: string | undefined): SimResponse {
    const { store } = this.deps;
    if (idempotencyKey !== undefined) {
      if (!UUID.test(idempotencyKey)) {
        throw new NetSuiteError(
          400,
          'INVALID_HEADER',
          'The X-NetSuite-Idempotency-Key header must be a UUID (RFC 4122).',
          {
            errorHeader: 'X-NetSuite-Idempotency-Key',
          },
        );
      }
      const earlier = store.jobIdForKey(idempotencyKey);
      if (earlier !== undefined) {
        throw new NetSuiteError(
          400,
          'IDEMPOTENCY_ERROR',
          'A request with the same idempotency key has already been received. See the Location header for its job.',
          { errorHeader: 'X-NetSuite-Idempotency-Key' },
          { Location: jobUrl(request.base, earlier) },
          'Conflict',
        );
      }
    }
    const id = store.createJob(request, idempotencyKey, isoTimestamp(this.deps.now()));
    this.deps.stats.asyncJobs.submitted += 1;
    this.schedule(id, this.deps.delayMs);
    return { status: 202, headers: { Location: jobUrl(request.base, id), 'Preference-Applied': 'respond-async' } };
  }

  /** Jobs left pending by an earlier run on the same data file finish after a restart. */
  resumePending(): void {
    for (const id of this.deps.store.pendingJobIds()) this.schedule(id, this.deps.delayMs);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(id: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.complete(id);
    }, delayMs);
    this.timers.add(timer);
  }

  private complete(id: string): void {
    const { store, faults, stats } = this.deps;
    const job = store.getJob(id);
    if (!job || job.progress !== 'pending') return;
    let result: StoredResult;
    if (faults.asyncJobShouldFail()) {
      result = toStored(errorResponse(unexpectedError(500, randomUUID())));
    } else {
      try {
        result = toStored(this.deps.execute(job.request));
      } catch (err) {
        result = toStored(errorResponse(err instanceof NetSuiteError ? err : unexpectedError(500, randomUUID())));
      }
    }
    const progress = result.status < 400 ? 'succeeded' : 'failed';
    stats.asyncJobs[progress] += 1;
    store.finishJob(id, progress, result, isoTimestamp(this.deps.now()));
  }

  /** GET under async/v1/: job, job/{id}, job/{id}/task, job/{id}/task/{tid}, job/{id}/task/{tid}/result. */
  handle(method: string, segments: string[], base: string): SimResponse {
    if (method !== 'GET') throw new NetSuiteError(405, 'INVALID_METHOD', `${method} is not allowed on this resource.`);
    const [root, jobId, taskRoot, taskId, result] = segments;
    if (root !== 'job' || segments.length > 5) throw nonexistentRecord();
    if (jobId === undefined) return this.listJobs(base);
    const job = this.deps.store.getJob(jobId);
    if (!job) throw nonexistentRecord();
    const self = jobUrl(base, job.id);
    if (taskRoot === undefined) {
      return {
        status: 200,
        body: {
          links: selfLinks(self),
          completed: job.progress !== 'pending',
          id: job.id,
          progress: job.progress,
          task: { links: selfLinks(`${self}/task`) },
        },
      };
    }
    if (taskRoot !== 'task') throw nonexistentRecord();
    if (taskId === undefined) {
      return {
        status: 200,
        contentType: CONTENT_TYPE.collection,
        body: {
          links: selfLinks(`${self}/task`),
          count: 1,
          hasMore: false,
          items: [{ links: selfLinks(`${self}/task/${job.id}`), id: job.id }],
          offset: 0,
          totalResults: 1,
        },
      };
    }
    if (taskId !== job.id) throw nonexistentRecord();
    if (result === undefined) return { status: 200, body: renderTask(job, `${self}/task/${job.id}`) };
    if (result !== 'result') throw nonexistentRecord();
    if (!job.result)
      throw new NetSuiteError(404, 'NONEXISTENT_ID', 'The task has not completed yet; its result is not available.');
    return { ...job.result, contentType: job.result.status >= 400 ? CONTENT_TYPE.error : CONTENT_TYPE.singular };
  }

  private listJobs(base: string): SimResponse {
    const ids = this.deps.store.db.prepare('SELECT id FROM sim_async_job ORDER BY id').all() as Array<{ id: number }>;
    return {
      status: 200,
      contentType: CONTENT_TYPE.collection,
      body: {
        links: selfLinks(`${base}/services/rest/async/v1/job`),
        count: ids.length,
        hasMore: false,
        items: ids.map((r) => ({ links: selfLinks(jobUrl(base, String(r.id))), id: String(r.id) })),
        offset: 0,
        totalResults: ids.length,
      },
    };
  }
}

function renderTask(job: StoredJob, self: string): Record<string, unknown> {
  const links = [...selfLinks(self)];
  if (job.result) links.push({ rel: 'related', href: `${self}/result` });
  const task: Record<string, unknown> = {
    links,
    completed: job.progress !== 'pending',
    id: job.id,
    progress: job.progress,
    startTime: job.startTime,
  };
  if (job.endTime) task.endTime = job.endTime;
  return task;
}

function toStored(response: SimResponse): StoredResult {
  const stored: StoredResult = { status: response.status, headers: response.headers ?? {} };
  if (response.body !== undefined) stored.body = response.body;
  return stored;
}
