import { randomBytes } from 'node:crypto';
import { type IHeaders, type KafkaMessage } from 'kafkajs';
import { createTestKafka, testKafkaBrokers } from './brokers';

/** A consumed record, decoded as UTF-8 (hum's payloads and headers are JSON and text). */
export interface TopicMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: string | null;
  /** Header values as text; for a repeated header the last value wins, as in Kafka's lastHeader. */
  headers: Record<string, string>;
}

export interface ReadTopicOptions {
  topic: string;
  /** Stop once this many messages have been read. */
  count?: number;
  /** Stop once this returns true for everything read so far. */
  until?: (messages: readonly TopicMessage[]) => boolean;
  /** Bound on the whole read, group join included. Default 30 s. */
  timeoutMs?: number;
  brokers?: string[];
  /** Also see records of open and aborted transactions (diagnostics); default read_committed. */
  readUncommitted?: boolean;
}

export class ReadTopicTimeoutError extends Error {
  override readonly name = 'ReadTopicTimeoutError';

  constructor(
    message: string,
    readonly messages: readonly TopicMessage[],
  ) {
    super(message);
  }
}

const SUMMARY_LIMIT = 10;
const VALUE_PREVIEW = 160;

function text(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.toString('utf8');
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    const value = text(last);
    if (value !== null) decoded[name] = value;
  }
  return decoded;
}

function decode(topic: string, partition: number, message: KafkaMessage): TopicMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: text(message.key),
    value: text(message.value),
    headers: decodeHeaders(message.headers),
  };
}

function summarize(messages: readonly TopicMessage[]): string {
  if (messages.length === 0) return '';
  const lines = messages.slice(0, SUMMARY_LIMIT).map((m) => {
    const value = m.value === null ? 'null' : m.value.slice(0, VALUE_PREVIEW);
    return `  p${m.partition}@${m.offset} key=${m.key ?? 'null'} value=${value}`;
  });
  if (messages.length > SUMMARY_LIMIT) {
    lines.push(`  ... and ${messages.length - SUMMARY_LIMIT} more`);
  }
  return `:\n${lines.join('\n')}`;
}

/**
 * Reads `topic` from the beginning, with a consumer group of its own, until `count` messages
 * (or `until`) are satisfied, and returns what it read in arrival order. When the bound
 * expires it fails with everything it did see, so a spec's failure shows the actual stream.
 */
export async function readTopic(options: ReadTopicOptions): Promise<TopicMessage[]> {
  const { topic, count, until, timeoutMs = 30_000 } = options;
  if (count === undefined && until === undefined) {
    throw new Error('readTopic needs `count` or `until` to know when it is done');
  }
  const done = (seen: readonly TopicMessage[]): boolean =>
    (count === undefined || seen.length >= count) && (until === undefined || until(seen));
  const expectation = [
    count === undefined ? undefined : `${count} message(s)`,
    until === undefined ? undefined : 'the `until` condition',
  ]
    .filter((part) => part !== undefined)
    .join(' and ');

  const kafka = createTestKafka('read-topic', options.brokers ?? testKafkaBrokers());
  const consumer = kafka.consumer({
    groupId: `read-topic.${randomBytes(6).toString('hex')}`,
    readUncommitted: options.readUncommitted ?? false,
  });
  const seen: TopicMessage[] = [];
  // A rebalance during the read (e.g. while a fresh topic's metadata settles) redelivers
  // records whose offsets were not committed yet; the reader reports the topic, not deliveries.
  const positions = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let removeCrashListener: (() => void) | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<TopicMessage[]>((resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new ReadTopicTimeoutError(
            `readTopic(${topic}): expected ${expectation} within ${timeoutMs} ms, saw ${seen.length}` +
              summarize(seen),
            [...seen],
          ),
        );
      }, timeoutMs);
      // kafkajs restarts the consumer itself after retriable errors (e.g. the coordinator
      // still loading); only a crash it gives up on ends the read.
      removeCrashListener = consumer.on(consumer.events.CRASH, (event) => {
        if (event.payload.restart) return;
        reject(new Error(`readTopic(${topic}): consumer crashed`, { cause: event.payload.error }));
      });
      if (done(seen)) resolve([]);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const position = `${partition}@${message.offset}`;
            if (positions.has(position)) return;
            positions.add(position);
            seen.push(decode(topic, partition, message));
            if (done(seen)) resolve([...seen]);
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    removeCrashListener?.();
    await consumer.disconnect();
  }
}
