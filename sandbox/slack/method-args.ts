/**
 * Reads Web API arguments the way Slack accepts them: form fields are all strings (WebClient sends blocks, view
 * and attachments as JSON strings), JSON bodies carry real types. Both end up here as one record.
 */
import { SlackApiError } from './slack-api-error';
import type { Json, JsonObject } from './types';

export type Args = Record<string, unknown>;

export function optString(args: Args, name: string): string | undefined {
  const v = args[name];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function reqString(args: Args, name: string, errorCode = 'invalid_arguments'): string {
  const v = optString(args, name);
  if (v === undefined)
    throw new SlackApiError(errorCode, {
      response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
    });
  return v;
}

export function optBool(args: Args, name: string): boolean {
  const v = args[name];
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function optInt(args: Args, name: string, fallback: number): number {
  const v = Number(args[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

function parsedJson(args: Args, name: string, errorCode: string): Json | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v as Json;
  try {
    return JSON.parse(v) as Json;
  } catch {
    throw new SlackApiError(errorCode);
  }
}

export function optJsonArray(args: Args, name: string, errorCode: string): Json[] | undefined {
  const v = parsedJson(args, name, errorCode);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new SlackApiError(errorCode);
  return v;
}

export function optJsonObject(args: Args, name: string, errorCode: string): JsonObject | undefined {
  const v = parsedJson(args, name, errorCode);
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SlackApiError(errorCode);
  return v;
}
