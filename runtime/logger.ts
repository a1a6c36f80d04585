/**
 * JSON logs (pino). Secrets are redacted by key wherever they appear; personal data (emails, tax ids, names)
 * is never passed to the logger in the first place: log ids, not records.
 */
import pino, { type Logger } from 'pino';

export const REDACTED_KEYS = [
  'password',
  'secret',
  'token',
  'apiToken',
  'apiKey',
  'botToken',
  'signingSecret',
  'consumerSecret',
  'tokenSecret',
  'consumerKey',
  'tokenId',
  'webhookPassword',
  'authorization',
  'Authorization',
  'cookie',
  'email',
  'taxId',
  'phone',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        ...REDACTED_KEYS,
        ...REDACTED_KEYS.map((k) => `*.${k}`),
        ...REDACTED_KEYS.map((k) => `*.*.${k}`),
        'req.headers.authorization',
        'req.headers["x-api-token"]',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
