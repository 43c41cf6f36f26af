import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/app.config.js';
import { serializeError } from './error-serializer.js';

const SECRET_HEADER = /authorization|cookie|x-api-key|signature|secret|token/i;

/** Header sets are logged (if ever) with anything credential-like masked, whatever the header's exact name. */
export function scrubHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null) return headers;
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SECRET_HEADER.test(name) ? '[REDACTED]' : value]),
  );
}

/**
 * Fixed paths for the usual suspects; fast-redact cannot match by pattern, so headers named
 * after an arbitrary vendor's signature scheme are caught by the `headers` serializer instead.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'password',
  'apiKey',
  'secret',
  '*.password',
  '*.apiKey',
  '*.secret',
];

export interface CreateLoggerOptions {
  level: LogLevel;
  instanceId: string;
  /** Defaults to stdout; tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

/**
 * JSON lines only: pretty printing is for a developer's terminal (`| pino-pretty`), never the
 * process itself. Errors keep their SQL and code, never the values bound to it (serializeError).
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { instance: options.instanceId },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { headers: scrubHeaders, err: serializeError },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
