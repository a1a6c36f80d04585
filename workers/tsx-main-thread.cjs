// @ts-check
/**
 * Loaded with `--require` into the worker process instead of `--import tsx`: TypeScript is compiled by tsx's
 * CommonJS hooks in the main thread only. `--import tsx` also starts a loader-hooks thread (its own V8 isolate) and,
 * through the inherited execArgv, loads tsx into every workflow thread the SDK starts, which run bundled JavaScript
 * and need none of it: ~22 MB of RSS on a fresh worker (docs/proof.md, "Lean worker"). The code is CommonJS
 * (tsconfig.json), so nothing needs the ESM hooks.
 */
if (require('node:worker_threads').isMainThread) require('tsx/cjs');
