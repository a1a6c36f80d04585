/** What every Web API method handler gets besides its arguments. */
import type { Args } from './method-args';
import type { SocketModeHub } from './socket-mode';
import type { StateStore } from './state-store';

export interface MethodContext {
  store: StateStore;
  nowMs: () => number;
  triggerTtlMs: number;
  /** Socket Mode connections (apps.connections.open). */
  socket?: SocketModeHub;
}

export type SlackMethod = (args: Args, ctx: MethodContext) => Record<string, unknown>;
