/**
 * The codec endpoint on the internal listener (docs/payload-codec.md): POST /codec/encode and /codec/decode as Temporal's
 * remote codec contract has them (`{ "payloads": [ { "metadata": { k: base64 }, "data": base64 } ] }` in and out), so
 * the Temporal Web UI's "Codec Server" setting and `temporal workflow show --codec-endpoint` can show histories that
 * the payload codec (runtime/payload-codec.ts) encrypted. Answers the Web UI's CORS preflight for the origins given.
 * Not registered when no codec key is configured (payloads are then in clear and need no codec).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { payloadCodecFromEnv } from '../../runtime/payload-codec';

/** The Web UI of `temporal server start-dev` (port + 1000); others via PAYLOAD_CODEC_CORS_ORIGINS. */
export const DEFAULT_WEB_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
/** A history page of payloads; far above the listener's default 1 KiB, far below what would hurt. */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;
const MAX_PAYLOADS = 10_000;

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call the endpoint (the Temporal Web UI's). */
  allowedOrigins: readonly string[];
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(String(v), 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

function readPayloads(body: unknown): JsonPayload[] | string {
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) return 'body must be {"payloads": [...]}';
  if (payloads.length > MAX_PAYLOADS) return `at most ${MAX_PAYLOADS} payloads per request`;
  if (!payloads.every((p) => typeof p === 'object' && p !== null)) return 'every payload must be an object';
  return payloads as JsonPayload[];
}

export function registerCodecRoutes(app: FastifyInstance, opts: CodecRoutesOptions): void {
  const cors = (request: FastifyRequest, reply: FastifyReply): void => {
    const origin = request.headers.origin;
    if (origin === undefined || !opts.allowedOrigins.includes(origin)) return;
    reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      .header('access-control-allow-credentials', 'true')
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
      .header('access-control-max-age', '600');
  };
  for (const op of ['encode', 'decode'] as const) {
    const url = `/codec/${op}`;
    app.options(url, async (request, reply) => {
      cors(request, reply);
      return reply.code(204).send();
    });
    app.post(url, { bodyLimit: CODEC_BODY_LIMIT }, async (request, reply) => {
      cors(request, reply);
      const payloads = readPayloads(request.body);
      if (typeof payloads === 'string') return reply.code(400).send({ error: 'bad_request', message: payloads });
      try {
        const out = await opts.codec[op](payloads.map(fromJson));
        return { payloads: out.map(toJson) };
      } catch (err) {
        // A payload under a key this process lacks, or tampered with: say which, never echo the payload.
        return reply.code(400).send({ error: 'codec_failed', message: (err as Error).message.split('\n')[0] });
      }
    });
  }
}

/**
 * The internal listener's registration: the process's codec keys and the Web UI origins from the environment
 * (PAYLOAD_CODEC_CORS_ORIGINS, comma-separated); nothing is registered when no key is configured.
 */
export function registerCodecRoutesFromEnv(app: FastifyInstance, env: NodeJS.ProcessEnv = process.env): void {
  const codec = payloadCodecFromEnv(env);
  if (!codec) return;
  const origins = (env.PAYLOAD_CODEC_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  registerCodecRoutes(app, { codec, allowedOrigins: origins.length > 0 ? origins : DEFAULT_WEB_UI_ORIGINS });
}
