import type { z } from 'zod';
import {
  envBool,
  envDuration,
  envEnum,
  envInt,
  envList,
  envString,
  requiredWhen,
  secret,
} from '@hum/config';
import { FETCH_DEFAULTS, SASL_MECHANISMS, type KafkaSettings } from './settings';

/**
 * The Kafka part of every service's environment. SASL credentials are required only when a
 * mechanism is chosen; the password may come from KAFKA_SASL_PASSWORD_FILE.
 */
export const kafkaEnvShape = {
  KAFKA_BROKERS: envList(
    envString({ pattern: /^[A-Za-z0-9.-]+:\d{1,5}$/, description: 'host:port' }),
  ),
  KAFKA_CLIENT_ID: envString({
    pattern: /^[A-Za-z0-9._-]+$/,
    description: 'letters, digits, ._-',
  }).optional(),
  /** Namespaces everything a deployment owns in the cluster: topics and consumer groups. */
  KAFKA_TOPIC_PREFIX: envString({
    pattern: /^[A-Za-z0-9._-]*$/,
    description: 'letters, digits, ._-',
  }).default(''),
  KAFKA_SSL: envBool().default(false),
  KAFKA_SASL_MECHANISM: envEnum(SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: envString().optional(),
  KAFKA_SASL_PASSWORD: secret().optional(),
  KAFKA_CONNECTION_TIMEOUT: envDuration({ minMs: 100, maxMs: 120_000 }).default(3_000),
  KAFKA_REQUEST_TIMEOUT: envDuration({ minMs: 1_000, maxMs: 300_000 }).default(30_000),
  KAFKA_STARTUP_ATTEMPTS: envInt({ min: 1, max: 100 }).default(10),
  /** Consumer session timeout: how soon a crashed replica's partitions move to the others. */
  KAFKA_SESSION_TIMEOUT: envDuration({ minMs: 6_000, maxMs: 300_000 }).default(30_000),
  KAFKA_REPLICATION_FACTOR: envInt({ min: 1, max: 10 }).default(1),
  /** Consumer fetch sizes: what a consumer holds in memory at once (see FETCH_DEFAULTS). */
  KAFKA_FETCH_MAX_BYTES: envInt({ min: 65_536, max: 104_857_600 }).default(
    FETCH_DEFAULTS.fetchMaxBytes,
  ),
  KAFKA_FETCH_PARTITION_MAX_BYTES: envInt({ min: 16_384, max: 104_857_600 }).default(
    FETCH_DEFAULTS.fetchPartitionMaxBytes,
  ),
};

type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnvShape>>;

/** SASL variables are mandatory once a mechanism is set. */
export const kafkaEnvChecks = [
  requiredWhen<KafkaEnv>({ KAFKA_SASL_MECHANISM: [...SASL_MECHANISMS] }, [
    'KAFKA_SASL_USERNAME',
    'KAFKA_SASL_PASSWORD',
  ]),
] as const;

export function kafkaSettingsFromEnv(env: KafkaEnv, defaultClientId: string): KafkaSettings {
  const settings: KafkaSettings = {
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID ?? defaultClientId,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    ssl: env.KAFKA_SSL,
    connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT,
    requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT,
    startupAttempts: env.KAFKA_STARTUP_ATTEMPTS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    fetchMaxBytes: env.KAFKA_FETCH_MAX_BYTES,
    fetchPartitionMaxBytes: env.KAFKA_FETCH_PARTITION_MAX_BYTES,
  };
  if (env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD) {
    settings.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    };
  }
  return settings;
}
