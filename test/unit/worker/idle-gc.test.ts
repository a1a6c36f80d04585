import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDLE_GC_PRELOAD, workerNodeArgs } from '../../../runtime/node-flags';

/**
 * A child Node runs the preload as the worker does, in its main thread and in a worker thread (as the SDK's workflow
 * thread): each thread allocates 40 MB of garbage, then idles; it reports whether a full (major) GC happened while
 * idle and its used heap before and after.
 */
const CHILD = `
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const v8 = require('node:v8');
async function probe() {
  if (process.env.PROBE_SCAVENGED) {
    // Short-lived garbage only, already scavenged: the young generation grew, the live heap did not.
    let ring = new Array(2000);
    for (let i = 0; i < 3_000_000; i++) ring[i % 2000] = { i, s: 'y'.repeat(32) + i };
    ring = null;
    gc({ type: 'minor' });
  } else {
    let keep = [];
    for (let i = 0; i < 400_000; i++) keep.push({ i, s: 'x'.repeat(64) + i });
    keep = null;
  }
  const before = v8.getHeapStatistics().used_heap_size;
  let majors = 0;
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 2600));
  obs.disconnect();
  return { majors, beforeMb: before / 2 ** 20, afterMb: v8.getHeapStatistics().used_heap_size / 2 ** 20 };
}
if (isMainThread) {
  const w = new Worker(__filename);
  w.once('message', async (thread) => { console.log(JSON.stringify({ main: await probe(), thread })); w.terminate(); });
} else {
  probe().then((r) => parentPort.postMessage(r));
}`;

interface ThreadReport {
  majors: number;
  beforeMb: number;
  afterMb: number;
}
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idle-gc-'));
  writeFileSync(join(dir, 'probe.cjs'), CHILD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(env: Record<string, string>): { main: ThreadReport; thread: ThreadReport } {
  const file = join(dir, 'probe.cjs');
  const out = spawnSync(process.execPath, [...workerNodeArgs({ nodeFlags: [], idleGcSeconds: 1 }), file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
  if (out.status !== 0) throw new Error(`probe child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!);
}

describe('idle GC preload (workers/idle-gc.cjs)', () => {
  it('is what the worker starts with, unless WORKER_IDLE_GC_SECONDS is 0', () => {
    expect(workerNodeArgs({ nodeFlags: ['--max-semi-space-size=2'], idleGcSeconds: 10 })).toEqual([
      '--expose-gc',
      '--require',
      IDLE_GC_PRELOAD,
      '--max-semi-space-size=2',
    ]);
    expect(workerNodeArgs({ nodeFlags: [], idleGcSeconds: 0 })).toEqual([]);
  });

  it('collects the garbage of an idle main thread and of an idle worker thread', () => {
    const r = run({ WORKER_IDLE_GC_SECONDS: '1' });
    for (const t of [r.main, r.thread]) {
      expect(t.majors).toBeGreaterThanOrEqual(1);
      expect(t.beforeMb - t.afterMb).toBeGreaterThan(20);
    }
  });

  it('collects an idle thread whose heap grew in size though not in live objects (an emptied young generation)', () => {
    const r = run({ WORKER_IDLE_GC_SECONDS: '1', PROBE_SCAVENGED: '1' });
    for (const t of [r.main, r.thread]) expect(t.majors).toBeGreaterThanOrEqual(1);
  });

  it('leaves the heap to V8 when switched off', () => {
    const r = run({ WORKER_IDLE_GC_SECONDS: '0' });
    for (const t of [r.main, r.thread]) {
      expect(t.majors).toBe(0);
      expect(t.beforeMb - t.afterMb).toBeLessThan(5);
    }
  });
});
