import type { RevealableSecret } from '@hum/observability';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** How a service reaches its cluster; built from validated config, never read from env here. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name; empty in production, unique per test in specs. */
  topicPrefix: string;
  ssl: boolean;
  sasl?: { mechanism: SaslMechanism; username: string; password: RevealableSecret };
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** Attempts to reach the cluster at start before the service gives up and exits. */
  startupAttempts: number;
  /** Replication factor for topics this service provisions (1 on a single-node broker). */
  replicationFactor: number;
}

export function defaultKafkaSettings(
  overrides: Partial<KafkaSettings> & Pick<KafkaSettings, 'brokers' | 'clientId'>,
): KafkaSettings {
  return {
    topicPrefix: '',
    ssl: false,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    startupAttempts: 10,
    replicationFactor: 1,
    ...overrides,
  };
}
