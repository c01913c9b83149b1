// docker-compose.yml cannot be run here (no Docker daemon), so this checks what can be
// checked without it: it parses, and it describes the same broker as tools/kafka.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { kafkaHarness } from './harness';

const { KAFKA_VERSION, WORKSPACE_ROOT, serverProperties, TESTCONTAINERS_BROKER_ENVIRONMENT } =
  kafkaHarness();

interface ComposeService {
  image?: string;
  environment?: Record<string, string | number>;
  healthcheck?: { test?: string[] };
  ports?: string[];
}

const composeFile = path.join(WORKSPACE_ROOT, 'docker-compose.yml');
const document = parseDocument(readFileSync(composeFile, 'utf8'));
const compose = document.toJS() as { services: Record<string, ComposeService> };
const kafka = compose.services['kafka']!;
const kafkaEnv = Object.fromEntries(
  Object.entries(kafka.environment ?? {}).map(([name, value]) => [name, String(value)]),
);

/** `offsets.topic.replication.factor` -> `KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR`. */
const envName = (property: string) => `KAFKA_${property.replace(/\./g, '_').toUpperCase()}`;

const SINGLE_NODE_SETTINGS = [
  'num.partitions',
  'auto.create.topics.enable',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'share.coordinator.state.topic.replication.factor',
  'share.coordinator.state.topic.min.isr',
  'group.initial.rebalance.delay.ms',
];

describe('docker-compose.yml', () => {
  it('is valid YAML', () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
  });

  it('runs the Apache Kafka release pinned in tools/kafka/pom.xml', () => {
    expect(kafka.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
  });

  it('has a KRaft single node whose listeners and quorum fit together', () => {
    expect(kafkaEnv['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(Buffer.from(kafkaEnv['CLUSTER_ID']!, 'base64url')).toHaveLength(16);
    const listeners = kafkaEnv['KAFKA_LISTENERS']!.split(',').map((l) => l.split('://')[0]);
    const mapped = kafkaEnv['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP']!.split(',').map(
      (entry) => entry.split(':')[0],
    );
    expect([...listeners].sort()).toEqual([...mapped].sort());
    const controllerPort = /CONTROLLER:\/\/[^,]*:(\d+)/.exec(kafkaEnv['KAFKA_LISTENERS']!)?.[1];
    expect(kafkaEnv['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe(`1@kafka:${controllerPort}`);
    expect(kafkaEnv['KAFKA_ADVERTISED_LISTENERS']).not.toContain('CONTROLLER');
    expect(kafkaEnv['KAFKA_ADVERTISED_LISTENERS']).toContain('INTERNAL://kafka:19092');
  });

  it('has health checks for Kafka and PostgreSQL 16', () => {
    expect(kafka.healthcheck?.test?.join(' ')).toContain('kafka-broker-api-versions.sh');
    const postgres = compose.services['postgres']!;
    expect(postgres.image).toBe('postgres:16');
    expect(postgres.healthcheck?.test?.join(' ')).toContain('pg_isready');
  });
});

describe('the three Kafka backends', () => {
  const jvm = new Map(
    serverProperties({ port: 1, controllerPort: 2, logDir: '/x' })
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );

  it.each(SINGLE_NODE_SETTINGS)('agree on %s', (property) => {
    const value = jvm.get(property);
    expect(value).toBeDefined();
    expect(kafkaEnv[envName(property)]).toBe(value);
    expect(TESTCONTAINERS_BROKER_ENVIRONMENT[envName(property)]).toBe(value);
  });
});
