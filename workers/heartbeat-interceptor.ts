/**
 * Every activity heartbeats while it runs, so that with a heartbeatTimeout on its stub (workflows/activity-proxies.ts)
 * a worker that dies (kill -9, out of memory, a lost host) hands its activities back within seconds instead of after
 * their startToCloseTimeout of 30–60 s (bench R1). An activity shorter than the beat interval never beats, so the fast
 * vendor calls cost the server nothing; a slow one (a NetSuite request near its limit) sends one beat per
 * throttle interval. Local activities run inside a workflow task and cannot beat.
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/** Well inside ACTIVITY_HEARTBEAT_TIMEOUT (the SDK forwards at most one beat per 0.8 × that timeout). */
export const HEARTBEAT_EVERY_MS = 2_000;

export function heartbeatWhileRunning(ctx: Context): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next) {
        if (ctx.info.isLocal) return next(input);
        const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  };
}
