import { describeError, PermanentError, RetryableError } from '@hum/common';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';

/*
 * Errors of the libraries are recognised by name, not instanceof: importing kafkajs,
 * @hum/kafka or @hum/scanner-formats here would load them for every command, `hum --help`
 * included (see commands/registry.ts). The names are part of those libraries' API.
 */

const DENIED_KAFKA_ERRORS = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
]);

/** Another run of the same command is fencing this one off (two replays of one DLQ). */
const CONTENDED_KAFKA_ERRORS = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

const UNREACHABLE_SYSTEM_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

interface NamedError extends Error {
  code?: unknown;
  type?: unknown;
  originalError?: unknown;
}

function chain(error: unknown): NamedError[] {
  const errors: NamedError[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    const named = current as NamedError;
    errors.push(named);
    current = named.cause ?? named.originalError;
  }
  return errors;
}

function kafkaProtocolType(error: unknown): string | undefined {
  const protocol = chain(error).find(
    (e) => e.name === 'KafkaJSProtocolError' && typeof e.type === 'string',
  );
  return protocol?.type as string | undefined;
}

function isReportParseError(error: unknown): error is Error & { describe(): string } {
  return (
    error instanceof Error &&
    error.name === 'ReportParseError' &&
    typeof (error as { describe?: unknown }).describe === 'function'
  );
}

function failure(exitCode: CliError['exitCode'], message: string, cause: unknown): CliError {
  return new CliError(exitCode, message, [], { cause });
}

function kafkaFailure(error: Error): CliError | undefined {
  if (error.name === 'KafkaUnavailableError')
    return failure(EXIT.unavailable, error.message, error);
  const type = kafkaProtocolType(error);
  const saslFailed = chain(error).some((e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (saslFailed || (type !== undefined && DENIED_KAFKA_ERRORS.has(type))) {
    return failure(
      EXIT.denied,
      `Kafka denied the request (${type ?? 'SASL authentication failed'})`,
      error,
    );
  }
  if (type !== undefined && CONTENDED_KAFKA_ERRORS.has(type)) {
    return failure(
      EXIT.temporary,
      `another run took over this work (${type}); nothing of this run was committed`,
      error,
    );
  }
  if (error.name === 'KafkaJSRequestTimeoutError') {
    return failure(EXIT.temporary, `Kafka did not answer in time: ${error.message}`, error);
  }
  if (error.name.startsWith('KafkaJS') || error.name === 'TopicProvisioningError') {
    return failure(EXIT.unavailable, `Kafka: ${describeError(error)}`, error);
  }
  return undefined;
}

function systemFailure(error: Error): CliError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return failure(EXIT.denied, error.message, error);
  if (code !== undefined && UNREACHABLE_SYSTEM_ERRORS.has(code)) {
    return failure(EXIT.unavailable, error.message, error);
  }
  if (code === 'ETIMEDOUT') return failure(EXIT.temporary, error.message, error);
  return undefined;
}

/**
 * Turns whatever a command threw into the error the CLI reports: the message for the log and
 * the exit code for the pipeline. Unknown errors are defects (70) and keep their cause.
 */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (isReportParseError(error)) return failure(EXIT.invalidInput, error.describe(), error);
  if (error instanceof Error && error.name === 'ConfigError') {
    const [first, ...rest] = error.message.split('\n');
    return new CliError(EXIT.config, first ?? error.message, rest, { cause: error });
  }
  if (error instanceof Error) {
    const mapped = kafkaFailure(error) ?? systemFailure(error);
    if (mapped) return mapped;
  }
  if (error instanceof RetryableError) return failure(EXIT.temporary, error.message, error);
  if (error instanceof PermanentError) return failure(EXIT.invalidInput, error.message, error);
  return failure(EXIT.internal, `unexpected error: ${describeError(error)}`, error);
}
