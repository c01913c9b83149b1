import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { PermanentError, RetryableError } from '@hum/common';
import { ConfigError } from '@hum/config';
import { KafkaUnavailableError } from '@hum/kafka';
import { ReportParseError } from '@hum/scanner-formats';
import { CliError } from './cli-error';
import { EXIT, exitCodeForStatus } from './exit-codes';
import { toCliError } from './failure';

// Its typings declare no constructor arguments; at run time it takes the message like the others.
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

const RETRIES = { retryCount: 5, retryTime: 1_000 };

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

function protocolError(type: string, code: number): KafkaJSProtocolError {
  return Object.assign(new KafkaJSProtocolError(type), { type, code });
}

describe('exitCodeForStatus', () => {
  it.each([
    [400, EXIT.invalidInput],
    [413, EXIT.invalidInput],
    [415, EXIT.invalidInput],
    [422, EXIT.invalidInput],
    [401, EXIT.denied],
    [403, EXIT.denied],
    [429, EXIT.temporary],
    [408, EXIT.temporary],
    [500, EXIT.unavailable],
    [502, EXIT.unavailable],
    [503, EXIT.unavailable],
    [404, EXIT.protocol],
    [405, EXIT.protocol],
  ])('maps HTTP %i to exit %i', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });
});

describe('toCliError', () => {
  it('keeps what the CLI already explained', () => {
    const error = new CliError(EXIT.notFound, 'x: no such file');
    expect(toCliError(error)).toBe(error);
  });

  it('reports a bad report as 65 with the parser’s what-and-where line', () => {
    const error = toCliError(
      new ReportParseError('trivy-json', 'expected an array', { pointer: '/Results' }),
    );
    expect(error.exitCode).toBe(EXIT.invalidInput);
    expect(error.message).toBe('trivy-json at /Results: expected an array');
  });

  it('reports bad environment as 78, one problem per detail line', () => {
    const error = toCliError(
      new ConfigError('hum', [
        { variable: 'HUM_GATEWAY_URL', message: 'expected a URL' },
        { variable: 'KAFKA_SSL', message: 'expected true or false' },
      ]),
    );
    expect(error.exitCode).toBe(EXIT.config);
    expect(error.message).toBe('invalid configuration for hum (2 problems):');
    expect(error.details).toEqual([
      '  HUM_GATEWAY_URL: expected a URL',
      '  KAFKA_SSL: expected true or false',
    ]);
  });

  it('maps Kafka failures: unreachable 69, denied 77, fenced or slow 75', () => {
    expect(toCliError(new KafkaUnavailableError('Kafka unreachable at x:1')).exitCode).toBe(
      EXIT.unavailable,
    );
    expect(
      toCliError(
        new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error'), RETRIES),
      ).exitCode,
    ).toBe(EXIT.unavailable);
    expect(toCliError(new SaslError('bad password')).exitCode).toBe(EXIT.denied);
    expect(toCliError(protocolError('TOPIC_AUTHORIZATION_FAILED', 29)).exitCode).toBe(EXIT.denied);
    expect(
      toCliError(
        new KafkaJSNumberOfRetriesExceeded(protocolError('INVALID_PRODUCER_EPOCH', 47), RETRIES),
      ).exitCode,
    ).toBe(EXIT.temporary);
    expect(toCliError(new KafkaJSRequestTimeoutError('Request timed out')).exitCode).toBe(
      EXIT.temporary,
    );
  });

  it('maps network and permission errors of the system', () => {
    expect(toCliError(systemError('ECONNREFUSED')).exitCode).toBe(EXIT.unavailable);
    expect(toCliError(systemError('ENOTFOUND')).exitCode).toBe(EXIT.unavailable);
    expect(toCliError(systemError('ETIMEDOUT')).exitCode).toBe(EXIT.temporary);
    expect(toCliError(systemError('EACCES')).exitCode).toBe(EXIT.denied);
  });

  it('keeps the typed retryable/permanent distinction, and calls anything else a defect', () => {
    expect(toCliError(new RetryableError('busy')).exitCode).toBe(EXIT.temporary);
    expect(toCliError(new PermanentError('invalid scan context')).exitCode).toBe(EXIT.invalidInput);
    const defect = toCliError(new TypeError('x is undefined'));
    expect(defect.exitCode).toBe(EXIT.internal);
    expect(defect.message).toBe('unexpected error: TypeError: x is undefined');
    expect(defect.cause).toBeInstanceOf(TypeError);
  });
});
