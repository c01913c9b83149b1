import { Partitioners, type Producer } from 'kafkajs';
import { createTestKafka } from './brokers';
import { readTopic, ReadTopicTimeoutError } from './read-topic';
import { TestTopics } from './topics';

describe('readTopic', () => {
  let topics: TestTopics;
  let producer: Producer;

  beforeAll(async () => {
    topics = await TestTopics.open('read-topic');
    // Idempotent: a retried send (a fresh topic's leader may still be moving) must not write
    // the partitions that already succeeded a second time.
    producer = createTestKafka('read-topic-spec').producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await topics.close();
  });

  async function produce(topic: string, keys: readonly string[]): Promise<void> {
    await producer.send({
      topic,
      messages: keys.map((key, index) => ({
        key,
        value: JSON.stringify({ key, index }),
        headers: { ce_type: 'test.event', ce_id: [`first-${key}`, `id-${key}`] },
      })),
    });
  }

  it('reads from the beginning until the count is met, decoding keys, values and headers', async () => {
    const topic = await topics.create('counted', { partitions: 3 });
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    await produce(topic, keys);

    const messages = await readTopic({ topic, count: keys.length });

    expect(messages.map((m) => m.key).sort()).toEqual(keys);
    const k4 = messages.find((m) => m.key === 'k4')!;
    expect(JSON.parse(k4.value!)).toEqual({ key: 'k4', index: 4 });
    expect(k4.headers).toEqual({ ce_type: 'test.event', ce_id: 'id-k4' });
    expect(k4.topic).toBe(topic);
    for (const partition of new Set(messages.map((m) => m.partition))) {
      const offsets = messages
        .filter((m) => m.partition === partition)
        .map((m) => Number(m.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it('stops as soon as the `until` predicate holds', async () => {
    const topic = await topics.create('until');
    await produce(topic, ['a', 'b', 'stop', 'after']);

    const messages = await readTopic({
      topic,
      until: (seen) => seen.some((m) => m.key === 'stop'),
    });

    expect(messages.map((m) => m.key)).toEqual(['a', 'b', 'stop']);
  });

  it('fails after the bound with everything it saw', async () => {
    const topic = await topics.create('short');
    await produce(topic, ['only-1', 'only-2']);

    const error = await readTopic({ topic, count: 3, timeoutMs: 5_000 }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ReadTopicTimeoutError);
    const timeout = error as ReadTopicTimeoutError;
    expect(timeout.message).toContain(`readTopic(${topic}): expected 3 message(s)`);
    expect(timeout.message).toContain('saw 2');
    expect(timeout.message).toMatch(/p0@0 key=only-1 value=\{"key":"only-1","index":0\}/);
    expect(timeout.messages.map((m) => m.key)).toEqual(['only-1', 'only-2']);
  });

  it('needs a count or a predicate', async () => {
    await expect(readTopic({ topic: topics.name('none') })).rejects.toThrow(/count.*until/);
  });
});
