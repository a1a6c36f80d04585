/**
 * A Bolt Receiver fed by our fastify route instead of Bolt's own HTTP server: the route verifies the signature and
 * parses the body, then `dispatch` hands the payload to Bolt (which routes actions and views to the listeners) and
 * resolves with whatever the listener acked — as soon as it acks, so the HTTP answer never waits for the listener's
 * follow-up work (signalling Temporal, opening a modal).
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';

export type AckBody = string | Record<string, unknown> | undefined;

export type DispatchResult =
  | { kind: 'acked'; body: AckBody }
  /** No listener acked: Bolt had nothing for this payload. */
  | { kind: 'unhandled' }
  /** A listener failed before it acked. */
  | { kind: 'failed' }
  /** A listener took too long to ack; Slack would already show the user an error. */
  | { kind: 'timeout' };

export interface FastifyReceiverOptions {
  /** Answer before Slack's 3 s deadline even if no listener acked; default 2 500 ms. */
  ackTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

export class FastifyReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly opts: FastifyReceiverOptions = {}) {}

  init(app: App): void {
    this.app = app;
  }

  /** Nothing to start: the fastify app owns the socket. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async dispatch(
    body: Record<string, unknown>,
    retry: { num?: number; reason?: string } = {},
  ): Promise<DispatchResult> {
    const app = this.app;
    if (!app) throw new Error('FastifyReceiver used before the Bolt App was created');
    let acked = false;
    let resolveAck!: (r: DispatchResult) => void;
    const answer = new Promise<DispatchResult>((resolve) => (resolveAck = resolve));
    const event: ReceiverEvent = {
      body,
      ack: async (response?: AckBody) => {
        if (acked) return;
        acked = true;
        resolveAck({ kind: 'acked', body: response });
      },
      ...(retry.num !== undefined ? { retryNum: retry.num } : {}),
      ...(retry.reason !== undefined ? { retryReason: retry.reason } : {}),
    };
    const timer = setTimeout(() => resolveAck({ kind: 'timeout' }), this.opts.ackTimeoutMs ?? 2_500);
    app.processEvent(event).then(
      () => resolveAck({ kind: 'unhandled' }),
      (err: unknown) => {
        this.opts.onError?.(err);
        resolveAck({ kind: 'failed' });
      },
    );
    try {
      return await answer;
    } finally {
      clearTimeout(timer);
    }
  }
}
