import { Test } from '@nestjs/testing';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { EXAMPLE_POLICY_STATE, type TierPolicyV1, TOPICS } from '@hum/contracts';
import { createKafkaClient, defaultKafkaSettings, EventProducer, TopicNames } from '@hum/kafka';
import { createLogger, METRICS_REGISTRY } from '@hum/observability';
import { metricValue, testKafkaBrokers, uniqueTopicPrefix, waitFor } from '@hum/testing';
import { PolicyFollower } from './policy-follower';
import { policyMetricsProvider } from './policy-metrics';
import { effectiveTier } from './policy-snapshot';
import { provisionPolicyTopic } from './policy-topic';

const logger = createLogger({ service: 'policy-spec', level: 'silent' });

describe('PolicyFollower (real broker)', () => {
  let kafka: Kafka;
  let names: TopicNames;
  let producer: EventProducer;
  const followers: PolicyFollower[] = [];

  beforeEach(async () => {
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'policy-spec' }),
      logger,
    );
    names = new TopicNames(uniqueTopicPrefix('policy'));
    await provisionPolicyTopic(kafka, names, 1);
    producer = new EventProducer(kafka, {
      names,
      source: '/hum/spec',
      logger,
      transactionalId: `policy-spec-${names.prefix}`,
    });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(followers.splice(0).map((f) => f.stop()));
    await producer.disconnect();
  });

  const tier = (overrides: Partial<TierPolicyV1>): TierPolicyV1 => ({
    ...(EXAMPLE_POLICY_STATE as TierPolicyV1),
    ...overrides,
  });
  const publish = (record: TierPolicyV1): Promise<void> =>
    producer.publish([{ topic: TOPICS.policyState, key: `tier:${record.tier}`, data: record }]);

  async function follow(): Promise<PolicyFollower> {
    const follower = new PolicyFollower({ kafka, names, logger, service: 'spec' });
    followers.push(follower);
    await follower.start();
    return follower;
  }

  it('on an empty topic, is loaded with every tier off', async () => {
    const follower = await follow();
    await waitFor(() => follower.current().loaded, { describe: 'loaded' });
    expect(Object.values(follower.current().tiers).map((t) => t.mode)).toEqual([
      'off',
      'off',
      'off',
      'off',
    ]);
  });

  it('reads the latest record per key at start, then follows changes without a restart', async () => {
    await publish(tier({ tier: 'low', mode: 'dry-run', version: 1 }));
    await publish(tier({ tier: 'low', mode: 'on', version: 2 }));
    const follower = await follow();
    await waitFor(() => follower.current().loaded, { describe: 'loaded' });
    expect(effectiveTier(follower.current(), 'low').mode).toBe('on');
    const seen: string[] = [];
    follower.onChange((now) => seen.push(now.tiers.low.mode));
    await publish(tier({ tier: 'low', mode: 'off', version: 3 }));
    await waitFor(() => follower.current().tiers.low.mode === 'off', {
      describe: 'the change to off',
    });
    expect(seen).toContain('off');
    // An older version arriving late changes nothing.
    await publish(tier({ tier: 'low', mode: 'on', version: 2 }));
    await publish(tier({ tier: 'medium', mode: 'dry-run', version: 1 }));
    await waitFor(() => follower.current().tiers.medium.mode === 'dry-run', { describe: 'medium' });
    expect(follower.current().tiers.low.mode).toBe('off');
  });

  it('treats every tier as off until the topic has been read', () => {
    const follower = new PolicyFollower({ kafka, names, logger, service: 'spec' });
    expect(follower.current().loaded).toBe(false);
    expect(
      effectiveTier(
        {
          ...follower.current(),
          tiers: { ...follower.current().tiers, low: tier({ mode: 'on' }) },
        },
        'low',
      ).mode,
    ).toBe('off');
  });

  it('skips a record that breaks the contract', async () => {
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({
      topic: names.of(TOPICS.policyState),
      messages: [{ key: 'tier:low', value: '{"mode":"on"}' }],
    });
    await raw.disconnect();
    await publish(tier({ tier: 'high', mode: 'dry-run', version: 1 }));
    const follower = await follow();
    await waitFor(
      () => follower.current().loaded && follower.current().tiers.high.mode === 'dry-run',
      { describe: 'loaded' },
    );
    expect(follower.current().tiers.low.mode).toBe('off');
  });

  it('shows what it holds on /metrics: version and apply time per key, and whether loaded', async () => {
    // Wired as a service module wires it: the follower under its token, then the provider.
    const registry = new Registry();
    const follower = new PolicyFollower({ kafka, names, logger, service: 'metrics-spec' });
    await Test.createTestingModule({
      providers: [
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: PolicyFollower, useValue: follower },
        policyMetricsProvider(),
      ],
    }).compile();
    const sample = async (name: string, labels: Record<string, string>) =>
      metricValue(await registry.metrics(), name, { follower: 'metrics-spec', ...labels });

    // Not started yet: on /metrics already, not loaded, holding the defaults.
    expect(await sample('hum_policy_state_loaded', {})).toBe(0);
    expect(await sample('hum_policy_state_version', { key: 'tier:high' })).toBe(0);
    followers.push(follower);
    await follower.start();
    await waitFor(() => follower.current().loaded, { describe: 'loaded' });
    expect(await sample('hum_policy_state_loaded', {})).toBe(1);
    expect(await sample('hum_policy_state_version', { key: 'tier:high' })).toBe(0);

    const before = Date.now();
    await publish(tier({ tier: 'high', mode: 'dry-run', version: 4 }));
    await waitFor(() => follower.current().tiers.high.version === 4, { describe: 'version 4' });
    expect(await sample('hum_policy_state_version', { key: 'tier:high' })).toBe(4);
    const appliedAt = await sample('hum_policy_state_applied_timestamp_seconds', {
      key: 'tier:high',
    });
    expect(appliedAt! * 1_000).toBeGreaterThanOrEqual(before - 1);
    expect(appliedAt! * 1_000).toBeLessThanOrEqual(Date.now());
    // Nothing applied for low yet: no apply time, version 0.
    expect(
      await sample('hum_policy_state_applied_timestamp_seconds', { key: 'tier:low' }),
    ).toBeUndefined();
    expect(await sample('hum_policy_state_version', { key: 'tier:low' })).toBe(0);

    // Stopped (as between two start attempts, or at shutdown): still reported, with what it holds.
    followers.splice(followers.indexOf(follower), 1);
    await follower.stop();
    expect(await sample('hum_policy_state_loaded', {})).toBe(1);
    expect(await sample('hum_policy_state_version', { key: 'tier:high' })).toBe(4);
  });
});
