import { randomBytes } from 'node:crypto';
import { type Kafka, type PartitionMetadata, Partitioners } from 'kafkajs';
import { EXAMPLE_FINDING, type FindingV1, TOPICS } from '@hum/contracts';
import { createLogger } from '@hum/observability';
import { readTopic, testKafkaBrokers, uniqueTopicPrefix } from '@hum/testing';
import { createKafkaClient } from './client';
import { EventProducer, murmur2, murmur2Partitioner, type OutgoingEvent } from './producer';
import { defaultKafkaSettings } from './settings';
import { TopicNames } from './topics';

const logger = createLogger({ service: 'producer-spec', level: 'silent' });

function partitions(count: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
}

describe('murmur2Partitioner', () => {
  it('gives the Java client murmur2 of its reference vectors', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, hash] of vectors) expect(murmur2(Buffer.from(text))).toBe(hash);
  });

  it('puts every key on the partition kafkajs DefaultPartitioner picks', () => {
    const ours = murmur2Partitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const keys: (string | Buffer)[] = ['', 'é', '日本語のキー', 'a|trivy'];
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(i % 97);
      keys.push(
        i % 3 === 0 ? bytes : i % 3 === 1 ? bytes.toString('hex') : bytes.toString('latin1'),
      );
    }
    for (const count of [1, 2, 3, 6, 7, 12]) {
      const partitionMetadata = partitions(count);
      for (const key of keys) {
        const args = { topic: 't', partitionMetadata, message: { key, value: null } };
        expect([key, ours(args)]).toEqual([key, theirs(args)]);
      }
    }
  });

  it('keeps a partition the message names', () => {
    const partition = murmur2Partitioner()({
      topic: 't',
      partitionMetadata: partitions(6),
      message: { key: 'k', value: null, partition: 4 },
    });
    expect(partition).toBe(4);
  });

  it('spreads keyless messages over the partitions that have a leader', () => {
    const partitioner = murmur2Partitioner();
    const partitionMetadata = partitions(4, [1]);
    const chosen = new Set(
      Array.from({ length: 30 }, () =>
        partitioner({ topic: 't', partitionMetadata, message: { value: 'v' } }),
      ),
    );
    expect([...chosen].sort()).toEqual([0, 2, 3]);
  });
});

describe('EventProducer.transaction publishStream (real broker, read_committed)', () => {
  let kafka: Kafka;
  let names: TopicNames;
  let producer: EventProducer;
  let topic: string;

  beforeAll(async () => {
    names = new TopicNames(uniqueTopicPrefix('producer'));
    topic = names.of(TOPICS.findingsRaw);
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'producer-spec' }),
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    // One partition: a whole produce request lands in one record batch, the broker's limit.
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    producer = new EventProducer(kafka, {
      names,
      source: '/hum/spec',
      logger,
      transactionalId: `producer-spec-${names.prefix}`,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  /** Findings of about 30 KB each: a few dozen fill a produce request. */
  async function* findings(label: string, count: number, failAt?: number) {
    for (let i = 0; i < count; i++) {
      if (i === failAt) throw new Error(`the source failed at ${i}`);
      const finding: FindingV1 = {
        ...EXAMPLE_FINDING,
        fingerprint: randomBytes(32).toString('hex'),
        title: `${label} ${i}`,
        description: 'x'.repeat(30_000),
      };
      const event: OutgoingEvent<FindingV1> = {
        topic: TOPICS.findingsRaw,
        key: finding.fingerprint,
        data: finding,
      };
      yield event;
    }
  }

  it('sends a stream of several requests in one transaction, under the broker batch limit', async () => {
    const progress: number[] = [];
    const sent = await producer.transaction((tx) =>
      tx.publishStream(findings('whole', 150), (count) => progress.push(count)),
    );
    expect(sent).toBe(150);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toBe(150);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const messages = await readTopic({ topic, count: 150 });
    expect(messages.map((m) => JSON.parse(m.value!).title)).toEqual(
      Array.from({ length: 150 }, (_, i) => `whole ${i}`),
    );
  });

  it('aborts everything, requests already sent included, when the stream fails', async () => {
    const progress: number[] = [];
    await expect(
      producer.transaction((tx) =>
        tx.publishStream(findings('broken', 150, 120), (count) => progress.push(count)),
      ),
    ).rejects.toThrow('the source failed at 120');
    expect(progress.length).toBeGreaterThan(0);
    await producer.transaction((tx) => tx.publishStream(findings('after', 1)));
    const messages = await readTopic({
      topic,
      until: (seen) => seen.some((m) => JSON.parse(m.value!).title === 'after 0'),
    });
    expect(messages.filter((m) => JSON.parse(m.value!).title.startsWith('broken'))).toEqual([]);
  });

  it('checks the contract of every streamed event', async () => {
    async function* invalid() {
      yield* findings('valid', 1);
      yield {
        topic: TOPICS.findingsRaw,
        key: 'k',
        data: { ...EXAMPLE_FINDING, title: '' },
      } satisfies OutgoingEvent;
    }
    await expect(producer.transaction((tx) => tx.publishStream(invalid()))).rejects.toThrow(
      /\/title: /,
    );
  });
});
