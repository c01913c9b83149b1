import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { KAFKA_CLIENT, KafkaMetrics, TopicNames } from '@hum/kafka';
import { HealthCheckRegistry, LOGGER, type Logger, METRICS_REGISTRY } from '@hum/observability';
import type { AdminStorage } from '../database/admin-storage';
import { ADMIN_SETTINGS, ADMIN_STORAGE, type AdminSettings } from '../tokens';
import { OutboxRelay } from './outbox-relay';

/** The outbox relay as a Nest provider: started after Kafka is provisioned, stopped first. */
@Injectable()
export class RelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    names: TopicNames,
    @Inject(ADMIN_STORAGE) storage: AdminStorage,
    @Inject(LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(ADMIN_SETTINGS) settings: AdminSettings,
    health: HealthCheckRegistry,
  ) {
    this.relay = new OutboxRelay({
      kafka,
      names,
      db: storage.db,
      logger,
      metrics: KafkaMetrics.for(registry),
      epoch: storage.epoch,
      pollMs: settings.outboxPollMs,
    });
    health.register({
      name: 'outbox',
      check: async () => {
        const backlog = await this.relay.backlog();
        if (this.relay.failure !== undefined)
          throw new Error(`outbox not publishing (${backlog} waiting): ${this.relay.failure}`);
        return { backlog };
      },
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.relay.stop();
  }

  wake(): void {
    this.relay.wake();
  }

  whenPublished(seq: bigint, timeoutMs: number): Promise<boolean> {
    return this.relay.whenPublished(seq, timeoutMs);
  }
}
