import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { sleep } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import { KAFKA_CLIENT, provisionTopics, TopicNames } from '@hum/kafka';
import { HealthCheckRegistry, LOGGER, type Logger } from '@hum/observability';
import { PolicyFollower, type PolicySnapshot } from '@hum/policy';
import { type PatcherConfig, SERVICE_NAME } from '../config';
import { PATCHER_CONFIG } from '../tokens';

/**
 * The policy as the patcher sees it, following the compacted policy.state topic with no
 * restart. Start-up waits until the topic has been read to its end (so the consumer never
 * decides under a half-read policy) and fails if it cannot be read in time.
 */
@Injectable()
export class PolicyState implements OnModuleInit, OnApplicationShutdown {
  private readonly follower: PolicyFollower;
  private readonly log: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly names: TopicNames,
    @Inject(LOGGER) logger: Logger,
    @Inject(PATCHER_CONFIG) private readonly config: PatcherConfig,
    health: HealthCheckRegistry,
  ) {
    this.log = logger.child({ context: PolicyState.name });
    this.follower = new PolicyFollower({ kafka, names, logger: this.log, service: SERVICE_NAME });
    this.follower.onChange((next, previous) => {
      for (const tier of Object.keys(next.tiers) as Array<keyof PolicySnapshot['tiers']>) {
        const before = previous.tiers[tier];
        const after = next.tiers[tier];
        if (
          before.mode !== after.mode ||
          before.paused !== after.paused ||
          before.version !== after.version
        )
          this.log.info(
            { tier, mode: after.mode, paused: after.paused, version: after.version },
            'tier policy changed',
          );
      }
      if (previous.global.killSwitch !== next.global.killSwitch)
        this.log.warn({ killSwitch: next.global.killSwitch }, 'kill switch changed');
    });
    health.register({
      name: 'policy',
      check: () => {
        const snapshot = this.follower.current();
        if (!snapshot.loaded)
          return Promise.reject(new Error('policy.state not read to its end yet'));
        return Promise.resolve({ killSwitch: snapshot.global.killSwitch });
      },
    });
  }

  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // A fresh cluster has no policy topic yet; created empty, it reads as "every tier off".
      await provisionTopics(admin, this.names, [TOPICS.policyState], {
        replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
        withDeadLetters: false,
      });
    } finally {
      await admin.disconnect();
    }
    await this.follower.start();
    const deadline = Date.now() + this.config.PATCHER_POLICY_LOAD_TIMEOUT;
    while (!this.follower.current().loaded) {
      if (Date.now() > deadline)
        throw new Error(
          `policy.state was not read to its end within ${this.config.PATCHER_POLICY_LOAD_TIMEOUT} ms (check PATCHER_POLICY_LOAD_TIMEOUT)`,
        );
      await sleep(50);
    }
    this.log.info('policy loaded');
  }

  snapshot(): PolicySnapshot {
    return this.follower.current();
  }

  /** Called after every change of the followed policy (not for the records read at start). */
  onChange(listener: (next: PolicySnapshot, previous: PolicySnapshot) => void): () => void {
    return this.follower.onChange(listener);
  }

  onApplicationShutdown(): Promise<void> {
    return this.follower.stop();
  }
}
