/** Connections to Temporal from config: the embedded dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key). */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { Config } from './config';
import { processDataConverter } from './payload-codec';

type Tls = ConnectionOptions['tls'];

export function temporalTls(t: Config['temporal']): Tls {
  if (!t.tls) return undefined;
  if (t.tlsCertPath && t.tlsKeyPath) {
    return { clientCertPair: { crt: readFileSync(t.tlsCertPath), key: readFileSync(t.tlsKeyPath) } };
  }
  return true;
}

export async function connectClient(config: Config): Promise<{ connection: Connection; client: Client }> {
  const t = config.temporal;
  const connection = await Connection.connect({
    address: t.address,
    tls: temporalTls(t),
    apiKey: t.apiKey,
    connectTimeout: 5_000,
  });
  // The payload codec (runtime/payload-codec.ts) on every client: off unless PAYLOAD_CODEC_KEYS is set.
  return {
    connection,
    client: new Client({ connection, namespace: t.namespace, dataConverter: processDataConverter() }),
  };
}
