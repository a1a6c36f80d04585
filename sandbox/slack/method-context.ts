/** What every Web API method handler gets besides its arguments. */
import type { Args } from './method-args';
import type { StateStore } from './state-store';

export interface MethodContext {
  store: StateStore;
  nowMs: () => number;
  triggerTtlMs: number;
}

export type SlackMethod = (args: Args, ctx: MethodContext) => Record<string, unknown>;
