/** Reading request bodies and writing simulator responses over node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NetSuiteError } from './netsuite-error';

export const CONTENT_TYPE = {
  singular: 'application/vnd.oracle.resource+json; type=singular; charset=UTF-8',
  collection: 'application/vnd.oracle.resource+json; type=collection; charset=UTF-8',
  error: 'application/vnd.oracle.resource+json; type=error; charset=UTF-8',
  json: 'application/json; charset=UTF-8',
} as const;

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  contentType?: string;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new NetSuiteError(413, 'INVALID_CONTENT', 'The request body is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Vendor clients (netsuite-rest) send JSON without a Content-Type, so the body is parsed whatever the header says.
 */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new NetSuiteError(400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
  }
}

export function errorResponse(err: NetSuiteError): SimResponse {
  return { status: err.status, headers: err.headers, body: err.body(), contentType: CONTENT_TYPE.error };
}

export function sendResponse(res: ServerResponse, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.body === undefined || response.status === 204) {
    res.writeHead(response.status, response.status === 204 ? {} : { 'Content-Length': 0 });
    res.end();
    return;
  }
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'Content-Type': response.contentType ?? CONTENT_TYPE.singular,
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
