import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { REMEDIATION_TIERS } from '@hum/contracts';
import { KAFKA_CLIENT, TopicNames } from '@hum/kafka';
import { LOGGER, type Logger } from '@hum/observability';
import { PolicyFollower, provisionPolicyTopic } from '@hum/policy';
import type { DispatcherConfig } from './config';
import { DISPATCHER_CONFIG } from './tokens';

/** Follows policy.state for SLA days; the topic is provisioned first if nobody has yet. */
@Injectable()
export class PolicyLifecycle implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly follower: PolicyFollower,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    private readonly names: TopicNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await provisionPolicyTopic(this.kafka, this.names, this.config.KAFKA_REPLICATION_FACTOR);
    // Due dates of tickets raised or re-tiered from now on follow the new days: say when they
    // change, so whoever changed them in the console can see this replica took them up.
    this.unsubscribe = this.follower.onChange((next, previous) => {
      const changed = REMEDIATION_TIERS.filter(
        (tier) => next.tiers[tier].slaDays !== previous.tiers[tier].slaDays,
      );
      if (changed.length === 0) return;
      this.logger.info(
        { slaDays: Object.fromEntries(changed.map((tier) => [tier, next.tiers[tier].slaDays])) },
        'SLA days changed',
      );
    });
    await this.follower.start();
    this.logger.info(
      { loaded: this.follower.current().loaded },
      'following policy.state for SLA days',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.follower.stop();
  }
}
