import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { KAFKA_CLIENT, KafkaMetrics, TopicNames, TransactionalProducerPool } from '@hum/kafka';
import { LOGGER, type Logger, METRICS_REGISTRY } from '@hum/observability';

export interface ScanPublisherSettings {
  instanceId: string;
  size: number;
}

export const SCAN_PUBLISHER_SETTINGS = Symbol('ingest.scan-publisher-settings');

/** The gateway's transactional producers, connected after Kafka is provisioned, closed last. */
@Injectable()
export class ScanPublishers
  extends TransactionalProducerPool
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    names: TopicNames,
    @Inject(LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(SCAN_PUBLISHER_SETTINGS) settings: ScanPublisherSettings,
  ) {
    super(kafka, {
      names,
      source: '/hum/ingest-gateway',
      logger: logger.child({ context: ScanPublishers.name }),
      metrics: KafkaMetrics.for(registry),
      transactionalIdBase: `ingest-gateway.${settings.instanceId}`,
      size: settings.size,
    });
  }

  onModuleInit(): Promise<void> {
    return this.connect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.disconnect();
  }
}
