/** Shared by the admin routes: the state, the limiter, and where the simulator itself is reachable. */
import type { RateLimiter } from './rate-limiter';
import type { SocketModeHub } from './socket-mode';
import type { StateStore } from './state-store';

export interface SimContext {
  store: StateStore;
  limiter: RateLimiter;
  /** http://127.0.0.1:<port>, known once listening; response_url links are built on it. */
  baseUrl: () => string;
  nowMs: () => number;
  log: (line: string) => void;
  /** Socket Mode connections; interactions go there instead of the interactivity URL while socket mode is on. */
  socket: SocketModeHub;
}

/** An admin-route failure with its HTTP status (admin routes are ours, so they use ordinary status codes). */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail?: string,
  ) {
    super(code);
  }
}

/** Past this age a trigger is useless even to a lenient views.open, so it is dropped from the state file. */
const KEEP_TRIGGERS_MS = 10 * 60_000;
const KEEP_DELIVERIES = 200;

export function pruneHistory(ctx: SimContext): void {
  const data = ctx.store.data;
  const now = ctx.nowMs();
  data.triggers = data.triggers.filter((t) => now - t.issuedAtMs < KEEP_TRIGGERS_MS);
  if (data.deliveries.length > KEEP_DELIVERIES) data.deliveries = data.deliveries.slice(-KEEP_DELIVERIES);
}
