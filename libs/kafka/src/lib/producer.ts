import { randomInt } from 'node:crypto';
import {
  type ICustomPartitioner,
  type Kafka,
  type Message,
  type PartitionerArgs,
  type Producer,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';
import { encodeEvent, type TopicDefinition } from '@hum/contracts';
import { currentCorrelationId, type Logger } from '@hum/observability';
import type { KafkaMetrics } from './metrics';
import type { TopicNames } from './topics';

/** An event to publish: validated against its topic's contract before anything is sent. */
export interface OutgoingEvent<T = unknown> {
  topic: TopicDefinition;
  key: string;
  data: T;
  subject?: string;
  correlationId?: string;
  id?: string;
  time?: Date;
}

interface OutgoingMessage {
  topic: string;
  message: Message;
}

const MURMUR2_SEED = 0x9747b28c;
const MURMUR2_M = 0x5bd1e995;

/** The Java client's murmur2 (Utils.murmur2) over `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = MURMUR2_SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, MURMUR2_M);
    k ^= k >>> 24;
    k = Math.imul(k, MURMUR2_M);
    h = Math.imul(h, MURMUR2_M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2]! << 16;
    if (rest >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, MURMUR2_M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR2_M);
  return h ^ (h >>> 15);
}

/**
 * kafkajs' DefaultPartitioner (the Java client's: the same key lands on the same partition
 * whichever client produced it), with murmur2 in 32-bit integer arithmetic. kafkajs computes it
 * with 64-bit Long objects and filters the partition list for every message: about 7 % of the
 * CPU of a large publish. producer.spec.ts holds the two to the same partition for every key.
 */
export const murmur2Partitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) {
      const bytes = typeof key === 'string' ? Buffer.from(key) : key;
      return (murmur2(bytes) & 0x7fffffff) % partitionMetadata.length;
    }
    // No key: round-robin over the partitions that have a leader, from a random start.
    const next = (counters.get(topic) ?? randomInt(2 ** 31)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[(next & 0x7fffffff) % available.length]!.partitionId;
    return (next & 0x7fffffff) % partitionMetadata.length;
  };
};

/** A message already encoded (dead letters, replays): sent as is to a physical topic. */
export interface RawOutgoingMessage {
  physicalTopic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
}

export interface ProducerOptions {
  names: TopicNames;
  /** CloudEvents `source` of everything this producer sends, e.g. `/hum/ingest-gateway`. */
  source: string;
  metrics?: KafkaMetrics;
  logger: Logger;
  /** Makes the producer transactional; must be stable per instance (or per input partition). */
  transactionalId?: string;
}

/**
 * A produce request's records, counted as they go on the wire, stay under the broker's default
 * 1 MiB record-batch limit (message.max.bytes): however the partitioner spreads them, no
 * partition's batch can be larger than the whole request. Large requests mean few round trips.
 */
const MAX_BYTES_PER_REQUEST = 1_000_000;
/** kafkajs groups a request's messages by partition in quadratic time: small ones are capped. */
const MAX_MESSAGES_PER_REQUEST = 2_000;
/** A record's own fields besides key, value and headers (length, attributes, deltas, varints). */
const RECORD_OVERHEAD_BYTES = 24;
const HEADER_OVERHEAD_BYTES = 4;

/** The size of a message as a record of a v2 record batch, within a few bytes. */
function recordBytes(message: Message): number {
  let size = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  const headers = message.headers;
  if (headers) {
    for (const name in headers) {
      const value = headers[name];
      const values = Array.isArray(value) ? value : [value];
      for (const one of values) {
        size += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + byteLength(one);
      }
    }
  }
  return size;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** Messages gathered into produce requests under the size limits, one topic entry per topic. */
class RequestBuilder {
  private topics = new Map<string, TopicMessages>();
  private count = 0;
  private bytes = 0;

  /** Whether `bytes` more would overflow the request (never for the first message). */
  wouldOverflow(bytes: number): boolean {
    return (
      this.count > 0 &&
      (this.count >= MAX_MESSAGES_PER_REQUEST || this.bytes + bytes > MAX_BYTES_PER_REQUEST)
    );
  }

  add(topic: string, message: Message, bytes: number): void {
    let entry = this.topics.get(topic);
    if (!entry) this.topics.set(topic, (entry = { topic, messages: [] }));
    entry.messages.push(message);
    this.count += 1;
    this.bytes += bytes;
  }

  get size(): number {
    return this.count;
  }

  /** The request so far, leaving the builder empty. */
  take(): TopicMessages[] {
    const request = [...this.topics.values()];
    this.topics = new Map();
    this.count = 0;
    this.bytes = 0;
    return request;
  }
}

export interface EventSender {
  publish(events: readonly OutgoingEvent[]): Promise<void>;
  publishRaw(messages: readonly RawOutgoingMessage[]): Promise<void>;
}

export interface EventTransaction extends EventSender {
  /**
   * Publishes events as `events` yields them: each produce request goes on the wire while the
   * next is encoded, so a large stream (a report's findings) is read, checked and sent at once,
   * with at most two requests in memory. `onSent` gets the running count after each request.
   * Resolves with the count when every event is sent; rejects on the first failure, after the
   * request on the wire has settled, so the transaction can abort cleanly.
   */
  publishStream(
    events: AsyncIterable<OutgoingEvent>,
    onSent?: (sent: number) => void,
  ): Promise<number>;
  /** Commits consumer offsets in the same transaction (consume-transform-produce). */
  sendOffsets(offsets: {
    consumerGroupId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
}

/**
 * The one producer: idempotent, acks from all in-sync replicas, keys required, contracts
 * checked on the way out, batched; optionally transactional for all-or-nothing publishes.
 */
export class EventProducer implements EventSender {
  private readonly producer: Producer;
  private connected = false;
  /** kafkajs allows one open transaction per producer: queue them. */
  private transactionQueue: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly options: ProducerOptions,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The Java client's murmur2 partitioning: the same key lands on the same partition
      // whichever client produced it.
      createPartitioner: murmur2Partitioner,
      ...(options.transactionalId
        ? { transactionalId: options.transactionalId, transactionTimeout: 60_000 }
        : {}),
      allowAutoTopicCreation: false,
    });
  }

  get transactional(): boolean {
    return this.options.transactionalId !== undefined;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Publishes events (not atomically across batches: use {@link transaction} for that). */
  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.transactional) {
      await this.transaction((tx) => tx.publish(events));
      return;
    }
    await this.sendAll(
      (batch) => this.producer.sendBatch({ topicMessages: batch, acks: -1 }),
      this.encode(events),
    );
  }

  async publishRaw(messages: readonly RawOutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.transactional) {
      await this.transaction((tx) => tx.publishRaw(messages));
      return;
    }
    await this.sendAll(
      (batch) => this.producer.sendBatch({ topicMessages: batch, acks: -1 }),
      this.raw(messages),
    );
  }

  /**
   * Runs `work` in a Kafka transaction: everything it publishes becomes visible to
   * read_committed consumers together, or not at all if `work` throws.
   */
  transaction<T>(work: (tx: EventTransaction) => Promise<T>): Promise<T> {
    if (!this.transactional)
      throw new Error('transaction() needs a producer created with a transactionalId');
    const run = async (): Promise<T> => {
      const txn = await this.producer.transaction();
      const send = (batch: TopicMessages[]): Promise<unknown> =>
        txn.sendBatch({ topicMessages: batch, acks: -1 });
      const tx: EventTransaction = {
        publish: (events) => this.sendAll(send, this.encode(events)),
        publishRaw: (messages) => this.sendAll(send, this.raw(messages)),
        publishStream: (events, onSent) => this.sendStream(send, events, onSent),
        sendOffsets: async (offsets) => {
          await txn.sendOffsets(offsets);
        },
      };
      try {
        const result = await work(tx);
        await txn.commit();
        return result;
      } catch (error) {
        await this.abortQuietly(txn);
        throw error;
      }
    };
    const next = this.transactionQueue.then(run, run);
    this.transactionQueue = next.catch(() => undefined);
    return next;
  }

  private async abortQuietly(txn: Transaction): Promise<void> {
    if (!txn.isActive()) return;
    try {
      await txn.abort();
    } catch (error) {
      // The original error matters more; an abort failure leaves the transaction to time out.
      this.options.logger.warn({ err: error }, 'transaction abort failed');
    }
  }

  private encode(events: readonly OutgoingEvent[]): OutgoingMessage[] {
    const ambient = currentCorrelationId();
    return events.map((event) => this.encodeOne(event, ambient));
  }

  private encodeOne(event: OutgoingEvent, ambient: string | undefined): OutgoingMessage {
    const correlationId = event.correlationId ?? ambient;
    const encoded = encodeEvent(event.topic, {
      key: event.key,
      data: event.data,
      source: this.options.source,
      ...(event.id !== undefined ? { id: event.id } : {}),
      ...(event.time !== undefined ? { time: event.time } : {}),
      ...(event.subject !== undefined ? { subject: event.subject } : {}),
      ...(correlationId !== undefined ? { correlationId } : {}),
    });
    return {
      topic: this.options.names.of(event.topic),
      message: { key: encoded.key, value: encoded.value, headers: encoded.headers },
    };
  }

  private raw(messages: readonly RawOutgoingMessage[]): OutgoingMessage[] {
    return messages.map((message) => ({
      topic: message.physicalTopic,
      message: { key: message.key, value: message.value, headers: message.headers },
    }));
  }

  private async sendRequest(
    send: (batch: TopicMessages[]) => Promise<unknown>,
    request: TopicMessages[],
  ): Promise<void> {
    await send(request);
    for (const { topic, messages } of request) {
      this.options.metrics?.produced.inc(
        { topic: this.options.names.logical(topic) ?? topic },
        messages.length,
      );
    }
  }

  private async sendAll(
    send: (batch: TopicMessages[]) => Promise<unknown>,
    messages: readonly OutgoingMessage[],
  ): Promise<void> {
    const request = new RequestBuilder();
    for (const { topic, message } of messages) {
      const bytes = recordBytes(message);
      if (request.wouldOverflow(bytes)) await this.sendRequest(send, request.take());
      request.add(topic, message, bytes);
    }
    if (request.size > 0) await this.sendRequest(send, request.take());
  }

  private async sendStream(
    send: (batch: TopicMessages[]) => Promise<unknown>,
    events: AsyncIterable<OutgoingEvent>,
    onSent: ((sent: number) => void) | undefined,
  ): Promise<number> {
    const ambient = currentCorrelationId();
    const request = new RequestBuilder();
    let sent = 0;
    let onTheWire: Promise<void> | undefined;
    const dispatch = async (): Promise<void> => {
      // One request at a time keeps the idempotent producer's order; the next is built meanwhile.
      if (onTheWire) await onTheWire;
      const count = request.size;
      onTheWire = this.sendRequest(send, request.take()).then(() => {
        sent += count;
        onSent?.(sent);
      });
      // Its failure surfaces at the next await of onTheWire, not as an unhandled rejection.
      onTheWire.catch(() => undefined);
    };
    try {
      for await (const event of events) {
        const { topic, message } = this.encodeOne(event, ambient);
        const bytes = recordBytes(message);
        if (request.wouldOverflow(bytes)) await dispatch();
        request.add(topic, message, bytes);
      }
      if (request.size > 0) await dispatch();
      await onTheWire;
    } catch (error) {
      // Aborting the transaction while a request is on the wire would race it.
      await onTheWire?.catch(() => undefined);
      throw error;
    }
    return sent;
  }
}
