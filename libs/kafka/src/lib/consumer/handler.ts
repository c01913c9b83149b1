import type { z } from 'zod';
import type { DecodedEvent, TopicDefinition } from '@hum/contracts';
import type { Logger } from '@hum/observability';
import type { OutgoingEvent } from '../producer';

export interface MessageContext {
  /** Logical topic name (catalogue name, without prefix). */
  topic: string;
  partition: number;
  offset: string;
  /** 1 on first delivery to the handler, then 2, 3... on retries. */
  attempt: number;
  logger: Logger;
  /** Keeps group membership alive during long work; call it between slow steps. */
  heartbeat(): Promise<void>;
  /** Aborted when the consumer is stopping: finish or give up promptly. */
  signal: AbortSignal;
}

/**
 * What a handler returns: events to publish as the result of this input. The runner publishes
 * them before the input's offset is committed — in the same Kafka transaction when the
 * consumer runs exactly-once.
 */
export type HandlerOutput = readonly OutgoingEvent[] | void;

export type InboundEvent<S extends z.ZodType> = DecodedEvent<z.infer<S>> & {
  partition: number;
  offset: string;
};

export interface EachMessageHandler<S extends z.ZodType = z.ZodType> {
  readonly kind: 'each';
  readonly topic: TopicDefinition<S>;
  readonly name: string;
  handle(event: InboundEvent<S>, context: MessageContext): Promise<HandlerOutput>;
}

export interface BatchHandler<S extends z.ZodType = z.ZodType> {
  readonly kind: 'batch';
  readonly topic: TopicDefinition<S>;
  readonly name: string;
  /**
   * Receives up to `maxBatchSize` valid events of one partition, in order. If it fails for
   * good, the runner retries the events one by one to isolate the poison message.
   */
  handle(events: readonly InboundEvent<S>[], context: MessageContext): Promise<HandlerOutput>;
}

export type EventHandler<S extends z.ZodType = z.ZodType> = EachMessageHandler<S> | BatchHandler<S>;

/** A per-message handler with its payload type inferred from the topic's contract. */
export function eachMessage<S extends z.ZodType>(
  topic: TopicDefinition<S>,
  name: string,
  handle: EachMessageHandler<S>['handle'],
): EachMessageHandler<S> {
  return { kind: 'each', topic, name, handle };
}

/** A batch handler with its payload type inferred from the topic's contract. */
export function batchOf<S extends z.ZodType>(
  topic: TopicDefinition<S>,
  name: string,
  handle: BatchHandler<S>['handle'],
): BatchHandler<S> {
  return { kind: 'batch', topic, name, handle };
}
