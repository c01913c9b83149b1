import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { currentCorrelationId } from './correlation';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys that may hold secrets anywhere in a logged object. Redaction is the last line of
 * defence: secrets are Secret objects that print `[redacted]` already.
 */
const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'apiToken',
  'authorization',
  'Authorization',
  'cookie',
  'clientSecret',
  'privateKey',
  'sasl',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/** The one logger: JSON lines with service, context and correlation id, secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin() {
        const correlationId = currentCorrelationId();
        return correlationId === undefined ? {} : { correlationId };
      },
      formatters: {
        level: (label) => ({ level: label }),
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** A child logger whose lines carry `context` (by convention the class name). */
export function contextLogger(logger: Logger, context: string): Logger {
  return logger.child({ context });
}
