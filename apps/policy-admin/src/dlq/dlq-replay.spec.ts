import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS, TOPICS } from '@hum/contracts';
import { createKafkaClient, defaultKafkaSettings, provisionTopics, TopicNames } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { readTopic, testKafkaBrokers, uniqueTopicPrefix } from '@hum/testing';
import { replayDeadLetters, REPLAYED_AT_HEADER } from './dlq-replay';

const logger = createLogger({ service: 'dlq-spec', level: 'silent' });

describe('replaying dead letters (real broker)', () => {
  let kafka: Kafka;
  let names: TopicNames;

  beforeAll(async () => {
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'dlq-spec' }),
      logger,
    );
    names = new TopicNames(uniqueTopicPrefix('dlq-replay'));
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, names, [TOPICS.findingsRaw], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.dlqOf(TOPICS.findingsRaw),
      messages: ['a', 'b', 'c'].map((key) => ({
        key,
        value: `{"letter":"${key}"}`,
        headers: {
          ce_type: 'dev.hum.finding.raw.v1',
          [DLQ_HEADERS.reason]: 'classifier database unavailable',
          [DLQ_HEADERS.errorKind]: 'retries-exhausted',
        },
      })),
    });
    await producer.disconnect();
  });

  const replay = (limit?: number) =>
    replayDeadLetters({
      kafka,
      sourceTopic: names.of(TOPICS.findingsRaw),
      dlqTopic: names.dlqOf(TOPICS.findingsRaw),
      limit,
      logger,
      idleMs: 2_000,
    });

  it('replays each letter once, as it was, up to a limit, and remembers where it stopped', async () => {
    expect(await replay(2)).toEqual({ replayed: 2, pendingAtStart: 3, limitReached: true });
    expect(await replay()).toEqual({ replayed: 1, pendingAtStart: 1, limitReached: false });
    const nothing = await replay();
    expect(nothing.replayed).toBe(0);
    const source = await readTopic({ topic: names.of(TOPICS.findingsRaw), count: 3 });
    // Keys spread over the source's partitions: order holds per partition only.
    expect(source.map((m) => m.key).sort()).toEqual(['a', 'b', 'c']);
    for (const message of source) {
      expect(message.headers['ce_type']).toBe('dev.hum.finding.raw.v1');
      expect(message.headers[REPLAYED_AT_HEADER]).toMatch(/^\d{4}-/);
      expect(Object.keys(message.headers).filter((h) => h.startsWith('hum_dlq_'))).toEqual([]);
    }
    await expect(
      readTopic({ topic: names.of(TOPICS.findingsRaw), count: 4, timeoutMs: 3_000 }),
    ).rejects.toThrow(/saw 3/);
  });
});
