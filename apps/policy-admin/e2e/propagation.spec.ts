import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { effectiveTier, PolicyFollower } from '@hum/policy';
import {
  buildWorkspace,
  createTestDatabase,
  uniqueTopicPrefix,
  waitFor,
  WORKSPACE_ROOT,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import {
  type AdminUnderTest,
  Api,
  logger,
  loginToken,
  specKafka,
  startAdmin,
  TopicNames,
} from './support';

const FOLLOWERS = ['risk-classifier', 'ticket-dispatcher', 'auto-patcher'] as const;

/**
 * How fast an approved change reaches the services: followers of policy.state as the
 * classifier, the dispatcher and the patcher run them (libs/policy PolicyFollower), timed from
 * the moment the decision is sent to the moment each follower holds it. Measured and reported
 * (test-artifacts/policy-propagation.json), not asserted: wall-clock numbers on a shared
 * machine prove nothing; that every follower gets every change without a restart is asserted.
 */
describe('policy propagation to following services', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let topics: TopicNames;
  let admin: AdminUnderTest;
  const followers: PolicyFollower[] = [];

  beforeAll(async () => {
    build = buildWorkspace('policy-propagation');
    database = await createTestDatabase('policy_propagation');
    topics = new TopicNames(uniqueTopicPrefix('policy-propagation'));
    admin = await startAdmin({ build, database, topics, users: 'alice:admin,bob:approver' });
  });

  afterAll(async () => {
    await Promise.all(followers.map((f) => f.stop()));
    const exit = await admin?.process.stop();
    await database?.cleanup();
    build?.remove();
    expect(exit?.code).toBe(0);
  });

  async function follow(service: string): Promise<PolicyFollower> {
    const follower = new PolicyFollower({ kafka: specKafka(), names: topics, logger, service });
    followers.push(follower);
    await follower.start();
    await waitFor(() => follower.current().loaded, { describe: `${service} to load the policy` });
    return follower;
  }

  it('reaches every follower within seconds of the decision, with no restart', async () => {
    // Before anything is decided (and before a follower has read the topic) every tier is off.
    const early = new PolicyFollower({
      kafka: specKafka(),
      names: topics,
      logger,
      service: 'early',
    });
    expect(effectiveTier(early.current(), 'low').mode).toBe('off');
    const running = await Promise.all(FOLLOWERS.map((s) => follow(s)));
    for (const follower of running)
      expect(effectiveTier(follower.current(), 'low').mode).toBe('off');

    const alice = new Api(admin.url).withToken(await loginToken(admin, 'alice'));
    const bob = new Api(admin.url).withToken(await loginToken(admin, 'bob'));
    const samples: { change: string; follower: string; ms: number }[] = [];

    // Every change each follower applies, with when: a follower may see a record before the
    // HTTP answer that decided it has arrived back here.
    const log = running.map(
      () => [] as { at: number; low: number; high: number; global: number }[],
    );
    running.forEach((follower, i) =>
      follower.onChange((now) =>
        log[i]!.push({
          at: performance.now(),
          low: now.tiers.low.version,
          high: now.tiers.high.version,
          global: now.global.version,
        }),
      ),
    );

    async function timed(
      label: string,
      key: 'low' | 'high' | 'global',
      decide: () => Promise<number>,
    ): Promise<void> {
      const started = performance.now();
      const version = await decide();
      const seenAt = (i: number): number | undefined =>
        log[i]!.find((e) => e.at >= started && e[key] >= version)?.at;
      await waitFor(() => running.every((_, i) => seenAt(i) !== undefined), {
        describe: `every follower to see ${label}`,
      });
      running.forEach((_, i) =>
        samples.push({
          change: label,
          follower: FOLLOWERS[i]!,
          ms: Math.round(seenAt(i)! - started),
        }),
      );
    }

    const propose = async (
      api: Api,
      change: unknown,
    ): Promise<{ id: string; version?: number }> => {
      const answer = await api.post<{ proposal: { id: string; resultVersion?: number } }>(
        '/v1/proposals',
        {
          change,
          reason: 'propagation measurement',
        },
      );
      expect(answer.status).toBe(201);
      return {
        id: answer.body.proposal.id,
        ...(answer.body.proposal.resultVersion !== undefined
          ? { version: answer.body.proposal.resultVersion }
          : {}),
      };
    };

    for (let round = 0; round < 3; round += 1) {
      await timed(
        `low on (round ${round + 1}, one admin)`,
        'low',
        async () => (await propose(alice, { kind: 'tier', tier: 'low', mode: 'on' })).version!,
      );
      await timed(
        `low off (round ${round + 1}, one admin)`,
        'low',
        async () => (await propose(alice, { kind: 'tier', tier: 'low', mode: 'off' })).version!,
      );
    }
    const pending = await propose(alice, { kind: 'tier', tier: 'high', mode: 'dry-run' });
    await timed('high dry-run (approved by a second person)', 'high', async () => {
      const approved = await bob.post<{ applied: { version: number } }>(
        `/v1/proposals/${pending.id}/approve`,
      );
      return approved.body.applied.version;
    });
    await timed(
      'global kill switch engaged',
      'global',
      async () => (await propose(alice, { kind: 'global', killSwitch: true })).version!,
    );

    for (const follower of running) {
      const now = follower.current();
      expect(effectiveTier(now, 'low').mode).toBe('off');
      expect(effectiveTier(now, 'high').mode).toBe('dry-run');
      expect(now.global.killSwitch).toBe(true);
    }
    // A service starting now reads the decided policy from the compacted topic.
    const late = await follow('late-starter');
    expect(late.current().tiers.high).toMatchObject({
      mode: 'dry-run',
      decidedBy: ['alice', 'bob'],
    });

    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    const report = {
      measuredAt: new Date().toISOString(),
      what: 'ms from sending the decision (HTTP) to each PolicyFollower holding the new record',
      samples,
      summary: {
        count: ms.length,
        min: ms[0],
        median: ms[Math.floor(ms.length / 2)],
        max: ms[ms.length - 1],
      },
    };
    mkdirSync(path.join(WORKSPACE_ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(
      path.join(WORKSPACE_ROOT, 'test-artifacts', 'policy-propagation.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    process.stdout.write(`policy propagation (ms): ${JSON.stringify(report.summary)}\n`);
    expect(samples).toHaveLength(8 * FOLLOWERS.length);
  });
});
