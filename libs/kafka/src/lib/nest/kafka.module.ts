import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { TopicDefinition } from '@hum/contracts';
import { HealthCheckRegistry, LOGGER, type Logger, METRICS_REGISTRY } from '@hum/observability';
import type { BackoffPolicy } from '@hum/common';
import { createKafkaClient, waitForKafka } from '../client';
import type {
  EventHandler,
  HandlerOutput,
  InboundEvent,
  MessageContext,
} from '../consumer/handler';
import { ConsumerRunner, type DeliveryGuarantee } from '../consumer/runner';
import { KafkaMetrics } from '../metrics';
import { EventProducer } from '../producer';
import type { KafkaSettings } from '../settings';
import { provisionTopics, TopicNames } from '../topics';
import { CONSUME_EVENTS_METADATA, type ConsumeEventsMetadata } from './consume-events.decorator';

export interface KafkaConsumerOptions {
  groupId: string;
  delivery: DeliveryGuarantee;
  /** Topics this service must consume: each needs exactly one @ConsumeEvents handler. */
  topics: readonly TopicDefinition[];
  retry?: Partial<BackoffPolicy>;
  maxBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  /** How long a silent member keeps its partitions (a crashed replica's are reassigned after it). */
  sessionTimeoutMs?: number;
}

export interface KafkaModuleOptions {
  settings: KafkaSettings;
  /** Service name: CloudEvents source `/hum/<service>`. */
  service: string;
  /** Topics this service publishes to (provisioned at start). */
  produces: readonly TopicDefinition[];
  /** Compacted state topics it follows outside the consumer group (policy, keys): provisioned too. */
  follows?: readonly TopicDefinition[];
  consumer?: KafkaConsumerOptions;
}

export const KAFKA_OPTIONS = Symbol('hum.kafka.options');
export const KAFKA_CLIENT = Symbol('hum.kafka.client');

export class HandlerWiringError extends Error {
  override readonly name = 'HandlerWiringError';
}

type BoundMethod = (...args: unknown[]) => Promise<HandlerOutput>;

/** Connects, provisions topics, starts the consumer after boot and stops it cleanly on SIGTERM. */
@Injectable()
export class KafkaLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private runner: ConsumerRunner | undefined;

  constructor(
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly names: TopicNames,
    private readonly producer: EventProducer,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly health: HealthCheckRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const log = this.logger.child({ context: KafkaLifecycle.name });
    await waitForKafka(this.options.settings, log);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const consumed = this.options.consumer?.topics ?? [];
      const producedOnly = [...this.options.produces, ...(this.options.follows ?? [])].filter(
        (t, i, all) => !consumed.includes(t) && all.indexOf(t) === i,
      );
      const report = await provisionTopics(admin, this.names, consumed, {
        replicationFactor: this.options.settings.replicationFactor,
        withDeadLetters: true,
      });
      const report2 = await provisionTopics(admin, this.names, producedOnly, {
        replicationFactor: this.options.settings.replicationFactor,
        withDeadLetters: false,
      });
      log.info({ created: [...report.created, ...report2.created] }, 'topics provisioned');
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
    this.health.register({
      name: 'kafka',
      check: async () => {
        if (this.runner?.state === 'crashed')
          throw new Error(`consumer crashed: ${this.runner.failure ?? 'unknown'}`);
        const probe = this.kafka.admin();
        await probe.connect();
        try {
          const cluster = await probe.describeCluster();
          return { brokers: cluster.brokers.length, consumer: this.runner?.state ?? 'none' };
        } finally {
          await probe.disconnect();
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.startConsumer();
    } catch (error) {
      // Nest runs no shutdown hooks for a failed boot: release the connections here.
      await this.producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.options.consumer;
    const handlers = this.discoverHandlers();
    if (!consumer) {
      if (handlers.length > 0) {
        throw new HandlerWiringError(
          `@ConsumeEvents handlers found (${handlers.map((h) => h.name).join(', ')}) but no consumer is configured`,
        );
      }
      return;
    }
    const handled = new Set(handlers.map((h) => h.topic.name));
    const missing = consumer.topics.filter((t) => !handled.has(t.name));
    if (missing.length > 0) {
      throw new HandlerWiringError(
        `no @ConsumeEvents handler for ${missing.map((t) => t.name).join(', ')}`,
      );
    }
    const unexpected = handlers.filter((h) => !consumer.topics.includes(h.topic));
    if (unexpected.length > 0) {
      throw new HandlerWiringError(
        `handlers for topics not in the consumer's list: ${unexpected.map((h) => `${h.name} (${h.topic.name})`).join(', ')}`,
      );
    }
    this.runner = new ConsumerRunner({
      kafka: this.kafka,
      // The topic prefix namespaces the group too: kafkajs assigns every topic the group's
      // members subscribe to among all of them, so two deployments (or two test suites) with
      // different prefixes must never share a group.
      groupId: `${this.names.prefix}${consumer.groupId}`,
      names: this.names,
      handlers,
      logger: this.logger.child({ context: ConsumerRunner.name }),
      delivery: consumer.delivery,
      producer: this.producer,
      source: `/hum/${this.options.service}`,
      metrics: KafkaMetrics.for(this.registry),
      fetchMaxBytes: this.options.settings.fetchMaxBytes,
      fetchPartitionMaxBytes: this.options.settings.fetchPartitionMaxBytes,
      ...(consumer.retry ? { retry: consumer.retry } : {}),
      ...(consumer.maxBatchSize ? { maxBatchSize: consumer.maxBatchSize } : {}),
      ...(consumer.sessionTimeoutMs ? { sessionTimeoutMs: consumer.sessionTimeoutMs } : {}),
      ...(consumer.partitionsConsumedConcurrently
        ? { partitionsConsumedConcurrently: consumer.partitionsConsumedConcurrently }
        : {}),
    });
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
    await this.producer.disconnect();
  }

  private discoverHandlers(): EventHandler[] {
    const handlers: EventHandler[] = [];
    const seen = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const meta = this.reflector.get<ConsumeEventsMetadata | undefined>(
          CONSUME_EVENTS_METADATA,
          fn,
        );
        if (!meta) continue;
        const name = `${instance.constructor.name}.${method}`;
        const previous = seen.get(meta.topic.name);
        if (previous)
          throw new HandlerWiringError(
            `topic ${meta.topic.name} has two handlers: ${previous} and ${name}`,
          );
        seen.set(meta.topic.name, name);
        const bound = (fn as BoundMethod).bind(instance);
        handlers.push(
          meta.batch
            ? {
                kind: 'batch',
                topic: meta.topic,
                name,
                handle: (
                  events: readonly InboundEvent<typeof meta.topic.schema>[],
                  ctx: MessageContext,
                ) => bound(events, ctx),
              }
            : {
                kind: 'each',
                topic: meta.topic,
                name,
                handle: (event: InboundEvent<typeof meta.topic.schema>, ctx: MessageContext) =>
                  bound(event, ctx),
              },
        );
      }
    }
    return handlers;
  }
}

/** The one way a service talks to Kafka: `KafkaModule.forRoot(...)`, then inject EventProducer. */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          inject: [LOGGER],
          useFactory: (logger: Logger) => createKafkaClient(options.settings, logger),
        },
        { provide: TopicNames, useValue: new TopicNames(options.settings.topicPrefix) },
        {
          provide: EventProducer,
          inject: [KAFKA_CLIENT, TopicNames, LOGGER, METRICS_REGISTRY],
          useFactory: (kafka: Kafka, names: TopicNames, logger: Logger, registry: Registry) =>
            new EventProducer(kafka, {
              names,
              source: `/hum/${options.service}`,
              logger: logger.child({ context: EventProducer.name }),
              metrics: KafkaMetrics.for(registry),
            }),
        },
        KafkaLifecycle,
      ],
      exports: [EventProducer, TopicNames, KAFKA_CLIENT],
    };
  }
}
