import { Socket } from 'node:net';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { Registry } from 'prom-client';
import { auditMigrations } from '@hum/audit';
import {
  EXAMPLE_POLICY_STATE,
  type RemediationEventV1,
  type TierPolicyV1,
  TOPICS,
} from '@hum/contracts';
import {
  consumerLedgerMigrations,
  EventProducer,
  type OutgoingEvent,
  TopicNames,
} from '@hum/kafka';
import { createLogger, HealthCheckRegistry } from '@hum/observability';
import {
  PolicyFollower,
  PolicyFollowerMetrics,
  type PolicySnapshot,
  provisionPolicyTopic,
} from '@hum/policy';
import {
  createMigratedTestDatabase,
  type MigratedTestDatabase,
  metricValue,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
} from '@hum/testing';
import {
  classifiedEvent,
  githubPrPatching,
  patchableFinding,
} from '../../test-support/patchable-finding';
import { loadPatcherConfig, SERVICE_NAME } from '../config';
import { decideClassified } from '../decisions/decide-batch';
import { type PatcherDatabase, patcherMigrations } from '../store/schema';
import { PolicyState } from './policy-state';

const logger = createLogger({ service: 'policy-state-spec', level: 'silent' });

/**
 * A network fault between the patcher and the real broker: while cut, new connections hang
 * (kafkajs times them out) as they would behind a partition or a firewall change; healed,
 * connections go through again. The broker itself is untouched.
 */
class NetworkFault {
  private cut = false;
  private readonly held: Array<() => void> = [];

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = new Socket();
    const connect = (): void => {
      // kafkajs gives up on a connection that timed out; only live ones are completed.
      if (!socket.destroyed && !socket.writableEnded) socket.connect({ host, port }, onConnect);
    };
    if (this.cut) this.held.push(connect);
    else connect();
    return socket;
  };

  partition(): void {
    this.cut = true;
  }

  heal(): void {
    this.cut = false;
    for (const connect of this.held.splice(0)) connect();
  }
}

describe('PolicyState when policy.state cannot be read at start (real broker, real PostgreSQL)', () => {
  let names: TopicNames;
  let test: MigratedTestDatabase<PatcherDatabase>;
  let fault: NetworkFault;
  let kafka: Kafka;
  let state: PolicyState | undefined;

  beforeAll(async () => {
    test = await createMigratedTestDatabase<PatcherDatabase>('patcher-policy-state', {
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...patcherMigrations,
    });
  });

  afterAll(async () => {
    await test.close();
  });

  beforeEach(() => {
    names = new TopicNames(uniqueTopicPrefix('policy-state'));
    fault = new NetworkFault();
    // The patcher's client, through the fault; quick to give up on a hung connection.
    kafka = new Kafka({
      clientId: 'policy-state-spec',
      brokers: testKafkaBrokers(),
      socketFactory: fault.socketFactory,
      connectionTimeout: 500,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    });
  });

  afterEach(async () => {
    fault.heal();
    await state?.onApplicationShutdown();
    state = undefined;
  });

  /** policy-admin publishing a record, on a client of its own (not behind the fault). */
  async function publish(record: TierPolicyV1): Promise<void> {
    const client = new Kafka({
      clientId: 'policy-state-spec-admin',
      brokers: testKafkaBrokers(),
      logLevel: logLevel.NOTHING,
    });
    await provisionPolicyTopic(client, names, 1);
    const producer = new EventProducer(client, {
      names,
      source: '/spec/policy-admin',
      logger,
      transactionalId: `policy-state-spec-${names.prefix}`,
    });
    await producer.connect();
    try {
      await producer.publish([
        { topic: TOPICS.policyState, key: `tier:${record.tier}`, data: record },
      ]);
    } finally {
      await producer.disconnect();
    }
  }

  const config = loadPatcherConfig({
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    HUM_OPS_TOKEN: 'ops-token-0123456789',
    PATCHER_OPERATOR_TOKEN: 'operator-token-0123456789',
    PATCHER_POLICY_LOAD_TIMEOUT: '1s',
  });
  const patching = githubPrPatching();

  /** The patcher's PolicyState on the faulty client, its follower on `registry`'s /metrics. */
  function policyState(health: HealthCheckRegistry, registry = new Registry()): PolicyState {
    const follower = new PolicyFollower({ kafka, names, logger, service: SERVICE_NAME });
    PolicyFollowerMetrics.for(registry).track(follower);
    return new PolicyState(follower, kafka, names, logger, config, health);
  }

  /** What the classified consumer would decide for one finding under the current snapshot. */
  async function decide(label: string, policy: () => PolicySnapshot) {
    const { outputs, stats } = await test.database.db
      .transaction()
      .execute((trx) =>
        decideClassified(
          trx,
          [classifiedEvent(patchableFinding(label), { id: label, offset: 0 })],
          { policy, patching, fixOptions: {} },
          new Date(),
        ),
      );
    const events = [...outputs.values()]
      .flat()
      .filter((o: OutgoingEvent) => o.topic.name === TOPICS.remediationEvents.name)
      .map((o) => o.data as RemediationEventV1);
    return { events, queued: stats.queued };
  }

  it('starts with every tier off, applies nothing, reports it on /health, and acts once the policy arrives', async () => {
    fault.partition();
    const health = new HealthCheckRegistry();
    const registry = new Registry();
    const loadedGauge = async () =>
      metricValue(await registry.metrics(), 'hum_policy_state_loaded', { follower: SERVICE_NAME });
    state = policyState(health, registry);
    const started = Date.now();
    // Before: start-up failed here after PATCHER_POLICY_LOAD_TIMEOUT. Now it goes on, all off.
    await state.onModuleInit();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(state.snapshot().loaded).toBe(false);
    expect(state.startedWithoutPolicy).toBe(true);
    const check = health.list().find((c) => c.name === 'policy')!;
    await expect(check.check()).rejects.toThrow(/not read to its end since .*every tier is off/);
    // While the follower is stopped and restarted between attempts, /metrics keeps saying it is
    // not loaded (docs/admin.md: 0 until loaded) rather than dropping the series.
    const scrapes: Array<number | undefined> = [];
    for (const until = Date.now() + 2_500; Date.now() < until;) {
      scrapes.push(await loadedGauge());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(new Set(scrapes)).toEqual(new Set([0]));

    const current = state;
    const before = await decide('before-policy', () => current.snapshot());
    expect(before.queued).toBe(0);
    expect(before.events).toEqual([
      expect.objectContaining({ status: 'skipped', reasons: ['policy-not-loaded'] }),
    ]);
    expect(await test.database.db.selectFrom('patch_attempts').selectAll().execute()).toEqual([]);

    // The low tier is switched on meanwhile; the patcher sees it once it can reach the topic
    // (it provisions the topic and starts following on its own retries, no restart).
    await publish({
      ...(EXAMPLE_POLICY_STATE as TierPolicyV1),
      tier: 'low',
      mode: 'on',
      budgets: { patchesPerHour: 99, maxInFlight: 99, perTeamPerHour: 99 },
      version: 1,
    });
    fault.heal();
    await waitFor(() => current.snapshot().loaded, {
      describe: 'the policy read to its end',
      timeoutMs: 60_000,
    });
    expect(current.snapshot().tiers.low).toMatchObject({ mode: 'on', version: 1 });
    await expect(check.check()).resolves.toEqual({ killSwitch: false });
    expect(await loadedGauge()).toBe(1);
    expect(await decide('after-policy', () => current.snapshot())).toEqual({
      events: [],
      queued: 1,
    });
  });

  it('starts normally, with nothing degraded, when the policy can be read in time', async () => {
    const health = new HealthCheckRegistry();
    state = policyState(health);
    await state.onModuleInit();
    expect(state.snapshot().loaded).toBe(true);
    expect(state.startedWithoutPolicy).toBe(false);
    await expect(health.list()[0]!.check()).resolves.toEqual({ killSwitch: false });
  });
});
