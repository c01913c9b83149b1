import type { FactoryProvider } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { REMEDIATION_TIERS } from '@hum/contracts';
import { METRICS_REGISTRY } from '@hum/observability';
import type { FollowedPolicyKey } from './policy-follower';
import { runningPolicyFollowers } from './running-followers';

const KEYS: readonly FollowedPolicyKey[] = [
  ...REMEDIATION_TIERS.map((tier) => `tier:${tier}` as const),
  'global',
];

/**
 * What each running PolicyFollower holds, on the service's `/metrics`: the version per
 * policy.state key, when this process applied it, and whether the topic has been read to its
 * end. How long a decision takes to reach a service is read off these (propagation.spec.ts),
 * and an operator sees a replica that lags behind the others.
 */
export class PolicyFollowerMetrics {
  private static readonly byRegistry = new WeakMap<Registry, PolicyFollowerMetrics>();

  static for(registry: Registry): PolicyFollowerMetrics {
    let metrics = PolicyFollowerMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new PolicyFollowerMetrics(registry);
      PolicyFollowerMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry) {
    new Gauge({
      name: 'hum_policy_state_version',
      help: 'Version of the policy.state record the follower holds, per key (0: the default)',
      labelNames: ['follower', 'key'],
      registers: [registry],
      collect(this: Gauge<string>) {
        this.reset();
        for (const follower of runningPolicyFollowers) {
          const snapshot = follower.current();
          for (const key of KEYS)
            this.set(
              { follower: follower.service, key },
              key === 'global'
                ? snapshot.global.version
                : snapshot.tiers[key.slice(5) as (typeof REMEDIATION_TIERS)[number]].version,
            );
        }
      },
    });
    new Gauge({
      name: 'hum_policy_state_applied_timestamp_seconds',
      help: 'When this process applied the policy.state record it holds, per key (Unix time)',
      labelNames: ['follower', 'key'],
      registers: [registry],
      collect(this: Gauge<string>) {
        this.reset();
        for (const follower of runningPolicyFollowers) {
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
        for (const follower of runningPolicyFollowers)
          this.set({ follower: follower.service }, follower.current().loaded ? 1 : 0);
      },
    });
  }
}

/** The provider a service module lists to put its policy followers on its `/metrics`. */
export function policyMetricsProvider(): FactoryProvider<PolicyFollowerMetrics> {
  return {
    provide: PolicyFollowerMetrics,
    inject: [METRICS_REGISTRY],
    useFactory: (registry: Registry) => PolicyFollowerMetrics.for(registry),
  };
}
