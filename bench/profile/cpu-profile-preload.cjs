/**
 * A main-thread CPU profile of every stack process whose command line matches CPU_PROFILE_MATCH (a regular
 * expression, e.g. "starters/http/main.ts" for the app), written to CPU_PROFILE_DIR/<pid>.cpuprofile when the
 * process exits, with `wallStart` (ms since the epoch) added so a phase of a benchmark can be cut out of it by wall
 * time (bench/profile/cpu-profile-slice.ts). Node refuses --cpu-prof in NODE_OPTIONS; a --require is allowed:
 *
 *   NODE_OPTIONS="--require $PWD/bench/profile/cpu-profile-preload.cjs" CPU_PROFILE_MATCH=starters/http/main.ts \
 *     CPU_PROFILE_DIR=/tmp/prof npm run bench -- webhook-ack
 *
 * Samples every CPU_PROFILE_INTERVAL_US (500 µs). Worker threads (the SDK's workflow threads, the outbox writer) are
 * not profiled.
 */
const { isMainThread } = require('node:worker_threads');

const match = process.env.CPU_PROFILE_MATCH;
if (isMainThread && match && new RegExp(match).test(process.argv.join(' '))) {
  const inspector = require('node:inspector');
  const { mkdirSync, writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const dir = process.env.CPU_PROFILE_DIR || '/tmp';
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.CPU_PROFILE_INTERVAL_US || 500) });
  session.post('Profiler.start');
  const wallStart = Date.now();
  let written = false;
  // The inspector answers a same-thread session synchronously, so the profile is written within the exit handler.
  process.on('exit', () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, res) => {
      if (err || !res) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify({ ...res.profile, wallStart }));
    });
  });
}
