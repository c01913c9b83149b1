import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { auditMigrations } from '@hum/audit';
import { systemClock } from '@hum/common';
import {
  type AuditEntryV1,
  type RemediationEventV1,
  type TierPolicyV1,
  TOPICS,
} from '@hum/contracts';
import { consumerLedgerMigrations, EventProducer, provisionTopics, TopicNames } from '@hum/kafka';
import { createLogger, HealthCheckRegistry } from '@hum/observability';
import { defaultTierPolicy, PolicyFollower } from '@hum/policy';
import {
  createMigratedTestDatabase,
  type MigratedTestDatabase,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
} from '@hum/testing';
import { loadPatcherConfig, type PatcherConfig } from '../config';
import { decideClassified } from '../decisions/decide-batch';
import type { OutboxRelay } from '../execution/outbox-relay';
import type { PatchExecutor } from '../execution/patch-executor';
import { PatcherMetrics } from '../patcher-metrics';
import { PauseHandoverService } from '../policy/pause-handover.service';
import { PolicyState } from '../policy/policy-state';
import { recordClassified } from '../store/findings';
import { type PatcherDatabase, patcherMigrations } from '../store/schema';
import {
  type ClassifiedEvent,
  classifiedEvent,
  patchableFinding,
} from '../../test-support/patchable-finding';
import { BacklogSweeper } from './backlog-sweeper';

const logger = createLogger({ service: 'backlog-sweeper-spec', level: 'silent' });
const LABELS = ['held-a', 'held-b'];

/** Publishing the outbox is the relay's job (the process specs); here its rows are read. */
const quietRelay = { flush: () => Promise.resolve() } as unknown as OutboxRelay;
/** Executing is the executor's (its own spec); here the sweep's decisions are read. */
const idleExecutor = { wake: () => undefined } as unknown as PatchExecutor;

/**
 * A patcher restarted while policy.state cannot be read: the topic's cleanup policy was
 * changed to `delete`, so provisioning refuses it and the follower cannot start (a real
 * broker refusing, not a stub). Before the restart low was on and the patcher had acted on it
 * (`tier_backlogs` level 2, no sweep); the policy that arrives once the topic is compacted
 * again still has low on, so the tier's level does not move. What the consumer skipped as
 * `policy-not-loaded` meanwhile must still be decided.
 */
describe('BacklogSweeper when the policy arrives late (real broker, real PostgreSQL)', () => {
  let test: MigratedTestDatabase<PatcherDatabase>;
  let config: PatcherConfig;
  let dir: string;
  let names: TopicNames;
  let kafka: Kafka;
  let state: PolicyState | undefined;
  let sweeper: BacklogSweeper | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'backlog-sweeper-spec-'));
    writeFileSync(
      path.join(dir, 'patcher.yaml'),
      `version: 1\ngithub:\n  - name: github\n    apiUrl: http://127.0.0.1:9\n    webUrl: https://github.example.test\n    token: SPEC_GITHUB_TOKEN\nrules:\n  - when: { assetTypes: [repository] }\n    use: github-pr\n    target: github\n`,
    );
    config = loadPatcherConfig({
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      HUM_OPS_TOKEN: 'ops-token-0123456789',
      HUM_INSTANCE_ID: 'backlog-sweeper-spec',
      PATCHER_OPERATOR_TOKEN: 'operator-token-0123456789',
      PATCHER_CONFIG_FILE: path.join(dir, 'patcher.yaml'),
      SPEC_GITHUB_TOKEN: 'spec-token',
      PATCHER_POLICY_LOAD_TIMEOUT: '1s',
      PATCHER_BACKLOG_INTERVAL: '200ms',
    });
    kafka = new Kafka({
      clientId: 'backlog-sweeper-spec',
      brokers: testKafkaBrokers(),
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    names = new TopicNames(uniqueTopicPrefix('backlog-sweeper'));
    test = await createMigratedTestDatabase<PatcherDatabase>('patcher-backlog-sweeper', {
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...patcherMigrations,
    });
  });

  afterEach(async () => {
    await sweeper?.beforeApplicationShutdown();
    await state?.onApplicationShutdown();
    sweeper = undefined;
    state = undefined;
    await test.close();
  });

  function setCleanupPolicy(admin: ReturnType<Kafka['admin']>, value: string): Promise<void> {
    return admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: names.of(TOPICS.policyState),
          configEntries: [{ name: 'cleanup.policy', value }],
        },
      ],
    });
  }

  /** policy-admin's record of low, on; then the topic made unreadable to the patcher. */
  async function policyWithLowOnButUnreadable(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await provisionTopics(admin, names, [TOPICS.policyState], {
        replicationFactor: 1,
        withDeadLetters: false,
      });
      const producer = new EventProducer(kafka, { names, source: '/spec/policy-admin', logger });
      await producer.connect();
      const low: TierPolicyV1 = {
        ...defaultTierPolicy('low'),
        mode: 'on',
        version: 1,
        updatedAt: new Date().toISOString(),
        decidedBy: ['alice'],
      };
      try {
        await producer.publish([{ topic: TOPICS.policyState, key: 'tier:low', data: low }]);
      } finally {
        await producer.disconnect();
      }
      await setCleanupPolicy(admin, 'delete');
    } finally {
      await admin.disconnect();
    }
  }

  async function makeReadable(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await setCleanupPolicy(admin, 'compact');
    } finally {
      await admin.disconnect();
    }
  }

  function newSweeper(policy: PolicyState): BacklogSweeper {
    const metrics = new PatcherMetrics(new Registry());
    const db = test.database.db;
    const handover = new PauseHandoverService(db, systemClock, logger, policy, quietRelay, metrics);
    return new BacklogSweeper(
      db,
      config,
      systemClock,
      logger,
      policy,
      quietRelay,
      idleExecutor,
      metrics,
      handover,
    );
  }

  /** The classified consumer's work for a batch: decide, then keep the findings as backlog. */
  async function consume(
    events: readonly ClassifiedEvent[],
    policy: PolicyState,
  ): Promise<RemediationEventV1[]> {
    const now = new Date();
    const { outputs } = await test.database.db.transaction().execute(async (trx) => {
      const result = await decideClassified(
        trx,
        events,
        { policy: () => policy.snapshot(), patching: config.patching, fixOptions: {} },
        now,
      );
      await recordClassified(
        trx,
        events.map((e) => e.data),
        now,
      );
      return result;
    });
    return [...outputs.values()]
      .flat()
      .filter((o) => o.topic.name === TOPICS.remediationEvents.name)
      .map((o) => o.data as RemediationEventV1);
  }

  async function auditEntries(action: string): Promise<AuditEntryV1[]> {
    const rows = await test.database.db.selectFrom('outbox').select('event').execute();
    return rows
      .map((r) => r.event.data as AuditEntryV1)
      .filter((e) => e.action === action && e.details['tier'] === 'low');
  }

  const attempts = () =>
    test.database.db
      .selectFrom('patch_attempts')
      .select(['fingerprint', 'status', 'policy_version'])
      .orderBy('fingerprint')
      .execute();

  /**
   * `sweeperStarts`: when the sweeper subscribes to policy changes, relative to the policy's
   * arrival; the rest of the story is the same.
   */
  async function heldBackThenDecided(sweeperStarts: 'before-policy' | 'after-policy') {
    await policyWithLowOnButUnreadable();
    // As the run before the restart left it: low open and acted on, nothing left to sweep.
    await test.database.db
      .updateTable('tier_backlogs')
      .set({ level: 2, changed_at: new Date() })
      .where('tier', '=', 'low')
      .execute();

    const policy = new PolicyState(
      new PolicyFollower({ kafka, names, logger, service: 'backlog-sweeper-spec' }),
      kafka,
      names,
      logger,
      config,
      new HealthCheckRegistry(),
    );
    state = policy;
    await policy.onModuleInit();
    expect(policy.startedWithoutPolicy).toBe(true);
    expect(policy.snapshot().loaded).toBe(false);
    sweeper = newSweeper(policy);
    if (sweeperStarts === 'before-policy') sweeper.onApplicationBootstrap();

    const events = LABELS.map((label, i) =>
      classifiedEvent(patchableFinding(label, { fingerprintSeed: `${names.prefix}${label}` }), {
        id: `${names.prefix}${label}`,
        offset: i,
      }),
    );
    const fingerprints = events.map((e) => e.data.finding.fingerprint).sort();
    const skipped = await consume(events, policy);
    expect(skipped.map((e) => [e.fingerprint, e.status, e.reasons]).sort()).toEqual(
      fingerprints.map((f) => [f, 'skipped', ['policy-not-loaded']]),
    );
    // A few passes under the unread policy decide nothing.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await attempts()).toEqual([]);

    await makeReadable();
    await waitFor(() => policy.snapshot().loaded, {
      describe: 'policy.state read to its end once compacted again',
      timeoutMs: 30_000,
    });
    expect(policy.snapshot().tiers.low).toMatchObject({ mode: 'on', version: 1 });
    if (sweeperStarts === 'after-policy') sweeper.onApplicationBootstrap();

    await waitFor(async () => (await auditEntries('patcher.backlog.completed')).length === 1, {
      describe: 'the sweep of low to complete',
    });
    expect(await attempts()).toEqual(
      fingerprints.map((fingerprint) => ({
        fingerprint,
        status: 'queued',
        policy_version: 'tier:low@1+global@0',
      })),
    );
    // The sweep ran from a closed gate (the unread policy) to low on, with both findings to do.
    expect((await auditEntries('patcher.backlog.started')).map((e) => e.details)).toEqual([
      expect.objectContaining({ fromLevel: 0, toLevel: 2, mode: 'on', pending: 2 }),
    ]);
    expect(
      await test.database.db
        .selectFrom('tier_backlogs')
        .select(['level', 'sweep_started_at'])
        .where('tier', '=', 'low')
        .executeTakeFirstOrThrow(),
    ).toEqual({ level: 2, sweep_started_at: null });
  }

  it('decides the findings skipped while policy.state was unread once it arrives, though low stays at its level', async () => {
    await heldBackThenDecided('before-policy');
  });

  it('decides them too when the policy arrived before the sweeper started (no policy change left to see)', async () => {
    // Start-up gave up waiting, and the follower then read the topic before the sweeper
    // subscribed: the only sign of the closed gate is `startedWithoutPolicy`.
    await heldBackThenDecided('after-policy');
  });
});
