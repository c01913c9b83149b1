import { z } from 'zod';
import { ConfigError, loadConfig } from '@hum/config';
import { kafkaEnvChecks, kafkaEnvShape, kafkaSettingsFromEnv } from './kafka-env';

const schema = z.object(kafkaEnvShape).check(...kafkaEnvChecks);

describe('Kafka environment', () => {
  it('builds settings with defaults', () => {
    const env = loadConfig(schema, { service: 'spec', env: { KAFKA_BROKERS: 'a:9092,b:9093' } });
    expect(kafkaSettingsFromEnv(env, 'svc')).toEqual({
      brokers: ['a:9092', 'b:9093'],
      clientId: 'svc',
      topicPrefix: '',
      ssl: false,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      startupAttempts: 10,
      replicationFactor: 1,
      fetchMaxBytes: 2_097_152,
      fetchPartitionMaxBytes: 262_144,
    });
  });

  it('takes fetch sizes from the environment, within bounds', () => {
    const env = loadConfig(schema, {
      service: 'spec',
      env: {
        KAFKA_BROKERS: 'a:9092',
        KAFKA_FETCH_MAX_BYTES: '10485760',
        KAFKA_FETCH_PARTITION_MAX_BYTES: '1048576',
      },
    });
    expect(kafkaSettingsFromEnv(env, 'svc')).toMatchObject({
      fetchMaxBytes: 10_485_760,
      fetchPartitionMaxBytes: 1_048_576,
    });
    expect(() =>
      loadConfig(schema, {
        service: 'spec',
        env: { KAFKA_BROKERS: 'a:9092', KAFKA_FETCH_PARTITION_MAX_BYTES: '100' },
      }),
    ).toThrow(/KAFKA_FETCH_PARTITION_MAX_BYTES/);
  });

  it('names every bad variable and requires SASL credentials once a mechanism is set', () => {
    let error: unknown;
    try {
      loadConfig(schema, {
        service: 'spec',
        env: {
          KAFKA_BROKERS: 'no-port',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_STARTUP_ATTEMPTS: '0',
        },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('KAFKA_STARTUP_ATTEMPTS');
    expect(message).toContain('KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is');
    expect(message).toContain('KAFKA_SASL_PASSWORD: required when');
  });

  it('keeps the SASL password a redacted secret', () => {
    const env = loadConfig(schema, {
      service: 'spec',
      env: {
        KAFKA_BROKERS: 'a:9092',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'hunter2',
      },
    });
    const settings = kafkaSettingsFromEnv(env, 'svc');
    expect(JSON.stringify(settings)).not.toContain('hunter2');
    expect(settings.sasl?.password.reveal()).toBe('hunter2');
  });
});
