/** Async upsert (Prefer: respond-async) under an idempotency key, job polling, and failed jobs as VendorErrors. */
import { v4 as uuid } from 'uuid';
import type { NetSuiteClient } from '../../../integrations/netsuite';
import { VendorError } from '../../../integrations/vendor-error';
import { startNetSuiteSimulator, type RunningNetSuiteSimulator } from '../../../sandbox/netsuite';
import { clientFor, customerBody, simAdmin, thrown } from './fixtures';

let sim: RunningNetSuiteSimulator;
let client: NetSuiteClient;

beforeAll(async () => {
  sim = await startNetSuiteSimulator({ asyncJobDelayMs: 800 });
  client = clientFor(sim);
});
afterAll(() => sim.close());
afterEach(() => simAdmin.reset(sim));

/** What the workflow does with durable timers, compressed: poll until the job says completed. */
async function waitForJob(jobId: string): Promise<string> {
  for (let i = 0; i < 100; i += 1) {
    const job = await client.getJob(jobId);
    if (job.completed) return job.progress;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} never completed`);
}

test('async upsert: job pending, then succeeded; the outcome names the customer; the same key returns the same job', async () => {
  const key = uuid();
  const first = await client.upsertCustomerAsync('PD-ASYNC-1', customerBody('PD-ASYNC-1'), key);
  expect(first).toMatchObject({ jobId: expect.stringMatching(/^\d+$/), reused: false });
  expect(first.jobUrl).toContain(`/services/rest/async/v1/job/${first.jobId}`);
  expect(await client.getJob(first.jobId)).toEqual({ completed: false, progress: 'pending' });
  await expect(client.getJobOutcome(first.jobId)).rejects.toMatchObject({
    kind: 'transient',
    extra: { code: 'JOB_PENDING' },
  });

  // A retried activity repeats the call with the same key while the job is still pending: same job, no new one.
  const again = await client.upsertCustomerAsync('PD-ASYNC-1', customerBody('PD-ASYNC-1'), key);
  expect(again).toEqual({ ...first, reused: true });

  expect(await waitForJob(first.jobId)).toBe('succeeded');
  const outcome = await client.getJobOutcome(first.jobId);
  expect(outcome.ok).toBe(true);
  expect(outcome.customerId).toMatch(/^\d+$/);
  expect((await client.getCustomerByExternalId('PD-ASYNC-1'))?.id).toBe(outcome.customerId);

  // And after completion too.
  expect(await client.upsertCustomerAsync('PD-ASYNC-1', customerBody('PD-ASYNC-1'), key)).toEqual({
    ...first,
    reused: true,
  });
  expect((await simAdmin.stats(sim)).asyncJobs.submitted).toBe(1);
});

test('a job NetSuite refuses (missing companyName) fails; its outcome is a validation VendorError with the path', async () => {
  const { jobId } = await client.upsertCustomerAsync(
    'PD-ASYNC-BAD',
    customerBody('PD-ASYNC-BAD', { companyName: '' }),
    uuid(),
  );
  expect(await waitForJob(jobId)).toBe('failed');
  const err = (await thrown(() => client.getJobOutcome(jobId))) as VendorError;
  expect(err).toBeInstanceOf(VendorError);
  expect(err.kind).toBe('validation');
  expect(err.extra).toMatchObject({ status: 400, code: 'USER_ERROR' });
  expect(err.extra.details?.[0]).toMatchObject({ code: 'USER_ERROR', path: 'companyName' });
  expect(err.message).toContain(`async job ${jobId}`);
});

test('a job that fails inside NetSuite (UNEXPECTED_ERROR) is transient, and nothing was written', async () => {
  await simAdmin.faults(sim, { asyncJobFailureRate: 1 });
  const { jobId } = await client.upsertCustomerAsync('PD-ASYNC-500', customerBody('PD-ASYNC-500'), uuid());
  expect(await waitForJob(jobId)).toBe('failed');
  const err = (await thrown(() => client.getJobOutcome(jobId))) as VendorError;
  expect(err.kind).toBe('transient');
  expect(err.extra).toMatchObject({ status: 500, code: 'UNEXPECTED_ERROR' });
  await expect(client.getCustomerByExternalId('PD-ASYNC-500')).resolves.toBeUndefined();
});

test('an idempotency key that is not a UUID is refused before any request', async () => {
  const before = (await simAdmin.stats(sim)).total;
  const err = (await thrown(() =>
    client.upsertCustomerAsync('PD-ASYNC-KEY', customerBody('PD-ASYNC-KEY'), 'not-a-uuid'),
  )) as VendorError;
  expect(err.kind).toBe('validation');
  expect((await simAdmin.stats(sim)).total).toBe(before);
});

test('an unknown job id ⇒ not_found', async () => {
  await expect(client.getJob('987654')).rejects.toMatchObject({ kind: 'not_found', extra: { code: 'NONEXISTENT_ID' } });
});
