/**
 * Socket Mode as Slack serves it (api.slack.com/apis/socket-mode): `apps.connections.open` with the app-level token
 * hands out a single-use `ws://…/link/?ticket=…` URL; on connect the server sends `hello`; each interaction arrives
 * as an envelope `{envelope_id, type:"interactive", payload, accepts_response_payload}` and the app acks with
 * `{envelope_id, payload?}` (the payload carries a view submission's response_action). No ack within the delivery
 * timeout is reported like a slow HTTP answer. Deliveries go to the newest open connection, as Slack picks one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DeliveryResult } from './interaction-delivery';
import { APP_ID } from './seed';
import type { JsonObject } from './types';
import { acceptUpgrade, type WebSocketConnection } from './websocket-server';

export const SOCKET_PATH = '/link/';
const SLACK_ACK_DEADLINE_MS = 3000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** Slack's connection URLs are short-lived; a ticket not used within this long is refused. */
const TICKET_TTL_MS = 60_000;

interface PendingAck {
  resolve: (answer: JsonObject | undefined) => void;
}

export class SocketModeHub {
  private readonly tickets = new Map<string, number>();
  private readonly connections: WebSocketConnection[] = [];
  private readonly pending = new Map<string, PendingAck>();

  constructor(
    private readonly baseWsUrl: () => string,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** `apps.connections.open`: a fresh single-use URL. */
  issueUrl(): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, this.now());
    return `${this.baseWsUrl()}${SOCKET_PATH}?ticket=${ticket}&app_id=${APP_ID}`;
  }

  get openConnections(): number {
    return this.connections.filter((c) => c.isOpen).length;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => this.upgrade(req, socket));
  }

  async deliver(payload: JsonObject): Promise<DeliveryResult> {
    const connection = [...this.connections].reverse().find((c) => c.isOpen);
    if (!connection) throw new Error('no Socket Mode connection is open');
    const envelopeId = randomUUID();
    const type = String(payload.type ?? '');
    const envelope = {
      envelope_id: envelopeId,
      type: 'interactive',
      payload,
      // Slack lets the ack carry a response for view submissions and option requests, not for button clicks.
      accepts_response_payload: type === 'view_submission' || type === 'block_suggestion',
    };
    const started = performance.now();
    const answer = await new Promise<JsonObject | undefined | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve('timeout');
      }, DELIVERY_TIMEOUT_MS);
      this.pending.set(envelopeId, {
        resolve: (a) => {
          clearTimeout(timer);
          this.pending.delete(envelopeId);
          resolve(a);
        },
      });
      connection.sendText(JSON.stringify(envelope));
    });
    const durationMs = Math.round(performance.now() - started);
    if (answer === 'timeout') return { status: 504, body: 'no ack on the socket', durationMs, ackedInTime: false };
    const hasBody = answer !== undefined && Object.keys(answer).length > 0;
    return {
      status: 200,
      body: hasBody ? JSON.stringify(answer) : '',
      ...(hasBody ? { json: answer } : {}),
      durationMs,
      ackedInTime: durationMs <= SLACK_ACK_DEADLINE_MS,
    };
  }

  /** Closes every connection with a close frame (1001 going away), so clients see a clean close on simulator stop. */
  close(): void {
    for (const c of [...this.connections]) c.close(1001);
    this.connections.length = 0;
  }

  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== SOCKET_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const ticket = url.searchParams.get('ticket') ?? '';
    const issued = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (issued === undefined || this.now() - issued > TICKET_TTL_MS) {
      this.log('socket refused: unknown or expired ticket');
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    const connection = acceptUpgrade(req, socket);
    if (!connection) return;
    this.connections.push(connection);
    connection.onClose = () => {
      const i = this.connections.indexOf(connection);
      if (i >= 0) this.connections.splice(i, 1);
      this.log(`socket closed (${this.openConnections} open)`);
    };
    connection.onMessage = (text) => this.receive(text);
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openConnections,
        debug_info: { host: 'applink-sandbox', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
    this.log(`socket connected (${this.openConnections} open)`);
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.log('socket message ignored: not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { envelope_id: envelopeId, payload } = message as { envelope_id?: unknown; payload?: unknown };
    if (typeof envelopeId !== 'string') return;
    const waiting = this.pending.get(envelopeId);
    if (!waiting) {
      this.log(`socket ack for unknown envelope ${envelopeId}`);
      return;
    }
    waiting.resolve(
      typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as JsonObject) : undefined,
    );
  }
}
