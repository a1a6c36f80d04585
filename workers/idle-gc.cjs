// @ts-check
/**
 * Loaded with `--require` (and `--expose-gc`) into every thread of the worker process: the main thread and the
 * Temporal SDK's workflow thread, which only a preload can reach. V8 collects when allocation fills the heap, so a
 * worker that goes quiet after a burst keeps the burst's garbage and heap slack resident indefinitely; V8's memory
 * reducer did not shrink it here (bench P4: 1,000 parked, still 424 MB a minute later; a full GC in both threads
 * brought it to 314 MB). Every WORKER_IDLE_GC_SECONDS (default 10; 0 = off) a thread that was idle over the whole
 * interval (event-loop utilisation under 5%) and has grown since its last such collection, by 8 MB of live heap or
 * 8 MB of heap the process holds for it, runs one full GC; a busy thread is left to V8, and an idle one is collected
 * once, not again until it has worked. The held figure is the one RSS sees: a short burst (an ops tick, a batch of
 * activations) grows the young generation to its 32 MB limit, and the scavenges that follow keep the live heap flat,
 * so by live heap alone the main thread sat idle with 32 MB of empty young generation (bench P4 at 3,000 parked:
 * 293 MB where a minute earlier, before the burst, it was 261 MB); a full collection hands it back.
 * Plain CommonJS: it runs before any TypeScript loader is in place, in threads the SDK creates.
 */
const { performance } = require('node:perf_hooks');
const v8 = require('node:v8');

const seconds = Number(process.env.WORKER_IDLE_GC_SECONDS ?? 10);
const gc = /** @type {undefined | (() => void)} */ (/** @type {Record<string, unknown>} */ (globalThis).gc);
const IDLE_UTILISATION = 0.05;
const MIN_GROWTH_BYTES = 8 * 1024 * 1024;

if (typeof gc === 'function' && Number.isFinite(seconds) && seconds > 0) {
  let last = performance.eventLoopUtilization();
  let after = v8.getHeapStatistics();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    const idle = performance.eventLoopUtilization(now, last).utilization < IDLE_UTILISATION;
    last = now;
    if (!idle) return;
    const heap = v8.getHeapStatistics();
    if (
      heap.used_heap_size - after.used_heap_size >= MIN_GROWTH_BYTES ||
      heap.total_physical_size - after.total_physical_size >= MIN_GROWTH_BYTES
    ) {
      gc();
      after = v8.getHeapStatistics();
      // The collection itself is not work: measure the next interval from here.
      last = performance.eventLoopUtilization();
    }
  }, seconds * 1000).unref();
}
