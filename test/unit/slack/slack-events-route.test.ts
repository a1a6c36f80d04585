/**
 * `POST /slack/events` in isolation (fastify on a free port, a recording dispatcher instead of Bolt + Temporal): what is
 * refused before anything is parsed, what is parsed how, and how a listener's ack becomes the HTTP answer.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../../runtime/config';
import { createLogger } from '../../../runtime/logger';
import { signSlackRequest } from '../../../sandbox/slack';
import type { AppContext } from '../../../starters/http/app-context';
import type { DispatchResult } from '../../../starters/slack/fastify-receiver';
import { parseSlackBody, registerSlackEventsRoute } from '../../../starters/slack/slack-events-route';

const SECRET = 'test-signing-secret';

function context(withSlack = true): AppContext {
  return {
    config: parseConfig({
      LOG_LEVEL: 'silent',
      ...(withSlack
        ? {
            SLACK_BOT_TOKEN: 'xoxb-test',
            SLACK_SIGNING_SECRET: SECRET,
            SLACK_REVIEW_CHANNEL: 'C0REVIEW',
            SLACK_REVIEWER_IDS: 'U1',
          }
        : {}),
    }),
    log: createLogger('route-test', 'silent'),
    connection: {} as Connection,
    client: {} as Client,
    registry: new Registry(),
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
}

async function post(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers.entries()),
    body: text,
    json: () => JSON.parse(text) as unknown,
  };
}

describe('POST /slack/events', () => {
  let app: FastifyInstance;
  let url: string;
  const dispatched: Array<Record<string, unknown>> = [];
  let answer: DispatchResult = { kind: 'acked', body: undefined };

  beforeAll(async () => {
    app = Fastify();
    registerSlackEventsRoute(app, context(), {
      dispatch: async (body) => {
        dispatched.push(body);
        return answer;
      },
    });
    url = await listen(app);
  });
  afterAll(async () => app.close());
  beforeEach(() => {
    dispatched.length = 0;
    answer = { kind: 'acked', body: undefined };
  });

  const send = (
    raw: string,
    opts: { secret?: string; skewSec?: number; contentType?: string; signature?: string | null } = {},
  ) => {
    const ts = Math.floor(Date.now() / 1000) + (opts.skewSec ?? 0);
    const headers: Record<string, string> = {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
    };
    if (opts.signature !== null)
      headers['x-slack-signature'] = opts.signature ?? signSlackRequest(opts.secret ?? SECRET, ts, raw);
    return post(url, headers, raw);
  };
  const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

  it('hands a signed payload= body to Bolt, parsed, and answers with the ack', async () => {
    const res = await send(
      form({ type: 'block_actions', actions: [{ action_id: 'review_retry', value: '{"externalId":"x"}' }] }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(dispatched).toEqual([
      { type: 'block_actions', actions: [{ action_id: 'review_retry', value: '{"externalId":"x"}' }] },
    ]);
  });

  it.each([
    ['a wrong secret', { secret: 'other' }],
    ['a timestamp 11 minutes old', { skewSec: -11 * 60 }],
    ['no signature', { signature: null }],
    ['another signature version', { signature: 'v1=abc' }],
  ])('refuses %s with 401 JSON before parsing anything', async (_name, opts) => {
    const res = await send(form({ type: 'block_actions' }), opts);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ error: 'invalid_signature' });
    expect(dispatched).toEqual([]);
  });

  it('refuses a body changed after signing', async () => {
    const raw = form({ type: 'block_actions', user: { id: 'U1' } });
    const ts = Math.floor(Date.now() / 1000);
    const res = await post(
      url,
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signSlackRequest(SECRET, ts, raw),
      },
      raw.replace('U1', 'U2'),
    );
    expect(res.statusCode).toBe(401);
  });

  it('answers the view_submission ack body as JSON (response_action)', async () => {
    answer = {
      kind: 'acked',
      body: { response_action: 'errors', errors: { 'organization.taxId': 'Enter the corrected value.' } },
    };
    const res = await send(form({ type: 'view_submission' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { 'organization.taxId': 'Enter the corrected value.' },
    });
  });

  it('answers url_verification with the challenge, and 400 for unreadable or foreign bodies', async () => {
    const challenge = await send(JSON.stringify({ type: 'url_verification', challenge: 'abc' }), {
      contentType: 'application/json',
    });
    expect(challenge.json()).toEqual({ challenge: 'abc' });
    expect((await send('payload=%7Bnot-json', {})).statusCode).toBe(400);
    expect((await send('hello', { contentType: 'text/plain' })).statusCode).toBe(400);
    expect(dispatched).toEqual([]);
  });

  it('says 404 when no listener took the payload and 500 when one failed', async () => {
    answer = { kind: 'unhandled' };
    expect((await send(form({ type: 'block_actions' }))).statusCode).toBe(404);
    answer = { kind: 'failed' };
    expect((await send(form({ type: 'block_actions' }))).statusCode).toBe(500);
  });

  it('is 503 when Slack is not configured', async () => {
    const bare = Fastify();
    registerSlackEventsRoute(bare, context(false));
    const res = await post(await listen(bare), { 'content-type': 'application/x-www-form-urlencoded' }, 'payload={}');
    expect(res.statusCode).toBe(503);
    await bare.close();
  });
});

describe('parseSlackBody', () => {
  it('reads payload=, plain form fields (slash commands) and JSON', () => {
    expect(
      parseSlackBody('application/x-www-form-urlencoded', 'payload=%7B%22type%22%3A%22block_actions%22%7D'),
    ).toEqual({ type: 'block_actions' });
    expect(parseSlackBody('application/x-www-form-urlencoded', 'command=%2Fonboard&text=x')).toEqual({
      command: '/onboard',
      text: 'x',
    });
    expect(parseSlackBody('application/json; charset=utf-8', '{"type":"event_callback"}')).toEqual({
      type: 'event_callback',
    });
    expect(() => parseSlackBody('application/x-www-form-urlencoded', 'payload=%5B1%5D')).toThrow(/JSON object/);
  });
});
