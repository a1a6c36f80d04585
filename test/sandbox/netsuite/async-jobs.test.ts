/** Prefer: respond-async ⇒ 202 + job; the write lands when the job completes; idempotency keys; injected job failure. */
import { randomUUID } from 'node:crypto';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { admin, callNetSuite, firstError, idFromLocation, type Stack } from './signed-client';

// Long enough that the pending state is observable on a loaded machine (400 ms was not: a CI run with a benchmark
// beside it took longer between the PUT and the record's GET), short enough to keep the file fast.
const JOB_DELAY_MS = 2_000;
let sim: RunningNetSuiteSimulator;
let stack: Stack;

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ asyncJobDelayMs: JOB_DELAY_MS });
  stack = sim.stackEntry;
});
afterAll(() => sim.close());

const customer = { companyName: 'Async Co', email: 'ap@async.example', subsidiary: { id: '2' }, terms: { id: '2' } };
const rest = (href: string) => href.slice(`${stack.url}/services/rest/`.length);

async function pollJob(jobHref: string, on: Stack = stack): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const job = (await callNetSuite(on, 'GET', jobHref.slice(`${on.url}/services/rest/`.length))).data as Record<
      string,
      unknown
    >;
    if (job.completed === true) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('job never completed');
}

async function taskResult(jobHref: string) {
  const tasks = (await callNetSuite(stack, 'GET', rest(`${jobHref}/task`))).data as {
    items: Array<{ links: Array<{ href: string }> }>;
  };
  const taskHref = tasks.items[0]?.links[0]?.href ?? '';
  const task = (await callNetSuite(stack, 'GET', rest(taskHref))).data as {
    links: Array<{ rel: string; href: string }>;
    progress: string;
    completed: boolean;
    startTime: string;
    endTime: string;
  };
  const resultHref = task.links.find((l) => l.rel === 'related')?.href ?? '';
  expect(resultHref).toBe(`${taskHref}/result`);
  return { task, result: await callNetSuite(stack, 'GET', rest(resultHref)) };
}

test('202 + job Location; the write is applied when the job completes; task result is the 204 + Location', async () => {
  const key = randomUUID();
  const accepted = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-ASYNC-1', {
    body: customer,
    headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': key },
  });
  expect(accepted.status).toBe(202);
  expect(accepted.data).toBe('');
  expect(accepted.headers['preference-applied']).toBe('respond-async');
  const jobHref = String(accepted.headers.location);
  expect(jobHref).toMatch(new RegExp(`^${stack.url}/services/rest/async/v1/job/\\d+$`));

  const pending = (await callNetSuite(stack, 'GET', rest(jobHref))).data;
  expect(pending).toEqual({
    links: [{ rel: 'self', href: jobHref }],
    completed: false,
    id: idFromLocation(jobHref),
    progress: 'pending',
    task: { links: [{ rel: 'self', href: `${jobHref}/task` }] },
  });
  expect((await callNetSuite(stack, 'GET', 'record/v1/customer/eid:PD-ASYNC-1')).status).toBe(404);

  const done = await pollJob(jobHref);
  expect(done).toMatchObject({ completed: true, progress: 'succeeded' });
  const { task, result } = await taskResult(jobHref);
  expect(task).toMatchObject({ completed: true, progress: 'succeeded' });
  expect(Date.parse(task.endTime)).toBeGreaterThanOrEqual(Date.parse(task.startTime));
  expect(result.status).toBe(204);
  const customerId = idFromLocation(result.headers.location);
  const read = await callNetSuite(stack, 'GET', `record/v1/customer/${customerId}`);
  expect(read.data).toMatchObject({ externalId: 'PD-ASYNC-1', companyName: 'Async Co' });

  // The same key again, even after completion ⇒ 400 "Conflict" pointing at the first job; nothing new is queued.
  const repeat = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-ASYNC-1', {
    body: { companyName: 'Changed' },
    headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': key },
  });
  expect(repeat.status).toBe(400);
  expect(repeat.headers.location).toBe(jobHref);
  expect(repeat.data).toMatchObject({ title: 'Conflict', status: 400 });
  expect(firstError(repeat)['o:errorCode']).toBe('IDEMPOTENCY_ERROR');
  expect(
    ((await callNetSuite(stack, 'GET', `record/v1/customer/${customerId}`)).data as Record<string, unknown>)
      .companyName,
  ).toBe('Async Co');
});

test('a repeated key on a pending job also conflicts; the key is ignored on synchronous calls', async () => {
  const key = randomUUID();
  const first = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { ...customer, companyName: 'Pending Co' },
    headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': key },
  });
  const second = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { ...customer, companyName: 'Pending Co' },
    headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': key },
  });
  expect(second.status).toBe(400);
  expect(second.headers.location).toBe(first.headers.location);
  const sync1 = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { ...customer, companyName: 'Sync Co 1' },
    headers: { 'X-NetSuite-Idempotency-Key': key },
  });
  expect(sync1.status).toBe(204);
  const bad = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: customer,
    headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': 'not-a-uuid' },
  });
  expect(bad.status).toBe(400);
  expect(firstError(bad)).toMatchObject({
    'o:errorCode': 'INVALID_HEADER',
    'o:errorHeader': 'X-NetSuite-Idempotency-Key',
  });
});

test('a write NetSuite refuses makes the job "failed" with the error body as its result', async () => {
  const accepted = await callNetSuite(stack, 'POST', 'record/v1/customer', {
    body: { subsidiary: { id: '1' } },
    headers: { Prefer: 'respond-async' },
  });
  expect(accepted.status).toBe(202);
  const job = await pollJob(String(accepted.headers.location));
  expect(job).toMatchObject({ completed: true, progress: 'failed' });
  const { task, result } = await taskResult(String(accepted.headers.location));
  expect(task.progress).toBe('failed');
  expect(result.status).toBe(400);
  expect(firstError(result)).toMatchObject({ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'companyName' });
});

test('injected job failure: progress "failed", UNEXPECTED_ERROR result, write not applied', async () => {
  await admin(stack, 'PUT', 'faults', { asyncJobFailureRate: 1 });
  try {
    const accepted = await callNetSuite(stack, 'PUT', 'record/v1/customer/eid:PD-ASYNC-FAIL', {
      body: customer,
      headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': randomUUID() },
    });
    const job = await pollJob(String(accepted.headers.location));
    expect(job.progress).toBe('failed');
    const { result } = await taskResult(String(accepted.headers.location));
    expect(result.status).toBe(500);
    expect(firstError(result)['o:errorCode']).toBe('UNEXPECTED_ERROR');
    expect((await callNetSuite(stack, 'GET', 'record/v1/customer/eid:PD-ASYNC-FAIL')).status).toBe(404);
    expect(
      ((await admin(stack, 'GET', 'stats')).data as { asyncJobs: { failed: number } }).asyncJobs.failed,
    ).toBeGreaterThanOrEqual(2);
  } finally {
    await admin(stack, 'PUT', 'faults', { asyncJobFailureRate: 0 });
  }
});

test('idempotency keys, pending jobs and generated credentials survive a restart on the same data file', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'ns-sim-'));
  try {
    const key = randomUUID();
    const first = await startNetSuiteSimulator({ dataFile: join(dir, 'netsuite.sqlite'), asyncJobDelayMs: 10_000 });
    const s1 = { ...first.stackEntry };
    const accepted = await callNetSuite(s1, 'POST', 'record/v1/customer', {
      body: customer,
      headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': key },
    });
    await first.close();
    const second = await startNetSuiteSimulator({ dataFile: join(dir, 'netsuite.sqlite'), asyncJobDelayMs: 20 });
    try {
      const s2 = { ...second.stackEntry };
      // Generated credentials persist with the data, so the same tokens keep working after the restart.
      expect({ ...s2, url: '' }).toEqual({ ...s1, url: '' });
      const repeat = await callNetSuite(s2, 'POST', 'record/v1/customer', {
        body: customer,
        headers: { Prefer: 'respond-async', 'X-NetSuite-Idempotency-Key': key },
      });
      expect(repeat.status).toBe(400);
      expect(idFromLocation(repeat.headers.location)).toBe(idFromLocation(accepted.headers.location));
      const job = await pollJob(
        `${s2.url}/services/rest/async/v1/job/${idFromLocation(accepted.headers.location)}`,
        s2,
      );
      expect(job).toMatchObject({ completed: true, progress: 'succeeded' });
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
