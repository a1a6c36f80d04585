/**
 * A FIFO counting semaphore. NetSuite governs concurrency per account (one pool shared by REST, SOAP and RESTlets) and
 * answers the request over the limit with 429 at once; queueing in-process turns a burst into latency instead of errors.
 * Written here because p-limit is ESM-only and this project is CommonJS.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`Semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Holders of a slot right now. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is held; releasing twice is a no-op. */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active += 1;
    } else {
      // The releaser hands its slot straight to us (active stays the same), so a newcomer can never overtake the queue.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active -= 1;
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }
}
