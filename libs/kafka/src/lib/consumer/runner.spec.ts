import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { PermanentError, RetryableError } from '@hum/common';
import {
  DLQ_HEADERS,
  EXAMPLE_FINDING,
  EXAMPLE_TICKET_EVENT,
  encodeEvent,
  TOPICS,
  type FindingV1,
} from '@hum/contracts';
import { createLogger } from '@hum/observability';
import { metricValue } from '@hum/testing';
import { Registry } from 'prom-client';
import { createKafkaClient } from '../client';
import { KafkaMetrics } from '../metrics';
import { EventProducer } from '../producer';
import { defaultKafkaSettings } from '../settings';
import { TopicNames } from '../topics';
import { provisionConsumerSpecTopics } from '../../testing/consumer-spec-topics';
import { batchOf, eachMessage } from './handler';
import { ConsumerRunner } from './runner';

const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
const logger = createLogger({ service: 'kafka-spec', level: 'silent' });

function finding(n: number, overrides: Partial<FindingV1> = {}): FindingV1 {
  return { ...EXAMPLE_FINDING, title: `finding-${n}`, ...overrides };
}

async function readAll(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`read ${seen.length} of ${count} messages from ${topic} before the bound`),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message);
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

async function waitUntil(
  predicate: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ConsumerRunner on a real broker', () => {
  let names: TopicNames;
  let kafka: Kafka;
  let producer: EventProducer;
  let registry: Registry;
  const runners: ConsumerRunner[] = [];
  /** A sample as a scrape of this spec's registry shows it. */
  const scraped = async (name: string, labels: Record<string, string> = {}) =>
    metricValue(await registry.metrics(), name, labels);

  beforeAll(() => {
    if (brokers.length === 0)
      throw new Error('KAFKA_BROKERS must point at a running broker (npm test starts one)');
  });

  beforeEach(async () => {
    names = new TopicNames(`t.runner.${randomUUID().slice(0, 8)}.`);
    kafka = createKafkaClient(defaultKafkaSettings({ brokers, clientId: 'runner-spec' }), logger);
    await provisionConsumerSpecTopics(kafka, names);
    registry = new Registry();
    producer = new EventProducer(kafka, {
      names,
      source: '/hum/spec',
      logger,
      metrics: KafkaMetrics.for(registry),
    });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(names.prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  function runner(
    options: Partial<ConstructorParameters<typeof ConsumerRunner>[0]> &
      Pick<ConstructorParameters<typeof ConsumerRunner>[0], 'handlers'>,
  ): ConsumerRunner {
    const created = new ConsumerRunner({
      kafka,
      groupId: `g-${randomUUID().slice(0, 8)}`,
      names,
      logger,
      delivery: 'at-least-once',
      producer,
      source: '/hum/spec',
      metrics: KafkaMetrics.for(registry),
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      ...options,
    });
    runners.push(created);
    return created;
  }

  it('consumes, validates and handles what the producer published, and publishes the results', async () => {
    const handled: string[] = [];
    await runner({
      handlers: [
        eachMessage(TOPICS.findingsRaw, 'spec', async (event) => {
          handled.push(event.data.title);
          expect(event.metadata.type).toBe('dev.hum.finding.raw.v1');
          return [
            {
              topic: TOPICS.ticketsEvents,
              key: event.key,
              data: { ...EXAMPLE_TICKET_EVENT, ticketKey: event.data.title },
            },
          ];
        }),
      ],
    }).start();
    await producer.publish(
      Array.from({ length: 50 }, (_, n) => ({
        topic: TOPICS.findingsRaw,
        key: `k${n % 7}`,
        data: finding(n),
      })),
    );
    await waitUntil(() => handled.length >= 50, '50 handled messages');
    expect(new Set(handled).size).toBe(50);
    const results = await readAll(kafka, names.of(TOPICS.ticketsEvents), 50);
    expect(new Set(results.map((m) => JSON.parse(m.value!.toString()).ticketKey)).size).toBe(50);
    const metrics = await registry.getSingleMetricAsString('hum_kafka_messages_consumed_total');
    expect(metrics).toMatch(/topic="findings.raw".* 50/);
    // The spec's publishes and the handler's results, by logical topic.
    const produced = 'hum_kafka_messages_produced_total';
    expect(await scraped(produced, { topic: 'findings.raw' })).toBe(50);
    expect(await scraped(produced, { topic: 'tickets.events' })).toBe(50);
    expect(await scraped('hum_kafka_messages_dead_lettered_total')).toBe(undefined);
    expect(await scraped('hum_kafka_handler_failures_total')).toBe(undefined);
  });

  it('dead-letters a malformed message and a message whose handler keeps failing, and goes on', async () => {
    const handled: string[] = [];
    await runner({
      handlers: [
        eachMessage(TOPICS.findingsRaw, 'spec', async (event) => {
          if (event.data.title === 'flaky-forever') throw new RetryableError('downstream 503');
          if (event.data.title === 'bad-data')
            throw new PermanentError('400 field "summary" is required');
          handled.push(event.data.title);
        }),
      ],
    }).start();
    // All to one key = one partition, so "after" really means after.
    await producer.publish([{ topic: TOPICS.findingsRaw, key: 'same', data: finding(1) }]);
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({
      topic: names.of(TOPICS.findingsRaw),
      messages: [{ key: 'same', value: '{"not":"an event"}' }],
    });
    await raw.disconnect();
    await producer.publish([
      { topic: TOPICS.findingsRaw, key: 'same', data: finding(2, { title: 'flaky-forever' }) },
      { topic: TOPICS.findingsRaw, key: 'same', data: finding(3, { title: 'bad-data' }) },
      { topic: TOPICS.findingsRaw, key: 'same', data: finding(4) },
    ]);
    await waitUntil(() => handled.includes('finding-4'), 'the message after the failures');
    expect(handled).toEqual(['finding-1', 'finding-4']);

    const dead = await readAll(kafka, names.dlqOf(TOPICS.findingsRaw), 3);
    const byKind = new Map(dead.map((m) => [m.headers![DLQ_HEADERS.errorKind]!.toString(), m]));
    expect([...byKind.keys()].sort()).toEqual([
      'handler-failed',
      'invalid-envelope',
      'retries-exhausted',
    ]);
    const exhausted = byKind.get('retries-exhausted')!;
    expect(exhausted.headers![DLQ_HEADERS.reason]!.toString()).toContain('downstream 503');
    expect(exhausted.headers![DLQ_HEADERS.attempts]!.toString()).toBe('3');
    expect(exhausted.headers![DLQ_HEADERS.sourceTopic]!.toString()).toBe(
      names.of(TOPICS.findingsRaw),
    );
    expect(exhausted.headers![DLQ_HEADERS.sourcePartition]).toBeDefined();
    expect(exhausted.headers!['ce_type']!.toString()).toBe('dev.hum.finding.raw.v1');
    expect(JSON.parse(exhausted.value!.toString()).title).toBe('flaky-forever');
    const invalid = byKind.get('invalid-envelope')!;
    expect(invalid.value!.toString()).toBe('{"not":"an event"}');
    expect(invalid.headers![DLQ_HEADERS.reason]!.toString()).toMatch(/ce_specversion/);
    expect(byKind.get('handler-failed')!.headers![DLQ_HEADERS.attempts]!.toString()).toBe('1');

    const deadLettered = (kind: string): Promise<number | undefined> =>
      scraped('hum_kafka_messages_dead_lettered_total', {
        topic: 'findings.raw',
        kind,
      });
    expect(await deadLettered('invalid-envelope')).toBe(1);
    expect(await deadLettered('retries-exhausted')).toBe(1);
    expect(await deadLettered('handler-failed')).toBe(1);
    expect(await deadLettered('contract-violation')).toBe(undefined);
    // Every attempt that threw: three for the flaky message, one for the permanent failure.
    const failed = (retryable: string): Promise<number | undefined> =>
      scraped('hum_kafka_handler_failures_total', {
        topic: 'findings.raw',
        retryable,
      });
    expect(await failed('true')).toBe(3);
    expect(await failed('false')).toBe(1);
    expect(
      await scraped('hum_kafka_messages_produced_total', {
        topic: 'findings.raw.dlq',
      }),
    ).toBe(3);
    const consumed = 'hum_kafka_messages_consumed_total';
    expect(await scraped(consumed, { topic: 'findings.raw' })).toBe(2);
  });

  it('dead-letters a message whose CloudEvents envelope is valid but whose body breaks its contract', async () => {
    const handled: string[] = [];
    await runner({
      handlers: [
        eachMessage(TOPICS.findingsRaw, 'spec', async (event) => {
          handled.push(event.data.title);
        }),
      ],
    }).start();
    // Envelope and headers exactly as the producer writes them; only the body is wrong.
    const envelope = encodeEvent(TOPICS.findingsRaw, {
      key: 'same',
      data: finding(2, { title: 'broken' }),
      source: '/hum/spec',
    });
    const body = { ...finding(2), severity: { normalized: 'apocalyptic' }, cwes: ['502'] };
    await producer.publish([{ topic: TOPICS.findingsRaw, key: 'same', data: finding(1) }]);
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({
      topic: names.of(TOPICS.findingsRaw),
      messages: [{ key: envelope.key, value: JSON.stringify(body), headers: envelope.headers }],
    });
    await raw.disconnect();
    await producer.publish([
      { topic: TOPICS.findingsRaw, key: 'same', data: finding(3) },
      { topic: TOPICS.findingsRaw, key: 'same', data: finding(4) },
    ]);
    await waitUntil(() => handled.includes('finding-4'), 'the messages after the violation');
    expect(handled).toEqual(['finding-1', 'finding-3', 'finding-4']);

    const [dead] = await readAll(kafka, names.dlqOf(TOPICS.findingsRaw), 1);
    const header = (name: string): string | undefined => dead!.headers![name]?.toString();
    expect(header(DLQ_HEADERS.errorKind)).toBe('contract-violation');
    expect(header(DLQ_HEADERS.reason)).toContain('/severity/normalized');
    expect(header(DLQ_HEADERS.reason)).toContain('/cwes/0: expected CWE-<number>');
    expect(header(DLQ_HEADERS.sourceTopic)).toBe(names.of(TOPICS.findingsRaw));
    expect(header(DLQ_HEADERS.sourceOffset)).toBe('1');
    expect(header(DLQ_HEADERS.attempts)).toBe('0');
    // The original message, untouched, so it can be replayed once fixed.
    expect(header('ce_id')).toBe(envelope.headers['ce_id']);
    expect(JSON.parse(dead!.value!.toString())).toEqual(body);
    expect(
      await scraped('hum_kafka_messages_dead_lettered_total', {
        topic: 'findings.raw',
        kind: 'contract-violation',
      }),
    ).toBe(1);
  });

  it('reports the lag of each partition as the backlog is worked off, down to zero', async () => {
    const total = 40;
    await producer.publish(
      Array.from({ length: total }, (_, n) => ({
        topic: TOPICS.findingsRaw,
        key: 'one',
        data: finding(n),
      })),
    );
    // Lag seen by each chunk before it is handled, and how many were handled before it.
    const seen: { handledBefore: number; lag: number | undefined }[] = [];
    let handled = 0;
    let partition = '';
    const group = `g-${randomUUID().slice(0, 8)}`;
    await runner({
      groupId: group,
      maxBatchSize: 10,
      handlers: [
        batchOf(TOPICS.findingsRaw, 'spec', async (events) => {
          partition = String(events[0]!.partition);
          const lag = await scraped('hum_kafka_consumer_lag', {
            topic: 'findings.raw',
            partition,
            group,
          });
          seen.push({ handledBefore: handled, lag });
          handled += events.length;
        }),
      ],
    }).start();
    await waitUntil(() => handled >= total, `${total} handled messages`);
    expect(seen[0]).toEqual({ handledBefore: 0, lag: undefined });
    // The high watermark was `total` for every fetch: lag = what is still to handle.
    for (const { handledBefore, lag } of seen.slice(1)) expect(lag).toBe(total - handledBefore);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    // Set once the last chunk is committed, just after its handler returned.
    const last = (): Promise<number | undefined> =>
      scraped('hum_kafka_consumer_lag', { topic: 'findings.raw', partition, group });
    const deadline = Date.now() + 10_000;
    while ((await last()) !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await last()).toBe(0);
  });

  it('isolates the poison message when a batch handler fails', async () => {
    const batches: string[][] = [];
    await runner({
      maxBatchSize: 100,
      handlers: [
        batchOf(TOPICS.findingsRaw, 'spec', async (events) => {
          const titles = events.map((e) => e.data.title);
          if (titles.includes('poison')) throw new PermanentError('cannot classify poison');
          batches.push(titles);
        }),
      ],
    }).start();
    await producer.publish(
      ['a', 'b', 'poison', 'c'].map((title) => ({
        topic: TOPICS.findingsRaw,
        key: 'one',
        data: finding(0, { title }),
      })),
    );
    await waitUntil(() => batches.flat().includes('c'), 'c handled');
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c']);
    const dead = await readAll(kafka, names.dlqOf(TOPICS.findingsRaw), 1);
    expect(JSON.parse(dead[0]!.value!.toString()).title).toBe('poison');
    // The dead-lettered message is not counted as handled.
    const consumed = await registry.getSingleMetricAsString('hum_kafka_messages_consumed_total');
    expect(consumed).toMatch(/topic="findings.raw".* 3$/m);
  });

  it('counts the messages a batch handler handled, not the batches', async () => {
    // Published before the consumer starts, so they arrive in a few large batches.
    await producer.publish(
      Array.from({ length: 40 }, (_, n) => ({
        topic: TOPICS.findingsRaw,
        key: 'one',
        data: finding(n),
      })),
    );
    const batches: number[] = [];
    await runner({
      maxBatchSize: 100,
      handlers: [
        batchOf(TOPICS.findingsRaw, 'spec', async (events) => {
          batches.push(events.length);
        }),
      ],
    }).start();
    await waitUntil(() => batches.reduce((a, b) => a + b, 0) >= 40, '40 handled messages');
    expect(batches.length).toBeLessThan(40);
    const consumed = await registry.getSingleMetricAsString('hum_kafka_messages_consumed_total');
    expect(consumed).toMatch(/topic="findings.raw".* 40$/m);
  });

  it('refuses two handlers for one topic at construction', () => {
    const handle = async (): Promise<void> => undefined;
    expect(() =>
      runner({
        handlers: [
          { kind: 'each', topic: TOPICS.findingsRaw, name: 'first', handle },
          { kind: 'each', topic: TOPICS.findingsRaw, name: 'second', handle },
        ],
      }),
    ).toThrow(/two handlers.*first and second/);
  });

  it('leaves a chunk to the new owner when its transactional producer is fenced, without crashing', async () => {
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    const calls: string[] = [];
    let fencer: EventProducer | undefined;
    const consumer = runner({
      groupId,
      delivery: 'exactly-once',
      handlers: [
        eachMessage(TOPICS.findingsRaw, 'spec', async (event, context) => {
          calls.push(event.data.title);
          if (event.data.title === 'second' && fencer === undefined) {
            // What a rebalance does: the partition's next owner opens a producer with the same id.
            fencer = new EventProducer(kafka, {
              names,
              source: '/hum/spec',
              logger,
              transactionalId: `${groupId}.${names.of(TOPICS.findingsRaw)}.${context.partition}`,
            });
            await fencer.connect();
            // kafkajs takes the producer id (and bumps the epoch) at the first transaction.
            await fencer.transaction(async () => undefined);
          }
          return [
            {
              topic: TOPICS.ticketsEvents,
              key: event.key,
              data: { ...EXAMPLE_TICKET_EVENT, ticketKey: event.data.title },
            },
          ];
        }),
      ],
    });
    await consumer.start();
    await producer.publish([
      { topic: TOPICS.findingsRaw, key: 'k', data: finding(1, { title: 'first' }) },
    ]);
    await waitUntil(() => calls.includes('first'), 'the first message');
    await producer.publish([
      { topic: TOPICS.findingsRaw, key: 'k', data: finding(2, { title: 'second' }) },
    ]);
    const results = await readAll(kafka, names.of(TOPICS.ticketsEvents), 2);
    await fencer?.disconnect();
    expect(calls.filter((title) => title === 'second').length).toBeGreaterThanOrEqual(2);
    expect(consumer.state).toBe('running');
    expect(results.map((m) => JSON.parse(m.value!.toString()).ticketKey)).toEqual([
      'first',
      'second',
    ]);
  });

  it('publishes all of a transaction or nothing', async () => {
    const tx = new EventProducer(kafka, {
      names,
      source: '/hum/spec',
      logger,
      transactionalId: `tx-${randomUUID()}`,
    });
    await tx.connect();
    try {
      await expect(
        tx.transaction(async (t) => {
          await t.publish([
            { topic: TOPICS.findingsRaw, key: 'x', data: finding(1, { title: 'aborted' }) },
          ]);
          throw new Error('parse failed half way');
        }),
      ).rejects.toThrow('half way');
      await tx.transaction(async (t) => {
        await t.publish(
          Array.from({ length: 1200 }, (_, n) => ({
            topic: TOPICS.findingsRaw,
            key: `k${n}`,
            data: finding(n),
          })),
        );
      });
    } finally {
      await tx.disconnect();
    }
    const committed = await readAll(kafka, names.of(TOPICS.findingsRaw), 1200);
    expect(committed.some((m) => JSON.parse(m.value!.toString()).title === 'aborted')).toBe(false);
    expect(committed).toHaveLength(1200);
  });
});
