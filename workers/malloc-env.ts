/**
 * glibc settings for the worker process, set in the environment it starts with (glibc reads them at exec). By
 * default glibc raises its mmap threshold (up to 32 MB) each time a large block is freed, so later large buffers
 * (the Rust core's and gRPC's messages) come from the arenas, and freed space there is seldom returned. In the stack,
 * a fresh worker crept from ~175 to ~193 MB over 10 idle minutes. With both thresholds fixed at 128 KiB it idled at
 * ~160 MB (docs/proof.md, "Lean worker"). A value already in the environment wins.
 */
export const WORKER_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' } as const;

export function withWorkerMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...WORKER_MALLOC_ENV, ...env };
}
