import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { EXAMPLE_FINDING, EXAMPLE_TICKET_EVENT, TOPICS } from '@hum/contracts';
import { createLogger } from '@hum/observability';
import { testKafkaBrokers, uniqueTopicPrefix, waitFor } from '@hum/testing';
import { createKafkaClient } from '../client';
import { EventProducer, type OutgoingEvent } from '../producer';
import { defaultKafkaSettings } from '../settings';
import { TopicNames } from '../topics';
import { provisionConsumerSpecTopics } from '../../testing/consumer-spec-topics';
import { batchOf, eachMessage, type InboundEvent } from './handler';
import { ConsumerRunner, type DeliveryGuarantee } from './runner';

const logger = createLogger({ service: 'graceful-stop-spec', level: 'silent' });

type Finding = InboundEvent<typeof TOPICS.findingsRaw.schema>;

/** A promise the test resolves by hand: the handler in flight waits on it. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

function ticketFor(event: Finding): OutgoingEvent {
  return {
    topic: TOPICS.ticketsEvents,
    key: event.key,
    data: { ...EXAMPLE_TICKET_EVENT, ticketKey: event.data.title },
  };
}

/**
 * A consumer stopped (what SIGTERM does through KafkaLifecycle) while a handler is running:
 * the handler finishes, its offset is committed with its outputs, and the next member of the
 * group starts after it — neither losing nor repeating a message.
 */
describe('ConsumerRunner.stop with a handler in flight', () => {
  let kafka: Kafka;
  let admin: Admin;
  let names: TopicNames;
  let producer: EventProducer;
  const runners: ConsumerRunner[] = [];

  beforeEach(async () => {
    names = new TopicNames(uniqueTopicPrefix('graceful-stop'));
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'graceful-stop-spec' }),
      logger,
    );
    admin = kafka.admin();
    await admin.connect();
    await provisionConsumerSpecTopics(kafka, names);
    producer = new EventProducer(kafka, { names, source: '/hum/spec', logger });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await producer.disconnect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(names.prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  function runner(
    groupId: string,
    delivery: DeliveryGuarantee,
    handlers: ConstructorParameters<typeof ConsumerRunner>[0]['handlers'],
  ): ConsumerRunner {
    const created = new ConsumerRunner({
      kafka,
      groupId,
      names,
      logger,
      delivery,
      producer,
      source: '/hum/spec',
      handlers,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
    });
    runners.push(created);
    return created;
  }

  /** All to one key, so one partition and one fetched chunk, in this order. */
  async function publish(titles: readonly string[]): Promise<void> {
    await producer.publish(
      titles.map((title) => ({
        topic: TOPICS.findingsRaw,
        key: 'one-partition',
        data: { ...EXAMPLE_FINDING, title },
      })),
    );
  }

  async function committed(groupId: string): Promise<Map<number, string>> {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [names.of(TOPICS.findingsRaw)] });
    return new Map(topic!.partitions.map((p) => [p.partition, p.offset]));
  }

  /** The output topic, read committed, lingering after `expected` so a duplicate shows too. */
  async function ticketKeys(expected: number): Promise<string[]> {
    const reader = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false });
    const keys: string[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topic: names.of(TOPICS.ticketsEvents), fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          keys.push((JSON.parse(message.value!.toString()) as { ticketKey: string }).ticketKey);
        },
      });
      await waitFor(() => keys.length >= expected, {
        timeoutMs: 30_000,
        describe: () => `${expected} output events (read: ${keys.join(', ')})`,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await reader.disconnect();
    }
    return keys.sort();
  }

  it.each<DeliveryGuarantee>(['at-least-once', 'exactly-once'])(
    'finishes and commits the message in flight, leaves the rest of the chunk to the next member (%s)',
    async (delivery) => {
      const groupId = `g-${randomUUID().slice(0, 8)}`;
      await publish(['a', 'slow', 'b', 'c']);
      const slow = gate();
      const release = gate();
      const log: string[] = [];
      let partition = -1;
      let slowOffset = '';
      let sawStopWhileInFlight = false;
      const first = runner(groupId, delivery, [
        eachMessage(TOPICS.findingsRaw, 'first', async (event, context) => {
          log.push(`first:${event.data.title}`);
          if (event.data.title === 'slow') {
            partition = event.partition;
            slowOffset = event.offset;
            slow.open();
            // Ignores the abort on purpose: work that cannot be cut short must be waited for.
            await release.opened;
            sawStopWhileInFlight = context.signal.aborted;
            log.push('first:slow finished');
          }
          return [ticketFor(event)];
        }),
      ]);
      await first.start();
      await slow.opened;

      const stopping = first.stop().then(() => log.push('stopped'));
      // Long enough for a stop that did not wait to have returned already.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(log).not.toContain('stopped');
      release.open();
      await stopping;

      expect(sawStopWhileInFlight).toBe(true);
      expect(log).toEqual(['first:a', 'first:slow', 'first:slow finished', 'stopped']);
      const offsets = await committed(groupId);
      expect(offsets.get(partition)).toBe((BigInt(slowOffset) + 1n).toString());

      const second: string[] = [];
      await runner(groupId, delivery, [
        eachMessage(TOPICS.findingsRaw, 'second', async (event) => {
          second.push(event.data.title);
          return [ticketFor(event)];
        }),
      ]).start();
      await waitFor(() => second.includes('c'), {
        timeoutMs: 30_000,
        describe: () => `the second member to handle c (handled: ${second.join(', ')})`,
      });
      expect(second).toEqual(['b', 'c']);
      expect(await ticketKeys(4)).toEqual(['a', 'b', 'c', 'slow']);
    },
  );

  it('finishes and commits a batch handler in flight in one transaction (exactly-once)', async () => {
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    const titles = ['b1', 'b2', 'b3', 'b4', 'b5'];
    await publish(titles);
    const inFlight = gate();
    const release = gate();
    const firstBatches: string[][] = [];
    let partition = -1;
    const first = runner(groupId, 'exactly-once', [
      batchOf(TOPICS.findingsRaw, 'first', async (events) => {
        partition = events[0]!.partition;
        inFlight.open();
        await release.opened;
        firstBatches.push(events.map((e) => e.data.title));
        return events.map(ticketFor);
      }),
    ]);
    await first.start();
    await inFlight.opened;
    let stopped = false;
    const stopping = first.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stopped).toBe(false);
    release.open();
    await stopping;

    expect(firstBatches).toEqual([titles]);
    expect((await committed(groupId)).get(partition)).toBe(String(titles.length));

    const second: string[] = [];
    await runner(groupId, 'exactly-once', [
      batchOf(TOPICS.findingsRaw, 'second', async (events) => {
        second.push(...events.map((e) => e.data.title));
        return events.map(ticketFor);
      }),
    ]).start();
    await publish(['after']);
    await waitFor(() => second.includes('after'), {
      timeoutMs: 30_000,
      describe: () => `the second member to handle "after" (handled: ${second.join(', ')})`,
    });
    expect(second).toEqual(['after']);
    expect(await ticketKeys(6)).toEqual([...titles, 'after'].sort());
  });
});
