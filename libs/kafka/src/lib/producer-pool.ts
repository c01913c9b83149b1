import type { Kafka } from 'kafkajs';
import type { Logger } from '@hum/observability';
import type { KafkaMetrics } from './metrics';
import { EventProducer, type EventTransaction } from './producer';
import type { TopicNames } from './topics';

export interface ProducerPoolOptions {
  names: TopicNames;
  source: string;
  logger: Logger;
  metrics?: KafkaMetrics;
  /** Stable per instance, e.g. `ingest-gateway.<instance id>`; producer i gets `<base>.<i>`. */
  transactionalIdBase: string;
  size: number;
}

/**
 * A few transactional producers so concurrent requests each get an all-or-nothing publish
 * without queueing behind one another (kafkajs allows one open transaction per producer).
 * Ids are stable per instance, so a restarted instance fences the transactions its
 * predecessor left open.
 */
export class TransactionalProducerPool {
  private readonly producers: EventProducer[];
  private readonly idle: EventProducer[] = [];
  private readonly waiting: ((producer: EventProducer) => void)[] = [];

  constructor(kafka: Kafka, options: ProducerPoolOptions) {
    if (options.size < 1) throw new Error('a producer pool needs at least one producer');
    this.producers = Array.from(
      { length: options.size },
      (_, i) =>
        new EventProducer(kafka, {
          names: options.names,
          source: options.source,
          logger: options.logger,
          ...(options.metrics ? { metrics: options.metrics } : {}),
          transactionalId: `${options.transactionalIdBase}.${i}`,
        }),
    );
  }

  async connect(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.connect()));
    this.idle.push(...this.producers);
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.disconnect()));
  }

  /** Runs `work` in a transaction on the next free producer. */
  async transaction<T>(work: (tx: EventTransaction) => Promise<T>): Promise<T> {
    const producer = await this.acquire();
    try {
      return await producer.transaction(work);
    } finally {
      this.release(producer);
    }
  }

  private acquire(): Promise<EventProducer> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(producer: EventProducer): void {
    const next = this.waiting.shift();
    if (next) next(producer);
    else this.idle.push(producer);
  }
}
