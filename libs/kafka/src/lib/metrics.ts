import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function counter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
): Counter<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Prometheus metrics of the Kafka layer; one instance per registry (i.e. per process). */
export class KafkaMetrics {
  readonly consumed: Counter<string>;
  readonly produced: Counter<string>;
  readonly failed: Counter<string>;
  readonly deadLettered: Counter<string>;
  readonly lag: Gauge<string>;
  readonly handlerSeconds: Histogram<string>;
  readonly commitSeconds: Histogram<string>;

  private static readonly byRegistry = new WeakMap<Registry, KafkaMetrics>();

  static for(registry: Registry): KafkaMetrics {
    let metrics = KafkaMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new KafkaMetrics(registry);
      KafkaMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry) {
    this.consumed = counter(
      registry,
      'hum_kafka_messages_consumed_total',
      'Messages handled successfully',
      ['topic', 'group'],
    );
    this.produced = counter(registry, 'hum_kafka_messages_produced_total', 'Messages produced', [
      'topic',
    ]);
    this.failed = counter(
      registry,
      'hum_kafka_handler_failures_total',
      'Handler attempts that threw',
      ['topic', 'group', 'retryable'],
    );
    this.deadLettered = counter(
      registry,
      'hum_kafka_messages_dead_lettered_total',
      'Messages sent to a DLQ',
      ['topic', 'group', 'kind'],
    );
    this.lag = new Gauge({
      name: 'hum_kafka_consumer_lag',
      help: 'High watermark minus the next offset to process, per partition',
      labelNames: ['topic', 'partition', 'group'],
      registers: [registry],
    });
    this.handlerSeconds = new Histogram({
      name: 'hum_kafka_handler_duration_seconds',
      help: 'Time spent in handlers per message or batch',
      labelNames: ['topic', 'group'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    });
    this.commitSeconds = new Histogram({
      name: 'hum_kafka_commit_duration_seconds',
      help: 'Time to publish a batch’s outputs and commit its offsets (the Kafka transaction in exactly-once mode)',
      labelNames: ['topic', 'group'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    });
  }
}
