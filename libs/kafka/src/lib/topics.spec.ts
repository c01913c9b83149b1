import { type Admin, ConfigResourceTypes, type Kafka } from 'kafkajs';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { loadConfig } from '@hum/config';
import { TOPIC_LIST, TOPICS } from '@hum/contracts';
import { createLogger, ObservabilityModule } from '@hum/observability';
import { testKafkaBrokers, uniqueTopicPrefix } from '@hum/testing';
import { createKafkaClient } from './client';
import { kafkaEnvChecks, kafkaEnvShape, kafkaSettingsFromEnv } from './kafka-env';
import { KafkaModule } from './nest/kafka.module';
import { defaultKafkaSettings } from './settings';
import { provisionTopics, TopicNames, TopicProvisioningError } from './topics';

const logger = createLogger({ service: 'topics-spec', level: 'silent' });
const DLQ_RETENTION_MS = String(30 * 24 * 3600 * 1000);

describe('provisionTopics on a real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  let names: TopicNames;

  beforeAll(async () => {
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'topics-spec' }),
      logger,
    );
    admin = kafka.admin();
    await admin.connect();
  });

  beforeEach(() => {
    names = new TopicNames(uniqueTopicPrefix('topics'));
  });

  afterEach(async () => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(names.prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  async function configOf(topic: string, keys: string[]): Promise<Record<string, string>> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: keys }],
    });
    return Object.fromEntries(
      described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    );
  }

  async function partitionsOf(topics: string[]): Promise<Map<string, number[]>> {
    const metadata = await admin.fetchTopicMetadata({ topics });
    return new Map(
      metadata.topics.map((t) => [t.name, t.partitions.map((p) => p.replicas.length)]),
    );
  }

  it('creates every catalogue topic with its partitions, and a one-partition DLQ beside each', async () => {
    const report = await provisionTopics(admin, names, TOPIC_LIST, {
      replicationFactor: 1,
      withDeadLetters: true,
    });

    const expected = TOPIC_LIST.flatMap((t) => [names.of(t), names.dlqOf(t)]);
    expect(report.created.sort()).toEqual([...expected].sort());
    expect(report.existing).toEqual([]);
    const partitions = await partitionsOf(expected);
    for (const topic of TOPIC_LIST) {
      // One entry per partition, each holding its replica count: the factor asked for.
      expect({ topic: topic.name, replicas: partitions.get(names.of(topic)) }).toEqual({
        topic: topic.name,
        replicas: Array.from({ length: topic.partitions }, () => 1),
      });
      expect({ dlq: topic.name, replicas: partitions.get(names.dlqOf(topic)) }).toEqual({
        dlq: topic.name,
        replicas: [1],
      });
    }
    expect(TOPICS.findingsRaw.partitions).toBeGreaterThan(1);
  });

  it('creates policy.state compacted, retention on the others, and DLQs that delete after 30 days', async () => {
    await provisionTopics(admin, names, [TOPICS.policyState, TOPICS.findingsRaw], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    expect(await configOf(names.of(TOPICS.policyState), ['cleanup.policy'])).toEqual({
      'cleanup.policy': 'compact',
    });
    expect(
      await configOf(names.of(TOPICS.findingsRaw), ['cleanup.policy', 'retention.ms']),
    ).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': String(TOPICS.findingsRaw.retentionMs),
    });
    // A compacted topic's dead letters are events that failed, not state: they expire.
    expect(
      await configOf(names.dlqOf(TOPICS.policyState), ['cleanup.policy', 'retention.ms']),
    ).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': DLQ_RETENTION_MS });
  });

  it('creates no DLQ unless asked, and reports what already exists on a second run', async () => {
    const first = await provisionTopics(admin, names, [TOPICS.ticketsEvents], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
    expect(first).toEqual({ created: [names.of(TOPICS.ticketsEvents)], existing: [] });
    expect((await admin.listTopics()).filter((t) => t.startsWith(names.prefix))).toEqual([
      names.of(TOPICS.ticketsEvents),
    ]);

    const second = await provisionTopics(admin, names, [TOPICS.ticketsEvents], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    expect(second).toEqual({
      created: [names.dlqOf(TOPICS.ticketsEvents)],
      existing: [names.of(TOPICS.ticketsEvents)],
    });
  });

  it('refuses an existing policy.state that is not compacted, saying what it found', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: names.of(TOPICS.policyState),
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'delete' }],
        },
      ],
    });
    const provisioning = provisionTopics(admin, names, [TOPICS.policyState], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
    await expect(provisioning).rejects.toBeInstanceOf(TopicProvisioningError);
    await expect(provisioning).rejects.toThrow(
      `topic ${names.of(TOPICS.policyState)} must be compacted (cleanup.policy=compact), found "delete"`,
    );
  });

  it('accepts an existing policy.state that is compacted and deletes as well', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: names.of(TOPICS.policyState),
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }],
        },
      ],
    });
    await expect(
      provisionTopics(admin, names, [TOPICS.policyState], {
        replicationFactor: 1,
        withDeadLetters: false,
      }),
    ).resolves.toEqual({ created: [], existing: [names.of(TOPICS.policyState)] });
  });

  it('takes the replication factor from KAFKA_REPLICATION_FACTOR: more than the cluster has stops the boot', async () => {
    const cluster = await admin.describeCluster();
    const schema = z.object(kafkaEnvShape).check(...kafkaEnvChecks);
    const env = loadConfig(schema, {
      service: 'topics-spec',
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: names.prefix,
        KAFKA_REPLICATION_FACTOR: String(cluster.brokers.length + 1),
      },
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ObservabilityModule.forRoot({
          logger,
          registry: new Registry(),
          opsToken: { reveal: () => 'ops-token-for-tests' },
        }),
        KafkaModule.forRoot({
          settings: kafkaSettingsFromEnv(env, 'topics-spec'),
          service: 'topics-spec',
          produces: [TOPICS.auditLog],
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const boot = app.init();
    await expect(boot).rejects.toBeInstanceOf(TopicProvisioningError);
    await expect(boot).rejects.toThrow(
      `could not create topics ${names.of(TOPICS.auditLog)} (${names.of(TOPICS.auditLog)}: INVALID_REPLICATION_FACTOR: `,
    );
    expect(await admin.listTopics()).not.toContain(names.of(TOPICS.auditLog));
  });
});
