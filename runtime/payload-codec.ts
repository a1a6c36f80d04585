/**
 * End-to-end encryption of Temporal payloads (issue 21 item 6): deal data (e-mails, phones, tax ids, addresses) is
 * encrypted by the clients and workers before it reaches Temporal, so histories, the visibility store and a Web UI
 * without the codec endpoint show ciphertext only. AES-256-GCM (node:crypto) with a random 96-bit IV per payload;
 * the whole Payload (its metadata and data) is encrypted, so the stored payload says nothing but the key id.
 *
 * Keys come from PAYLOAD_CODEC_KEYS="k2:<base64 of 32 bytes>,k1:<…>": the first one encrypts, every one decrypts (a
 * rotation adds a new first key and keeps the old ones until the histories they encrypted are past retention).
 * Payloads written before the codec was turned on (no `binary/encrypted` encoding) pass through decode unchanged.
 * See docs/payload-codec.md.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata key Temporal's samples use for the key id, so their tooling reads our payloads. */
export const METADATA_KEY_ID = 'encryption-key-id';
export const PAYLOAD_CODEC_KEYS_ENV = 'PAYLOAD_CODEC_KEYS';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

export interface CodecKey {
  id: string;
  key: Buffer;
}

/**
 * Parses `id:<base64>` entries separated by commas; throws naming the entry (never the key) when one is malformed.
 * An empty or unset value means no codec.
 */
export function parseCodecKeys(value: string | undefined): CodecKey[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const keys: CodecKey[] = [];
  for (const [i, entry] of entries.entries()) {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    if (!KEY_ID.test(id))
      throw new Error(
        `${PAYLOAD_CODEC_KEYS_ENV}: entry ${i + 1} must be <key id>:<base64 of 32 bytes>, with a key id of letters, digits, '.', '_' or '-'`,
      );
    const key = Buffer.from(entry.slice(at + 1), 'base64');
    if (key.length !== 32)
      throw new Error(
        `${PAYLOAD_CODEC_KEYS_ENV}: key ${id} is ${key.length} bytes once decoded; AES-256 needs 32 (e.g. \`openssl rand -base64 32\`)`,
      );
    if (keys.some((k) => k.id === id)) throw new Error(`${PAYLOAD_CODEC_KEYS_ENV}: key id ${id} is given twice`);
    keys.push({ id, key });
  }
  return keys;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  /** Encrypts with the first key. */
  readonly encryptKeyId: string;

  constructor(keys: readonly CodecKey[]) {
    const first = keys[0];
    if (!first) throw new Error('AesGcmPayloadCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.encryptKeyId = first.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.byId.get(this.encryptKeyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8(this.encryptKeyId) },
        data: new Uint8Array(sealed),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Written before the codec was on (or by a process without it): readable as it is.
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
      const key = this.byId.get(keyId);
      if (!key)
        throw new ValueError(`payload encrypted with key "${keyId}", which is not in ${PAYLOAD_CODEC_KEYS_ENV}`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      const inner = temporal.api.common.v1.Payload.decode(plain);
      // Plain objects, as the SDK's own converters build them (not protobuf message instances).
      return {
        metadata: Object.fromEntries(Object.entries(inner.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(v)])),
        data: new Uint8Array(inner.data ?? new Uint8Array()),
      };
    });
  }
}

/** The codec the environment configures, or undefined when PAYLOAD_CODEC_KEYS is unset or empty (encryption off). */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const keys = parseCodecKeys(env[PAYLOAD_CODEC_KEYS_ENV]);
  return keys.length === 0 ? undefined : new AesGcmPayloadCodec(keys);
}

let processCodec: { codec: AesGcmPayloadCodec | undefined } | undefined;

/**
 * The `dataConverter` option every client and worker of this process passes (runtime/temporal-connection.ts,
 * workers, the starter, the CLI): `{ payloadCodecs: [codec] }` when keys are configured, else `{}` (Temporal's
 * default converter). Read once per process.
 */
export function processDataConverter(): { payloadCodecs?: PayloadCodec[] } {
  processCodec ??= { codec: payloadCodecFromEnv() };
  return processCodec.codec ? { payloadCodecs: [processCodec.codec] } : {};
}
