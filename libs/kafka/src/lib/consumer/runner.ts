import { setMaxListeners } from 'node:events';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import {
  type BackoffPolicy,
  type Clock,
  DEFAULT_BACKOFF,
  describeError,
  isRetryable,
  retry,
  RetriesExhaustedError,
  sleep,
  systemClock,
} from '@hum/common';
import { ContractViolationError, decodeEvent } from '@hum/contracts';
import { type Logger, withCorrelation } from '@hum/observability';
import type { KafkaMetrics } from '../metrics';
import { EventProducer, type OutgoingEvent, type RawOutgoingMessage } from '../producer';
import { FETCH_DEFAULTS } from '../settings';
import type { TopicNames } from '../topics';
import { type DeadLetter, deadLetterMessage } from './dead-letter';
import type { EventHandler, HandlerOutput, InboundEvent, MessageContext } from './handler';

export type DeliveryGuarantee = 'at-least-once' | 'exactly-once';

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  names: TopicNames;
  handlers: readonly EventHandler[];
  logger: Logger;
  /**
   * `at-least-once`: results and dead letters are published, then the offset is committed;
   * handlers must be idempotent. `exactly-once`: results, dead letters and the offset commit
   * go in one Kafka transaction per chunk (a transactional producer per input partition, so a
   * partition's previous owner is fenced after a rebalance).
   */
  delivery: DeliveryGuarantee;
  /** Publishes results and dead letters in at-least-once mode. */
  producer?: EventProducer;
  /** CloudEvents source for the transactional producers of exactly-once mode. */
  source: string;
  metrics?: KafkaMetrics;
  retry?: Partial<BackoffPolicy>;
  /** Messages handled (and committed) together: the batch size for batch handlers. */
  maxBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Fetch sizes (KafkaSettings); FETCH_DEFAULTS when not given. */
  fetchMaxBytes?: number;
  fetchPartitionMaxBytes?: number;
  /** Where a new consumer group starts; true so nothing published before the first start is missed. */
  fromBeginning?: boolean;
  clock?: Clock;
  random?: () => number;
  /** Builds the per-partition transactional producers (a port, so fault tests can inject). */
  createTransactionalProducer?: (transactionalId: string) => EventProducer;
}

/** Kafka's answer to a transactional producer whose id a newer producer took over. */
function isFencedProducer(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth += 1, current = current.cause) {
    const type = (current as { type?: unknown }).type;
    if (type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED') return true;
  }
  return false;
}

export class DuplicateHandlerError extends Error {
  override readonly name = 'DuplicateHandlerError';
}

class StopRequested extends Error {
  override readonly name = 'StopRequested';
}

type AttemptResult =
  | { ok: true; output: readonly OutgoingEvent[] }
  | { ok: false; letter: Omit<DeadLetter, 'message'> };

/** A message of a chunk after decoding: an event for the handler, or a dead letter already. */
type Decoded =
  | { message: KafkaMessage; event: InboundEvent<z.ZodType> }
  | { message: KafkaMessage; letter: DeadLetter };

interface ChunkOutcome {
  outputs: OutgoingEvent[];
  deadLetters: DeadLetter[];
  /**
   * The last offset of the chunk whose fate is settled (handled or dead-lettered), or
   * undefined when none is. It is less than the chunk's last when a stop cut the chunk short:
   * the messages after it stay uncommitted for the partition's next owner.
   */
  lastOffset: string | undefined;
}

export type RunnerState = 'idle' | 'running' | 'stopping' | 'stopped' | 'crashed';

/**
 * Consumes topics for one consumer group and never loses or loops: every message is handled
 * and committed, or dead-lettered with the reason and committed. Invalid messages go to the
 * DLQ at once; retryable failures back off with jitter; exhausted retries go to the DLQ.
 */
export class ConsumerRunner {
  private consumer: Consumer | undefined;
  private readonly byPhysicalTopic = new Map<string, EventHandler>();
  private readonly transactionalProducers = new Map<string, EventProducer>();
  private readonly stopController = new AbortController();
  private readonly policy: BackoffPolicy;
  private readonly clock: Clock;
  private currentState: RunnerState = 'idle';
  private crashReason: string | undefined;

  constructor(private readonly options: ConsumerRunnerOptions) {
    // Every handler wait (backoff, Retry-After, a sync's pause) listens for the stop: a handler
    // working on many groups at once holds more than Node's default warning threshold of 10.
    setMaxListeners(1_000, this.stopController.signal);
    for (const handler of options.handlers) {
      const physical = options.names.of(handler.topic);
      const existing = this.byPhysicalTopic.get(physical);
      if (existing) {
        throw new DuplicateHandlerError(
          `topic ${handler.topic.name} has two handlers in group ${options.groupId}: ${existing.name} and ${handler.name}`,
        );
      }
      this.byPhysicalTopic.set(physical, handler);
    }
    if (options.delivery === 'at-least-once' && !options.producer) {
      throw new Error('at-least-once delivery needs a producer for results and dead letters');
    }
    this.policy = { ...DEFAULT_BACKOFF, initialDelayMs: 200, ...options.retry };
    this.clock = options.clock ?? systemClock;
  }

  get state(): RunnerState {
    return this.currentState;
  }

  /** Why the consumer stopped on its own, if it did (for /health). */
  get failure(): string | undefined {
    return this.crashReason;
  }

  async start(): Promise<void> {
    if (this.byPhysicalTopic.size === 0)
      throw new Error(`consumer group ${this.options.groupId} has no handlers`);
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // How long a rebalance waits for members to rejoin: kafkajs' 60 s default holds every
      // partition hostage that long after a replica dies; in-flight batches finish well within this.
      rebalanceTimeout: Math.max(2 * (this.options.sessionTimeoutMs ?? 30_000), 10_000),
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      maxWaitTimeInMs: 250,
      maxBytes: this.options.fetchMaxBytes ?? FETCH_DEFAULTS.fetchMaxBytes,
      maxBytesPerPartition:
        this.options.fetchPartitionMaxBytes ?? FETCH_DEFAULTS.fetchPartitionMaxBytes,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.options.logger.error({ err: error, restart }, 'consumer crashed');
      if (!restart) {
        this.currentState = 'crashed';
        this.crashReason = describeError(error);
      }
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.byPhysicalTopic.keys()],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: this.options.delivery === 'at-least-once',
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.currentState = 'running';
  }

  /**
   * Lets the handler call in flight finish (cutting only backoff waits short), commits the
   * messages settled so far, and leaves the group: kafkajs' disconnect waits for the batch
   * callback, and in at-least-once mode commits the resolved offsets when it returns.
   */
  async stop(): Promise<void> {
    if (this.currentState === 'stopped' || this.currentState === 'idle') return;
    this.currentState = 'stopping';
    this.stopController.abort(new StopRequested('consumer stopping'));
    await this.consumer?.disconnect();
    await Promise.all(
      [...this.transactionalProducers.values()].map((p) => p.disconnect().catch(() => undefined)),
    );
    this.transactionalProducers.clear();
    this.currentState = 'stopped';
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } =
      payload;
    const handler = this.byPhysicalTopic.get(batch.topic);
    if (!handler) return;
    const chunkSize = Math.max(1, this.options.maxBatchSize ?? 500);
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale() || this.stopController.signal.aborted) return;
      const chunk = batch.messages.slice(start, start + chunkSize);
      let outcome: ChunkOutcome;
      try {
        outcome = await this.processChunk(handler, batch.partition, chunk, heartbeat);
      } catch (error) {
        if (error instanceof StopRequested) return; // Uncommitted: redelivered after restart.
        throw error;
      }
      const lastOffset = outcome.lastOffset;
      if (lastOffset === undefined) return; // Stopped before any message was settled.
      const stopCommitTimer = this.options.metrics?.commitSeconds.startTimer({
        topic: handler.topic.name,
        group: this.options.groupId,
      });
      try {
        await this.commitChunk(batch.topic, batch.partition, outcome, lastOffset);
        stopCommitTimer?.();
      } catch (error) {
        if (!isFencedProducer(error)) throw error;
        // A rebalance gave the partition to another member, whose producer fenced ours: the
        // chunk is left uncommitted for it to redo (the consumer ledger keeps the effects
        // single). Not a crash: the heartbeat makes this member rejoin if it must.
        this.options.logger.warn(
          { topic: handler.topic.name, partition: batch.partition, offset: lastOffset },
          'transactional producer fenced; leaving the chunk to the partition owner',
        );
        await heartbeat();
        return;
      }
      resolveOffset(lastOffset);
      if (this.options.delivery === 'at-least-once') await commitOffsetsIfNecessary();
      await heartbeat();
      const lag = Number(BigInt(batch.highWatermark) - BigInt(lastOffset) - 1n);
      this.options.metrics?.lag.set(
        {
          topic: handler.topic.name,
          partition: String(batch.partition),
          group: this.options.groupId,
        },
        Math.max(0, lag),
      );
    }
  }

  private async processChunk(
    handler: EventHandler,
    partition: number,
    messages: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<ChunkOutcome> {
    const decoded: Decoded[] = messages.map((message) => {
      try {
        const event = decodeEvent(handler.topic, message);
        return { message, event: { ...event, partition, offset: message.offset } };
      } catch (error) {
        if (!(error instanceof ContractViolationError)) throw error;
        return {
          message,
          letter: { message, kind: error.kind, reason: error.message, attempts: 0 },
        };
      }
    });
    const base = {
      topic: handler.topic.name,
      partition,
      heartbeat,
      signal: this.stopController.signal,
    };
    if (handler.kind === 'each') {
      return this.oneByOne(handler, decoded, (event, attempt) =>
        handler.handle(event, this.context(base, event.offset, attempt)),
      );
    }

    const deadLetters = decoded.flatMap((d) => ('letter' in d ? [d.letter] : []));
    const valid = decoded.flatMap((d) => ('event' in d ? [d] : []));
    const lastOffset = messages[messages.length - 1]!.offset;
    if (valid.length === 0) return { outputs: [], deadLetters, lastOffset };
    const events = valid.map((v) => v.event);
    // A batch is one unit: a stop during it (StopRequested) leaves the whole chunk uncommitted.
    const whole = await this.attempt(
      handler,
      events[0]!.metadata.correlationId,
      events.length,
      (attempt) => handler.handle(events, this.context(base, events[0]!.offset, attempt)),
    );
    if (whole.ok) return { outputs: [...whole.output], deadLetters, lastOffset };
    if (valid.length === 1) {
      deadLetters.push({ ...whole.letter, message: valid[0]!.message });
      return { outputs: [], deadLetters, lastOffset };
    }
    // Isolate the poison message: the rest of the batch must still get through.
    this.options.logger.warn(
      { topic: handler.topic.name, partition, size: valid.length },
      'batch failed; retrying one by one',
    );
    return this.oneByOne(handler, decoded, (event, attempt) =>
      handler.handle([event], this.context(base, event.offset, attempt)),
    );
  }

  /**
   * Handles the chunk's messages in offset order. Once the consumer is stopping, the message
   * in flight is the last one: it finishes and is committed with those before it, and the rest
   * are left to the partition's next owner, so a shutdown waits for one handler, not a chunk.
   */
  private async oneByOne(
    handler: EventHandler,
    decoded: readonly Decoded[],
    run: (event: InboundEvent<z.ZodType>, attempt: number) => Promise<HandlerOutput>,
  ): Promise<ChunkOutcome> {
    const outcome: ChunkOutcome = { outputs: [], deadLetters: [], lastOffset: undefined };
    for (const item of decoded) {
      if (this.stopController.signal.aborted) break;
      if ('letter' in item) {
        outcome.deadLetters.push(item.letter);
      } else {
        const { event } = item;
        let result: AttemptResult;
        try {
          result = await this.attempt(
            handler,
            event.metadata.correlationId ?? event.metadata.id,
            1,
            (attempt) => run(event, attempt),
          );
        } catch (error) {
          // It failed while stopping, and was not retried: redelivered to the next owner.
          if (error instanceof StopRequested) break;
          throw error;
        }
        if (result.ok) outcome.outputs.push(...result.output);
        else outcome.deadLetters.push({ ...result.letter, message: item.message });
      }
      outcome.lastOffset = item.message.offset;
    }
    return outcome;
  }

  private context(
    base: { topic: string; partition: number; heartbeat: () => Promise<void>; signal: AbortSignal },
    offset: string,
    attempt: number,
  ): MessageContext {
    return {
      ...base,
      offset,
      attempt,
      logger: this.options.logger.child({ topic: base.topic, partition: base.partition, offset }),
    };
  }

  /** Runs a handler on `messages` messages (one, or a whole batch) with retries. */
  private async attempt(
    handler: EventHandler,
    correlationId: string | undefined,
    messages: number,
    run: (attempt: number) => Promise<readonly OutgoingEvent[] | void>,
  ): Promise<AttemptResult> {
    let attempts = 0;
    const labels = { topic: handler.topic.name, group: this.options.groupId };
    const stopTimer = this.options.metrics?.handlerSeconds.startTimer(labels);
    try {
      const output = await retry(
        (attempt) => {
          attempts = attempt;
          return withCorrelation(correlationId, () => run(attempt));
        },
        {
          policy: this.policy,
          ...(this.options.random ? { random: this.options.random } : {}),
          signal: this.stopController.signal,
          sleeper: (ms, signal) => sleep(ms, signal),
          shouldRetry: (error) => {
            this.options.metrics?.failed.inc({ ...labels, retryable: String(isRetryable(error)) });
            return isRetryable(error) && !this.stopController.signal.aborted;
          },
          onRetry: (error, attempt, delayMs) =>
            this.options.logger.warn(
              {
                topic: handler.topic.name,
                handler: handler.name,
                attempt,
                delayMs,
                error: describeError(error),
              },
              'handler failed; retrying',
            ),
        },
      );
      this.options.metrics?.consumed.inc(labels, messages);
      return { ok: true, output: output ?? [] };
    } catch (error) {
      if (this.stopController.signal.aborted)
        throw new StopRequested('consumer stopping', { cause: error });
      const exhausted = error instanceof RetriesExhaustedError;
      const reason = describeError(exhausted ? error.cause : error);
      this.options.logger.error(
        { topic: handler.topic.name, handler: handler.name, attempts, error: reason },
        exhausted
          ? 'retries exhausted; dead-lettering'
          : 'handler failed permanently; dead-lettering',
      );
      return {
        ok: false,
        letter: { kind: exhausted ? 'retries-exhausted' : 'handler-failed', reason, attempts },
      };
    } finally {
      stopTimer?.();
    }
  }

  private async commitChunk(
    physicalTopic: string,
    partition: number,
    outcome: ChunkOutcome,
    lastOffset: string,
  ): Promise<void> {
    const now = this.clock.now();
    const dlqTopic = this.options.names.dlqOf(
      this.options.names.logical(physicalTopic) ?? physicalTopic,
    );
    const dead: RawOutgoingMessage[] = outcome.deadLetters.map((letter) =>
      deadLetterMessage(
        letter,
        { physicalTopic, partition, groupId: this.options.groupId },
        dlqTopic,
        now,
      ),
    );
    const handler = this.byPhysicalTopic.get(physicalTopic)!;
    for (const letter of outcome.deadLetters) {
      this.options.metrics?.deadLettered.inc({
        topic: handler.topic.name,
        group: this.options.groupId,
        kind: letter.kind,
      });
      this.options.logger.warn(
        {
          topic: handler.topic.name,
          partition,
          offset: letter.message.offset,
          kind: letter.kind,
          reason: letter.reason,
        },
        'message dead-lettered',
      );
    }
    if (this.options.delivery === 'at-least-once') {
      const producer = this.options.producer!;
      await producer.publish(outcome.outputs);
      await producer.publishRaw(dead);
      return;
    }
    const producer = await this.transactionalProducer(physicalTopic, partition);
    try {
      await producer.transaction(async (tx) => {
        await tx.publish(outcome.outputs);
        await tx.publishRaw(dead);
        await tx.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [
            {
              topic: physicalTopic,
              partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }],
            },
          ],
        });
      });
    } catch (error) {
      // A fenced or broken producer is useless; the next attempt starts a fresh one.
      this.transactionalProducers.delete(`${physicalTopic}:${partition}`);
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async transactionalProducer(
    physicalTopic: string,
    partition: number,
  ): Promise<EventProducer> {
    const key = `${physicalTopic}:${partition}`;
    let producer = this.transactionalProducers.get(key);
    if (!producer) {
      // Tied to the input partition: whoever owns the partition next fences this one.
      const transactionalId = `${this.options.groupId}.${physicalTopic}.${partition}`;
      producer =
        this.options.createTransactionalProducer?.(transactionalId) ??
        new EventProducer(this.options.kafka, {
          names: this.options.names,
          source: this.options.source,
          logger: this.options.logger,
          ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
          transactionalId,
        });
      await producer.connect();
      this.transactionalProducers.set(key, producer);
    }
    return producer;
  }
}
