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
  /** Bytes one consumer fetch may bring back, over all partitions. */
  fetchMaxBytes: number;
  /** Bytes per partition in one fetch (the broker still returns a larger first batch whole). */
  fetchPartitionMaxBytes: number;
}

/**
 * A consumer holds what one fetch returns while it works through it, and the garbage of the
 * last one: kafkajs' defaults (10 MiB, 1 MiB a partition) kept the classifier at ~350 MB RSS
 * on a backlog; 2 MiB and 256 KiB (about 125 findings a partition) kept it under 300 MB at the
 * same throughput (bench/classifier.bench.mjs, docs/performance.md).
 */
export const FETCH_DEFAULTS = {
  fetchMaxBytes: 2 * 1024 * 1024,
  fetchPartitionMaxBytes: 256 * 1024,
} as const;

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
    ...FETCH_DEFAULTS,
    ...overrides,
  };
}
