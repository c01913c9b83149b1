import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { z } from 'zod';
import { describeError, retry, RetryableError } from '@hum/common';
import { ContractViolationError, decodeEvent, type TopicDefinition } from '@hum/contracts';
import type { Logger } from '@hum/observability';
import type { TopicNames } from '../topics';

/** One record of a compacted topic: its key and its payload, or `null` for a tombstone. */
export interface CompactedRecord<T> {
  key: string;
  data: T | null;
  offset: string;
}

/** What every follower of a compacted topic is built from. */
export interface FollowerWiring {
  kafka: Kafka;
  names: TopicNames;
  logger: Logger;
  /** Named in the consumer group, for operators reading group listings. */
  service: string;
}

export interface CompactedTopicFollowerOptions<S extends z.ZodType> extends FollowerWiring {
  topic: TopicDefinition<S>;
  /** Applies one batch of valid records, in offset order. Invalid records never get here. */
  apply: (records: readonly CompactedRecord<z.infer<S>>[]) => void;
  /** Told once the topic has been read up to the end it had at start. */
  onLoaded?: () => void;
}

/**
 * Reads a compacted state topic from its beginning, then follows it: the one way hum keeps
 * Kafka-published state (policy, API keys, risk acceptances) in memory. Until it has read up
 * to the end offsets it saw at start it is not `loaded`, so a caller never judges against a
 * half-read topic. A record that fails its contract is logged and skipped: state that cannot
 * be read must never widen what a service allows.
 */
export class CompactedTopicFollower<S extends z.ZodType> {
  private consumer: Consumer | undefined;
  private pending = new Map<number, bigint>();
  private loadedFlag = false;
  private markLoaded!: () => void;
  private readonly loadedPromise = new Promise<void>((resolve) => (this.markLoaded = resolve));

  constructor(private readonly options: CompactedTopicFollowerOptions<S>) {}

  get loaded(): boolean {
    return this.loadedFlag;
  }

  /** Resolves once the topic has been read up to its end at start. */
  ready(): Promise<void> {
    return this.loadedPromise;
  }

  /** Waits (bounded) until loaded; a retryable error when the topic cannot be read in time. */
  async waitUntilLoaded(timeoutMs: number): Promise<void> {
    if (this.loadedFlag) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.loadedPromise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new RetryableError(`${this.options.topic.name} not read to its end yet`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async start(): Promise<void> {
    const { kafka, names, topic: definition, service } = this.options;
    const topic = names.of(definition);
    const admin = kafka.admin();
    await admin.connect();
    try {
      // Just-provisioned topics may not have a leader everywhere yet: retry what Kafka calls retriable.
      const offsets = await retry(() => admin.fetchTopicOffsets(topic), {
        shouldRetry: (error) => (error as { retriable?: boolean }).retriable === true,
        policy: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 2_000 },
      });
      this.pending = new Map(
        offsets
          .filter((o) => BigInt(o.high) > BigInt(o.low))
          .map((o) => [o.partition, BigInt(o.high)]),
      );
    } finally {
      await admin.disconnect();
    }
    if (this.pending.size === 0) this.finishLoading();
    // A group of its own each start: every instance reads the whole compacted topic.
    const consumer = kafka.consumer({
      groupId: `${definition.name}-follower.${service}.${randomUUID()}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    // Progress comes from the batch events, which kafkajs also emits for batches holding only
    // transaction markers (it never hands those to eachBatch).
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const end = this.pending.get(payload.partition);
      if (end === undefined || BigInt(payload.lastOffset) + 1n < end) return;
      this.pending.delete(payload.partition);
      if (this.pending.size === 0) this.finishLoading();
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const records: CompactedRecord<z.infer<S>>[] = [];
        for (const message of batch.messages) {
          const key = message.key?.toString();
          if (message.value === null) {
            if (key) records.push({ key, data: null, offset: message.offset });
            continue;
          }
          try {
            const event = decodeEvent(definition, message);
            records.push({ key: key!, data: event.data, offset: message.offset });
          } catch (error) {
            if (!(error instanceof ContractViolationError)) throw error;
            this.options.logger.error(
              { topic, offset: message.offset, error: describeError(error) },
              'invalid state record skipped',
            );
          }
        }
        if (records.length > 0) this.options.apply(records);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private finishLoading(): void {
    if (this.loadedFlag) return;
    this.loadedFlag = true;
    this.markLoaded();
    this.options.onLoaded?.();
  }
}
