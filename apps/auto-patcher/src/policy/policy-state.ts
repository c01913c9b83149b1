import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { describeError, sleep } from '@hum/common';
import { TOPICS } from '@hum/contracts';
import { KAFKA_CLIENT, provisionTopics, TopicNames } from '@hum/kafka';
import { HealthCheckRegistry, LOGGER, type Logger } from '@hum/observability';
import { PolicyFollower, type PolicySnapshot } from '@hum/policy';
import { type PatcherConfig, SERVICE_NAME } from '../config';
import { PATCHER_CONFIG } from '../tokens';

/** Retries of a follower that cannot start: after 1 s, doubling, then every 30 s. */
const followRetryDelay = (attempt: number): number => Math.min(30_000, 1_000 * 2 ** (attempt - 1));

/**
 * The policy as the patcher sees it, following the compacted policy.state topic with no
 * restart. Start-up waits up to PATCHER_POLICY_LOAD_TIMEOUT for the topic to be read to its end,
 * so a normal start never decides under a half-read policy. If it cannot be read in that time
 * (or the follower cannot start at all) the patcher starts anyway with every tier off, as
 * docs/admin.md promises: the snapshot stays not `loaded`, so every decision is a
 * `policy-not-loaded` skip and the executor starts nothing; /health reports `policy` down; the
 * follower keeps trying, and once the topic is read the patcher acts on it, no restart.
 */
@Injectable()
export class PolicyState implements OnModuleInit, OnApplicationShutdown {
  private readonly follower: PolicyFollower;
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private following: Promise<void> = Promise.resolve();
  /** Set when start-up gave up waiting: the moment every tier started counting as off. */
  private offSince: Date | undefined;

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
      if (next.loaded && !previous.loaded && this.offSince !== undefined)
        this.log.warn(
          { offForMs: Date.now() - this.offSince.getTime() },
          'policy loaded late: tiers follow policy.state from now on',
        );
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
          return Promise.reject(
            new Error(
              this.offSince === undefined
                ? 'policy.state not read to its end yet'
                : `policy.state not read to its end since ${this.offSince.toISOString()}: every tier is off`,
            ),
          );
        return Promise.resolve({ killSwitch: snapshot.global.killSwitch });
      },
    });
  }

  async onModuleInit(): Promise<void> {
    this.following = this.follow();
    const deadline = Date.now() + this.config.PATCHER_POLICY_LOAD_TIMEOUT;
    while (!this.follower.current().loaded && Date.now() < deadline) await sleep(50);
    if (this.follower.current().loaded) {
      this.log.info('policy loaded');
      return;
    }
    this.offSince = new Date();
    this.log.warn(
      { timeoutMs: this.config.PATCHER_POLICY_LOAD_TIMEOUT },
      'policy.state was not read to its end in time (PATCHER_POLICY_LOAD_TIMEOUT): starting with every tier off until it is',
    );
  }

  /**
   * True when start-up gave up waiting for the policy: findings decided since then were
   * skipped as `policy-not-loaded`, so the backlog must be swept once the policy arrives.
   */
  get startedWithoutPolicy(): boolean {
    return this.offSince !== undefined;
  }

  snapshot(): PolicySnapshot {
    return this.follower.current();
  }

  /** Called after every change of the followed policy (not for the records read at start). */
  onChange(listener: (next: PolicySnapshot, previous: PolicySnapshot) => void): () => void {
    return this.follower.onChange(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort(new Error('patcher stopping'));
    await this.following;
    await this.follower.stop();
  }

  /**
   * Provisions the topic and starts the follower; while either fails (the topic unreachable,
   * not creatable or not readable), tries again until shutdown.
   */
  private async follow(): Promise<void> {
    for (let attempt = 1; !this.stopping.signal.aborted; attempt += 1) {
      try {
        await this.provision();
        await this.follower.start();
        return;
      } catch (error) {
        this.log.warn(
          { attempt, error: describeError(error) },
          'cannot follow policy.state: every tier stays off; trying again',
        );
      }
      try {
        // Whatever the failed start left connected goes before the next try.
        await this.follower.stop();
        await sleep(followRetryDelay(attempt), this.stopping.signal);
      } catch (error) {
        // Only shutdown aborts the wait; a failed stop is logged and the start tried again.
        if (this.stopping.signal.aborted) return;
        this.log.warn({ error: describeError(error) }, 'policy follower did not stop cleanly');
      }
    }
  }

  private async provision(): Promise<void> {
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
  }
}
