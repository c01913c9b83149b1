import { readFileSync } from 'node:fs';
import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { EventProducer, KAFKA_CLIENT, TopicNames } from '@hum/kafka';
import { HealthCheckRegistry, LOGGER, type Logger } from '@hum/observability';
import { type ApiKeyStore } from '../api-key-verifier';
import { StaticApiKeyStore } from '../file-key-store';
import { KafkaApiKeyStore } from '../kafka/kafka-api-key-store';
import { KeyUseReporter } from '../kafka/key-use-reporter';
import { API_KEY_STORE } from './api-key.guard';

export interface ApiKeyStoreSource {
  /**
   * A key file (hashes only, `hum keys` format) read once at start, for installations without
   * policy-admin. Unset: the keys policy-admin publishes on `apikeys.state`, followed live.
   */
  file: string | undefined;
  /** Names the follower's consumer group. */
  service: string;
}

@Injectable()
class ApiKeyStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(API_KEY_STORE) private readonly store: ApiKeyStore,
    health: HealthCheckRegistry,
  ) {
    if (store instanceof KafkaApiKeyStore) {
      health.register({
        name: 'api-keys',
        check: () => {
          if (!store.loaded) throw new Error('API keys not read to the end of apikeys.state yet');
          return Promise.resolve({ source: 'apikeys.state', keys: store.size() });
        },
      });
    }
  }

  onModuleInit(): Promise<void> {
    return this.store instanceof KafkaApiKeyStore ? this.store.start() : Promise.resolve();
  }

  onApplicationShutdown(): Promise<void> {
    return this.store instanceof KafkaApiKeyStore ? this.store.stop() : Promise.resolve();
  }
}

/**
 * The pipeline API keys a service checks, from a file or followed on Kafka. With Kafka the
 * service must list `TOPICS.apiKeysState` in `KafkaModule.forRoot({ follows })` and
 * `TOPICS.apiKeysUsage` in its `produces`: uses are reported to policy-admin.
 */
export function apiKeyStoreProviders(source: ApiKeyStoreSource): Provider[] {
  const store: Provider =
    source.file === undefined
      ? {
          provide: API_KEY_STORE,
          inject: [KAFKA_CLIENT, TopicNames, LOGGER, EventProducer],
          useFactory: (
            kafka: Kafka,
            names: TopicNames,
            logger: Logger,
            producer: EventProducer,
          ) => {
            const uses = new KeyUseReporter({ producer, service: source.service, logger });
            return new KafkaApiKeyStore({
              kafka,
              names,
              logger: logger.child({ context: KafkaApiKeyStore.name }),
              service: source.service,
              onUse: (id, at) => uses.report(id, at),
            });
          },
        }
      : {
          provide: API_KEY_STORE,
          useValue: StaticApiKeyStore.fromText(readFileSync(source.file, 'utf8'), source.file),
        };
  return [store, ApiKeyStoreLifecycle];
}
