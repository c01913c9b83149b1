import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { LOGGER, type Logger } from '@hum/observability';
import type { FollowerWiring } from '../follow/compacted-topic-follower';
import { TopicNames } from '../topics';
import { KAFKA_CLIENT } from './kafka.module';

/**
 * A provider for something that follows a compacted topic outside the consumer group (policy,
 * acceptances), built on this service's Kafka client, topic names and logger.
 */
export function followerProvider<T>(
  provide: InjectionToken,
  Follower: { readonly name: string; new (wiring: FollowerWiring): T },
  service: string,
): FactoryProvider<T> {
  return {
    provide,
    inject: [KAFKA_CLIENT, TopicNames, LOGGER],
    useFactory: (kafka: Kafka, names: TopicNames, logger: Logger) =>
      new Follower({ kafka, names, logger: logger.child({ context: Follower.name }), service }),
  };
}
