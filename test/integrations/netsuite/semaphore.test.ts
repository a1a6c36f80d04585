/** The in-process semaphore: never more than the limit, first come first served, slots always returned. */
import { Semaphore } from '../../../integrations/netsuite/semaphore';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('holds at most `limit`, counts the queue, and hands slots over in arrival order', async () => {
  const sem = new Semaphore(2);
  const order: number[] = [];
  const releases: Array<() => void> = [];
  const waiters = [1, 2, 3, 4].map((n) => sem.acquire().then((release) => (order.push(n), releases.push(release))));
  await tick();
  expect(order).toEqual([1, 2]);
  expect([sem.inFlight, sem.queued]).toEqual([2, 2]);

  releases[0]?.();
  releases[0]?.(); // A second release of the same slot must not free another one.
  await tick();
  expect(order).toEqual([1, 2, 3]);
  expect([sem.inFlight, sem.queued]).toEqual([2, 1]);

  releases[1]?.();
  await Promise.all(waiters);
  expect(order).toEqual([1, 2, 3, 4]);
  releases[2]?.();
  releases[3]?.();
  expect([sem.inFlight, sem.queued]).toEqual([0, 0]);
});

test('run releases the slot when the task throws', async () => {
  const sem = new Semaphore(1);
  await expect(sem.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(sem.inFlight).toBe(0);
  await expect(sem.run(async () => 'next')).resolves.toBe('next');
});

test('a limit below 1 is a configuration error', () => {
  expect(() => new Semaphore(0)).toThrow(RangeError);
  expect(() => new Semaphore(1.5)).toThrow(RangeError);
});
