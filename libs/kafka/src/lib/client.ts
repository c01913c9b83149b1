import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import { describeError, retry } from '@hum/common';
import type { Logger } from '@hum/observability';
import type { KafkaSettings } from './settings';

function pinoLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      const fields = { ...extra, component: 'kafkajs' };
      // We bound producer retries on purpose (a request must fail in bounded time); with one
      // request in flight that cannot reorder or duplicate, so kafkajs' warning is noise.
      if (message.startsWith('Limiting retries for the idempotent producer')) {
        logger.debug(fields, message);
        return;
      }
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          logger.error(fields, message);
          break;
        case logLevel.WARN:
          logger.warn(fields, message);
          break;
        case logLevel.INFO:
          logger.info(fields, message);
          break;
        case logLevel.DEBUG:
          logger.debug(fields, message);
          break;
      }
    };
}

function saslOptions(settings: KafkaSettings): SASLOptions | undefined {
  if (!settings.sasl) return undefined;
  const { mechanism, username, password } = settings.sasl;
  // kafkajs reads the password when it authenticates; the Secret stays redacted everywhere else.
  return { mechanism, username, password: password.reveal() } as SASLOptions;
}

/** The one kafkajs client constructor: bounded retries, logs through pino at WARN and above. */
export function createKafkaClient(
  settings: KafkaSettings,
  logger: Logger,
  overrides: { retries?: number; quiet?: boolean } = {},
): Kafka {
  const sasl = saslOptions(settings);
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: { retries: overrides.retries ?? 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    logLevel: overrides.quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ context: 'kafkajs' })),
  });
}

export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
}

/**
 * Waits for the cluster to answer at start: bounded attempts with backoff, then an error
 * naming the brokers and the setting to check, so a service exits instead of hanging.
 */
export async function waitForKafka(settings: KafkaSettings, logger: Logger): Promise<void> {
  // A client of its own: our loop counts and logs the attempts; kafkajs' retries and error
  // lines would multiply them.
  const kafka = createKafkaClient(settings, logger, { retries: 0, quiet: true });
  try {
    await retry(
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await admin.describeCluster();
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
      {
        shouldRetry: () => true,
        policy: { maxAttempts: settings.startupAttempts, initialDelayMs: 500, maxDelayMs: 5_000 },
        onRetry: (error, attempt, delayMs) =>
          logger.warn({ attempt, delayMs, error: describeError(error) }, 'Kafka not reachable yet'),
      },
    );
  } catch (error) {
    throw new KafkaUnavailableError(
      `Kafka unreachable at ${settings.brokers.join(',')} after ${settings.startupAttempts} attempts ` +
        `(check KAFKA_BROKERS): ${describeError(error instanceof Error && error.cause ? error.cause : error)}`,
      { cause: error },
    );
  }
}
