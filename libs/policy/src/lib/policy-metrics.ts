import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { REMEDIATION_TIERS, type RemediationTier } from '@hum/contracts';
import { METRICS_REGISTRY } from '@hum/observability';
import { type FollowedPolicyKey, PolicyFollower } from './policy-follower';

const TIER_KEY_PREFIX = 'tier:';

const KEYS: readonly FollowedPolicyKey[] = [
  ...REMEDIATION_TIERS.map((tier) => `${TIER_KEY_PREFIX}${tier}` as const),
  'global',
];

/** The version a snapshot holds for one policy.state key. */
function versionOf(follower: PolicyFollower, key: FollowedPolicyKey): number {
  const snapshot = follower.current();
  if (key === 'global') return snapshot.global.version;
  return snapshot.tiers[key.slice(TIER_KEY_PREFIX.length) as RemediationTier].version;
}

/**
 * What each tracked PolicyFollower holds, on the service's `/metrics`: the version per
 * policy.state key, when this process applied it, and whether the topic has been read to its
 * end. How long a decision takes to reach a service is read off these (propagation.spec.ts),
 * and an operator sees a replica that lags behind the others.
 *
 * A follower is tracked for as long as the service has it, not only while it runs: a service
 * that cannot start its follower (the patcher stops and restarts it between attempts) must
 * read `hum_policy_state_loaded 0` all along, not drop off `/metrics`.
 */
export class PolicyFollowerMetrics {
  /** prom-client refuses a metric name twice on one registry: one instance per registry. */
  private static readonly byRegistry = new WeakMap<Registry, PolicyFollowerMetrics>();

  private readonly followers = new Set<PolicyFollower>();

  static for(registry: Registry): PolicyFollowerMetrics {
    let metrics = PolicyFollowerMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new PolicyFollowerMetrics(registry);
      PolicyFollowerMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry) {
    const followers = this.followers;
    new Gauge({
      name: 'hum_policy_state_version',
      help: 'Version of the policy.state record the follower holds, per key (0: the default)',
      labelNames: ['follower', 'key'],
      registers: [registry],
      collect(this: Gauge<string>) {
        this.reset();
        for (const follower of followers)
          for (const key of KEYS)
            this.set({ follower: follower.service, key }, versionOf(follower, key));
      },
    });
    new Gauge({
      name: 'hum_policy_state_applied_timestamp_seconds',
      help: 'When this process applied the policy.state record it holds, per key (Unix time)',
      labelNames: ['follower', 'key'],
      registers: [registry],
      collect(this: Gauge<string>) {
        this.reset();
        for (const follower of followers) {
          for (const key of KEYS) {
            const at = follower.appliedAtMs(key);
            if (at !== undefined) this.set({ follower: follower.service, key }, at / 1_000);
          }
        }
      },
    });
    new Gauge({
      name: 'hum_policy_state_loaded',
      help: '1 once the follower has read policy.state to its end; until then every tier is off',
      labelNames: ['follower'],
      registers: [registry],
      collect(this: Gauge<string>) {
        this.reset();
        for (const follower of followers)
          this.set({ follower: follower.service }, follower.current().loaded ? 1 : 0);
      },
    });
  }

  /** Puts the follower on `/metrics` from now on, started or not. */
  track(follower: PolicyFollower): void {
    this.followers.add(follower);
  }
}

/**
 * The provider a service module lists to put its policy follower on its `/metrics`: `follower`
 * is the token the module provides it under (the class itself unless the module names another).
 */
export function policyMetricsProvider(
  follower: InjectionToken = PolicyFollower,
): FactoryProvider<PolicyFollowerMetrics> {
  return {
    provide: PolicyFollowerMetrics,
    inject: [METRICS_REGISTRY, follower],
    useFactory: (registry: Registry, followed: PolicyFollower) => {
      const metrics = PolicyFollowerMetrics.for(registry);
      metrics.track(followed);
      return metrics;
    },
  };
}
