/**
 * The payload codec (issue 21 item 6) on a real onboarding: with PAYLOAD_CODEC_KEYS set, the starter and the workers
 * encrypt every payload, so the history Temporal stores, read raw, holds no e-mail, company name or tax id; the codec
 * endpoint of the internal listener (ops/http/codec-routes.ts) decodes the same payloads for the Web UI, and a client
 * with the codec reads the run as usual. Real dev server, real workers and clients, simulators.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from '@temporalio/client';
import type { TransactionState } from '../../domain/transaction';
import { registerCodecRoutes, registerCodecRoutesFromEnv } from '../../ops/http/codec-routes';
import { AesGcmPayloadCodec, parseCodecKeys, processDataConverter } from '../../runtime/payload-codec';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { stateQuery } from '../../workflows/messages';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { historyToProtoJson } from './fixtures/history-json';
import {
  createSyntheticDeal,
  startRealVendors,
  uniqueExternalId,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

// Read lazily by processDataConverter(): set before any client or worker of this file exists. k2 encrypts, k1 (an
// older key) still decrypts.
const keys = `k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`;
process.env.PAYLOAD_CODEC_KEYS = keys;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Every payload in a proto-JSON history (anything with metadata + data). */
function payloadsIn(node: unknown, out: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(node)) for (const n of node) payloadsIn(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object))
      out.push(o as JsonPayload);
    else for (const v of Object.values(o)) payloadsIn(v, out);
  }
  return out;
}

function plainPaths(node: unknown, path = '', out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => plainPaths(n, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const enc = (o.metadata as Record<string, string> | undefined)?.encoding;
    if (enc && Buffer.from(enc, 'base64').toString() === 'json/plain') out.push(path);
    else for (const [k, v] of Object.entries(o)) plainPaths(v, `${path}.${k}`, out);
  }
  return out;
}

describe('payload codec: histories encrypted at rest, readable through the codec endpoint', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let app: FastifyInstance;
  let codecUrl: string;

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
    app = Fastify();
    registerCodecRoutes(app, {
      codec: new AesGcmPayloadCodec(parseCodecKeys(keys)),
      allowedOrigins: ['http://localhost:8233'],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    codecUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/codec`;
  });
  afterAll(async () => {
    await app?.close();
    await v?.close();
    await t?.close();
  });

  it('a run whose raw history shows no cleartext personal data decodes through /codec/decode', async () => {
    expect(processDataConverter().payloadCodecs).toHaveLength(1);
    const taskQueue = uniqueTaskQueue('payload-codec');
    await withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        expect(deal.email).toContain('@');
        const externalId = uniqueExternalId('codec');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          { externalId, pipedriveDealId: deal.dealId, eventId: 'evt-codec', receivedAt: new Date().toISOString() },
          { taskQueue },
        );

        // A client with the codec reads the run as any client did before.
        const reader = new Client({
          connection: t.connection,
          namespace: t.namespace,
          dataConverter: processDataConverter(),
        });
        const done = (await reader.workflow.getHandle(externalId).result()) as TransactionState;
        expect(done.state).toBe('COMPLETED');
        expect((await reader.workflow.getHandle(externalId).query(stateQuery)).pipedriveDealId).toBe(deal.dealId);

        // Read raw (t.client has no codec; fetchHistory never decodes): ciphertext only.
        const raw = historyToProtoJson(await t.client.workflow.getHandle(externalId).fetchHistory());
        const rawText = JSON.stringify(raw);
        const decodedText = (p: JsonPayload): string => Buffer.from(p.data ?? '', 'base64').toString('utf8');
        const encodingOf = (p: JsonPayload): string =>
          Buffer.from(p.metadata?.encoding ?? '', 'base64').toString('utf8');
        const payloads = payloadsIn(raw).filter((p) => encodingOf(p) === 'binary/encrypted');
        expect(payloads.length).toBeGreaterThan(10);
        // In clear only what Temporal must read itself: search attributes (indexed by the server) and the SDK's own
        // marker bookkeeping (patch ids, a local activity's attempt and times); its result is encrypted.
        expect(
          plainPaths(raw).filter(
            (path) =>
              !/\.searchAttributes\.indexedFields\.|\.markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(
                path,
              ),
          ),
        ).toEqual([]);
        expect(
          new Set(payloads.map((p) => Buffer.from(p.metadata?.['encryption-key-id'] ?? '', 'base64').toString('utf8'))),
        ).toEqual(new Set(['k2']));
        for (const secret of [deal.email!, deal.orgName, `"pipedriveDealId":"${deal.dealId}"`]) {
          expect(rawText).not.toContain(secret);
          expect(payloadsIn(raw).map(decodedText).join('\n')).not.toContain(secret);
        }

        // The codec endpoint, as the Web UI calls it, gives the payloads back in clear.
        const preflight = await fetch(`${codecUrl}/decode`, {
          method: 'OPTIONS',
          headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
        const res = await fetch(`${codecUrl}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://localhost:8233', 'x-namespace': t.namespace },
          body: JSON.stringify({ payloads }),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
        const decoded = ((await res.json()) as { payloads: JsonPayload[] }).payloads;
        expect(decoded).toHaveLength(payloads.length);
        expect(decoded.map(encodingOf).filter((e) => e !== 'json/plain' && e !== 'binary/null')).toEqual([]);
        const clear = decoded.map(decodedText).join('\n');
        expect(clear).toContain(deal.email!);
        expect(clear).toContain(deal.orgName);
        expect(clear).toContain(`"pipedriveDealId":"${deal.dealId}"`);
      },
    );
  }, 120_000);

  it('old unencrypted payloads still decode; a key rotation keeps the old key readable; an unknown key is refused', async () => {
    const [k2, k1] = parseCodecKeys(keys);
    const plain = {
      metadata: { encoding: new Uint8Array(Buffer.from('json/plain')) },
      data: new Uint8Array(Buffer.from('{"email":"ap@example.com"}')),
    };
    const current = new AesGcmPayloadCodec([k2!, k1!]);
    expect(await current.decode([plain])).toEqual([plain]);
    const [byOld] = await new AesGcmPayloadCodec([k1!]).encode([plain]);
    expect(await current.decode([byOld!])).toEqual([plain]);
    const [byNew] = await current.encode([plain]);
    await expect(new AesGcmPayloadCodec([k1!]).decode([byNew!])).rejects.toThrow(/key "k2"/);
    const tampered = { ...byNew!, data: new Uint8Array(byNew!.data!) };
    tampered.data[20] = tampered.data[20]! ^ 1;
    await expect(current.decode([tampered])).rejects.toThrow();
    const res = await fetch(`${codecUrl}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payloads: 'nope' }),
    });
    expect(res.status).toBe(400);
  });

  it('refuses malformed keys, naming the entry but never the key', () => {
    expect(() => parseCodecKeys('k1:c2hvcnQ=')).toThrow(/key k1 is 5 bytes/);
    expect(() => parseCodecKeys('no-colon')).toThrow(/entry 1 must be/);
    expect(parseCodecKeys('')).toEqual([]);
    expect(parseCodecKeys(undefined)).toEqual([]);
  });

  it('the internal listener gets the endpoint only when a key is configured, with the Web UI origins from the environment', async () => {
    const serve = async (env: NodeJS.ProcessEnv): Promise<{ url: string; close: () => Promise<void> }> => {
      const a = Fastify();
      registerCodecRoutesFromEnv(a, env);
      await a.listen({ host: '127.0.0.1', port: 0 });
      const address = a.server.address();
      return {
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/codec`,
        close: () => a.close(),
      };
    };
    const json = { 'content-type': 'application/json' };
    const off = await serve({});
    const on = await serve({ PAYLOAD_CODEC_KEYS: keys, PAYLOAD_CODEC_CORS_ORIGINS: 'https://temporal-ui.example.com' });
    try {
      expect(
        (await fetch(`${off.url}/decode`, { method: 'POST', headers: json, body: '{"payloads":[]}' })).status,
      ).toBe(404);
      const preflight = await fetch(`${on.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'https://temporal-ui.example.com' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://temporal-ui.example.com');
      const stranger = await fetch(`${on.url}/encode`, {
        method: 'POST',
        headers: { ...json, origin: 'https://evil.example' },
        body: '{"payloads":[]}',
      });
      expect(stranger.status).toBe(200);
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await off.close();
      await on.close();
    }
  });
});
