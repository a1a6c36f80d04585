/** A tiny HTTP server standing in for the app's webhook endpoint, with scriptable answers per delivery. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody } from '../../../sandbox/pipedrive';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: WebhookBody;
  /** Date.now() when the delivery arrived. */
  at: number;
}

/** 'ok' → 200, 'fail' → 500, 'hang' → never answer (the simulator's timeout fires). */
export type Answer = 'ok' | 'fail' | 'hang';

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  waitFor(predicate: (received: ReceivedDelivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  answer: (delivery: ReceivedDelivery, index: number) => Answer = () => 'ok',
): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const delivery = {
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody,
        at: Date.now(),
      };
      received.push(delivery);
      const what = answer(delivery, received.length - 1);
      if (what === 'hang') hanging.push(res);
      else res.writeHead(what === 'ok' ? 200 : 500).end(what);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/pipedrive`,
    received,
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(`receiver condition not met within ${timeoutMs} ms (got ${received.length} deliveries)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
