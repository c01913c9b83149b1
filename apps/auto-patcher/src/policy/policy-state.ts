import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_BACKOFF,
  describeError,
  sleep,
} from '@hum/common';
import { KAFKA_CLIENT, TopicNames } from '@hum/kafka';
import { HealthCheckRegistry, LOGGER, type Logger } from '@hum/observability';
import { PolicyFollower, type PolicySnapshot, provisionPolicyTopic } from '@hum/policy';
import type { PatcherConfig } from '../config';
import { PATCHER_CONFIG } from '../tokens';

/**
 * Retries of a follower that cannot start: a ceiling of 1 s, doubling up to 30 s, with full
 * jitter so replicas cut off together do not come back together. The loop tries until
 * shutdown, so no attempt is the last.
 */
const FOLLOW_RETRY: BackoffPolicy = {
  ...DEFAULT_BACKOFF,
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
};

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
  private readonly log: Logger;
  private readonly stopping = new AbortController();
  private following: Promise<void> = Promise.resolve();
  /** Set when start-up gave up waiting: the moment every tier started counting as off. */
  private offSince: Date | undefined;

  constructor(
    // The module's follower, not one of its own: policyMetricsProvider() shows that one on
    // /metrics from start-up, through every failed start.
    private readonly follower: PolicyFollower,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly names: TopicNames,
    @Inject(LOGGER) logger: Logger,
    @Inject(PATCHER_CONFIG) private readonly config: PatcherConfig,
    health: HealthCheckRegistry,
  ) {
    this.log = logger.child({ context: PolicyState.name });
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
        await provisionPolicyTopic(this.kafka, this.names, this.config.KAFKA_REPLICATION_FACTOR);
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
      } catch (error) {
        // The next start builds a new consumer: a failed stop is logged, and the wait still
        // comes, so a follower that cannot stop does not retry in a tight loop.
        this.log.warn({ error: describeError(error) }, 'policy follower did not stop cleanly');
      }
      try {
        await sleep(backoffDelay(FOLLOW_RETRY, attempt), this.stopping.signal);
      } catch (error) {
        // Only shutdown aborts the wait: the follower is stopped by onApplicationShutdown.
        if (this.stopping.signal.aborted) return;
        throw error;
      }
    }
  }
}
