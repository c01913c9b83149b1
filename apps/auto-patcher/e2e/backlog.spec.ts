import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { verifyStoredAuditChain } from '@hum/audit';
import {
  type AuditEntryV1,
  type ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
  EXAMPLE_RESOLVED,
  type FindingResolvedV1,
  type GlobalPolicyV1,
  type RemediationEventV1,
  type RemediationTier,
  type RiskTier,
  type TierPolicyV1,
  TOPICS,
} from '@hum/contracts';
import {
  createKafkaClient,
  defaultKafkaSettings,
  EventProducer,
  provisionTopics,
  TopicNames,
} from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { createDatabase, type Database } from '@hum/persistence';
import { defaultGlobalPolicy, defaultTierPolicy } from '@hum/policy';
import {
  buildWorkspace,
  createTestDatabase,
  type FakeGitHub,
  startFakeGitHub,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { patchableFinding } from '../test-support/patchable-finding';

/** The columns of the patcher's tables this spec reads. */
interface LedgerView {
  open_findings: { fingerprint: string; state: string };
  patch_attempts: { attempt_key: string; fingerprint: string; status: string };
}

const logger = createLogger({ service: 'patcher-backlog-spec', level: 'silent' });
const OPS_TOKEN = 'patcher-ops-token-0123';
const OPERATOR_TOKEN = 'patcher-operator-token-0123';
const PACKAGES = Array.from({ length: 12 }, (_, i) => `lib-${String.fromCharCode(97 + i)}`);
const PACKAGE_JSON = `${JSON.stringify(
  { name: 'storefront', dependencies: Object.fromEntries(PACKAGES.map((p) => [p, '^1.0.0'])) },
  null,
  2,
)}\n`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Collects a topic from its start for the whole suite: every wait reads what is already here. */
class Collector<T> {
  readonly items: T[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({
      groupId: `patcher-backlog-spec-${randomUUID()}`,
      readUncommitted: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: ({ message }) => {
        if (message.value) this.items.push(JSON.parse(message.value.toString()) as T);
        return Promise.resolve();
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer?.disconnect() ?? Promise.resolve();
  }

  waitFor(match: (item: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
    return waitFor(() => this.items.find(match), { describe: what, timeoutMs, intervalMs: 100 });
  }

  count(match: (item: T) => boolean): number {
    return this.items.filter(match).length;
  }
}

describe('auto-patcher backlog: findings decided when their tier opens (real process, broker, PostgreSQL, fake GitHub)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let ledger: Database<LedgerView>;
  let topics: TopicNames;
  let kafka: Kafka;
  let publisher: EventProducer;
  let github: FakeGitHub;
  let patcher: ServiceProcess | undefined;
  let remediation: Collector<RemediationEventV1>;
  let audit: Collector<AuditEntryV1>;
  let configDir: string;
  let port: number;
  const versions = { tier: new Map<RemediationTier, number>(), global: 0 };

  const url = (): string => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    build = buildWorkspace('patcher-backlog');
    database = await createTestDatabase('patcher_backlog');
    topics = new TopicNames(uniqueTopicPrefix('patcher-backlog'));
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'patcher-backlog-spec' }),
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(
      admin,
      topics,
      [
        TOPICS.findingsClassified,
        TOPICS.findingsResolved,
        TOPICS.policyState,
        TOPICS.remediationEvents,
        TOPICS.auditLog,
      ],
      { replicationFactor: 1, withDeadLetters: false },
    );
    await admin.disconnect();
    publisher = new EventProducer(kafka, {
      names: topics,
      source: '/hum/spec',
      logger,
      transactionalId: `spec-${topics.prefix}`,
    });
    await publisher.connect();
    github = await startFakeGitHub({
      repositories: [
        { owner: 'bank', name: 'storefront', files: { 'package.json': PACKAGE_JSON } },
      ],
    });
    port = await freePort();
    configDir = mkdtempSync(path.join(tmpdir(), 'patcher-backlog-spec-'));
    writeFileSync(
      path.join(configDir, 'patcher.yaml'),
      `version: 1
github:
  - name: github
    apiUrl: ${github.url}
    webUrl: https://github.example.test
    token: HUM_TEST_GITHUB_TOKEN
rules:
  - when: { assetTypes: [repository] }
    use: github-pr
    target: github
`,
    );
    remediation = new Collector(kafka, topics.of(TOPICS.remediationEvents));
    audit = new Collector(kafka, topics.of(TOPICS.auditLog));
    await Promise.all([remediation.start(), audit.start()]);
    patcher = await startServiceProcess({
      entry: build.entry('apps/auto-patcher/src/main.js'),
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: topics.prefix,
        HUM_OPS_TOKEN: OPS_TOKEN,
        HUM_INSTANCE_ID: 'patcher-backlog-spec',
        PORT: String(port),
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        PATCHER_CONFIG_FILE: path.join(configDir, 'patcher.yaml'),
        PATCHER_OPERATOR_TOKEN: OPERATOR_TOKEN,
        PATCHER_POLL_INTERVAL: '200ms',
        PATCHER_BACKLOG_INTERVAL: '300ms',
        PATCHER_LEASE: '10s',
        KAFKA_SESSION_TIMEOUT: '6s',
        HUM_TEST_GITHUB_TOKEN: github.botToken,
      },
      readyPattern: /"url":"(http:\/\/[^"]+)"/,
    });
    ledger = await createDatabase({ url: database.url, schema: database.schema });
  });

  afterAll(async () => {
    const exit = await patcher?.stop();
    await ledger?.close();
    await Promise.allSettled([remediation?.stop(), audit?.stop(), publisher?.disconnect()]);
    await github?.close();
    await database?.cleanup();
    build?.remove();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  interface TierView {
    tier: string;
    mode: string;
    budgets: unknown;
    backlogSweep: { since: string } | null;
  }

  async function tiers(): Promise<{ killSwitch: boolean; tiers: TierView[] }> {
    const response = await fetch(`${url()}/v1/tiers`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    return (await response.json()) as { killSwitch: boolean; tiers: TierView[] };
  }

  const tierView = async (tier: RemediationTier): Promise<TierView> =>
    (await tiers()).tiers.find((t) => t.tier === tier)!;

  async function setTier(tier: RemediationTier, overrides: Partial<TierPolicyV1>): Promise<void> {
    const version = (versions.tier.get(tier) ?? 0) + 1;
    versions.tier.set(tier, version);
    const record: TierPolicyV1 = {
      ...defaultTierPolicy(tier),
      version,
      updatedAt: new Date().toISOString(),
      decidedBy: ['alice', 'bob'],
      ...overrides,
    };
    await publisher.publish([{ topic: TOPICS.policyState, key: `tier:${tier}`, data: record }]);
    await waitFor(
      async () => {
        const state = await tierView(tier);
        return (
          state.mode === record.mode &&
          JSON.stringify(state.budgets) === JSON.stringify(record.budgets)
        );
      },
      { describe: `the patcher to follow tier:${tier} v${version}` },
    );
  }

  async function setGlobal(overrides: Partial<GlobalPolicyV1>): Promise<void> {
    versions.global += 1;
    const record: GlobalPolicyV1 = {
      ...defaultGlobalPolicy(),
      version: versions.global,
      updatedAt: new Date().toISOString(),
      decidedBy: ['alice', 'bob'],
      ...overrides,
    };
    await publisher.publish([{ topic: TOPICS.policyState, key: 'global', data: record }]);
  }

  async function setKillSwitch(killSwitch: boolean): Promise<void> {
    await setGlobal({ killSwitch });
    await waitFor(async () => (await tiers()).killSwitch === killSwitch, {
      describe: `the kill switch ${killSwitch ? 'engaged' : 'released'}`,
    });
  }

  function classified(label: string, tier: RiskTier): ClassifiedFindingV1 {
    const base = patchableFinding(label, {
      tier,
      fingerprintSeed: `${topics.prefix}${label}`,
      asset: {
        id: 'github.com/bank/storefront',
        team: 'web',
        repository: 'https://github.example.test/bank/storefront',
      },
    });
    return {
      ...base,
      finding: { ...base.finding, title: `CVE-2026-0002 in ${label}` },
      lifecycle: { ...EXAMPLE_CLASSIFIED.lifecycle, revision: 1 },
    };
  }

  async function publish(...events: ClassifiedFindingV1[]): Promise<void> {
    await publisher.publish(
      events.map((data) => ({
        topic: TOPICS.findingsClassified,
        key: data.finding.fingerprint,
        data,
      })),
    );
    for (const finding of events)
      await remediation.waitFor(
        (e) => e.fingerprint === finding.finding.fingerprint && e.status === 'skipped',
        `the first decision (tier-off) for ${finding.finding.component?.name}`,
      );
  }

  const pullsFor = (label: string) =>
    github.pulls('bank', 'storefront').filter((p) => p.head.includes(`/${label}-`));

  const eventsFor = (finding: ClassifiedFindingV1, status: RemediationEventV1['status']) =>
    remediation.count((e) => e.fingerprint === finding.finding.fingerprint && e.status === status);

  const backlogAudits = (tier: RemediationTier, what: 'started' | 'stopped' | 'completed') =>
    audit.count((e) => e.action === `patcher.backlog.${what}` && e.details['tier'] === tier);

  const budgets = (patchesPerHour: number) => ({
    patchesPerHour,
    maxInFlight: 50,
    perTeamPerHour: 50,
  });

  it('decides the open findings of a tier switched on, once per fix however often it is toggled, and never a resolved one', async () => {
    const a = classified('lib-a', 'low');
    const b = classified('lib-b', 'low');
    const gone = classified('lib-c', 'low');
    await publish(a, b, gone);
    for (const finding of [a, b, gone])
      expect(
        remediation.items.find((e) => e.fingerprint === finding.finding.fingerprint),
      ).toMatchObject({ status: 'skipped', reasons: ['tier-off'] });

    // lib-c is fixed before anyone enables the tier.
    const resolved: FindingResolvedV1 = {
      ...EXAMPLE_RESOLVED,
      fingerprint: gone.finding.fingerprint,
      asset: gone.finding.asset,
      scope: { assetId: gone.finding.asset.id, tool: 'trivy' },
      lastTier: 'low',
      title: gone.finding.title,
      resolvedAt: new Date().toISOString(),
      revision: 2,
    };
    await publisher.publish([
      { topic: TOPICS.findingsResolved, key: resolved.fingerprint, data: resolved },
    ]);
    await waitFor(
      async () =>
        (
          await ledger.db
            .selectFrom('open_findings')
            .select('state')
            .where('fingerprint', '=', gone.finding.fingerprint)
            .executeTakeFirst()
        )?.state === 'resolved',
      { describe: 'the patcher to record the resolution' },
    );
    // While the tier is off, nothing happens, whatever the time.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(github.pulls('bank', 'storefront')).toEqual([]);
    expect(backlogAudits('low', 'started')).toBe(0);

    await setTier('low', { mode: 'on', budgets: budgets(100) });
    for (const finding of [a, b]) {
      const applied = await remediation.waitFor(
        (e) => e.fingerprint === finding.finding.fingerprint && e.status === 'applied',
        `the applied event of ${finding.finding.component?.name}`,
      );
      expect(applied).toMatchObject({
        attemptKey: `${finding.finding.fingerprint}:1.0.1`,
        strategy: 'github-pr',
        tier: 'low',
        policyVersion: 'tier:low@1+global@0',
      });
      const pulls = pullsFor(finding.finding.component!.name);
      expect(pulls).toHaveLength(1);
      expect(pulls[0]).toMatchObject({
        url: applied.url,
        labels: expect.arrayContaining(['hum-tier-low']),
      });
    }
    const started = await audit.waitFor(
      (e) => e.action === 'patcher.backlog.started' && e.details['tier'] === 'low',
      'the sweep start audit entry',
    );
    expect(started.details).toMatchObject({ fromLevel: 0, toLevel: 2, mode: 'on', pending: 2 });
    await audit.waitFor(
      (e) => e.action === 'patcher.backlog.completed' && e.details['tier'] === 'low',
      'the sweep end audit entry',
    );
    expect((await tierView('low')).backlogSweep).toBeNull();

    // Toggled off and on twice: sweeps run again, but a fix already applied is never repeated.
    for (let round = 0; round < 2; round += 1) {
      await setTier('low', { mode: 'off', budgets: budgets(100) });
      await setTier('low', { mode: 'on', budgets: budgets(100) });
      await waitFor(() => backlogAudits('low', 'completed') === round + 2, {
        describe: `sweep ${round + 2} to complete`,
      });
    }
    expect(backlogAudits('low', 'started')).toBe(3);
    expect(backlogAudits('low', 'stopped')).toBe(0);
    for (const finding of [a, b]) {
      expect(pullsFor(finding.finding.component!.name)).toHaveLength(1);
      expect(eventsFor(finding, 'applied')).toBe(1);
      // The only skip is the first decision, made while the tier was off.
      expect(eventsFor(finding, 'skipped')).toBe(1);
    }
    // The resolved finding: never a pull request, never decided again.
    expect(pullsFor('lib-c')).toEqual([]);
    expect(remediation.count((e) => e.fingerprint === gone.finding.fingerprint)).toBe(1);
    expect(
      await ledger.db
        .selectFrom('patch_attempts')
        .select('attempt_key')
        .where('fingerprint', '=', gone.finding.fingerprint)
        .execute(),
    ).toEqual([]);
    expect(github.pulls('bank', 'storefront')).toHaveLength(2);
    for (const action of ['patcher.patch.queued', 'patcher.patch.applied'])
      for (const finding of [a, b])
        await audit.waitFor(
          (e) => e.action === action && e.details['fingerprint'] === finding.finding.fingerprint,
          action,
        );
  }, 180_000);

  it('works a backlog larger than the budget off as the budget allows, and stops it on the kill switch', async () => {
    const backlog = ['lib-d', 'lib-e', 'lib-f', 'lib-g'].map((label) =>
      classified(label, 'medium'),
    );
    await publish(...backlog);
    await setTier('medium', { mode: 'on', budgets: budgets(2) });
    await waitFor(() => backlog.filter((f) => eventsFor(f, 'applied') === 1).length === 2, {
      describe: 'the two patches the hourly budget allows',
    });
    // The rest waits in the sweep: not skipped, not patched, re-checked on every pass.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const waiting = backlog.filter((f) => eventsFor(f, 'applied') === 0);
    expect(waiting).toHaveLength(2);
    for (const finding of waiting) {
      expect(eventsFor(finding, 'skipped')).toBe(1); // the tier-off decision only
      expect(pullsFor(finding.finding.component!.name)).toEqual([]);
    }
    expect((await tierView('medium')).backlogSweep).not.toBeNull();

    // The kill switch stops the pending work; a budget refill alone does not restart it.
    await setKillSwitch(true);
    await waitFor(() => backlogAudits('medium', 'stopped') === 1, {
      describe: 'the medium sweep stopped',
    });
    expect((await tierView('medium')).backlogSweep).toBeNull();
    await setTier('medium', { mode: 'on', budgets: budgets(10) });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const finding of waiting) expect(eventsFor(finding, 'applied')).toBe(0);

    // Released: a new sweep decides what is left, within the refilled budget.
    await setKillSwitch(false);
    for (const finding of waiting)
      await remediation.waitFor(
        (e) => e.fingerprint === finding.finding.fingerprint && e.status === 'applied',
        `the applied event of ${finding.finding.component?.name}`,
      );
    await waitFor(() => backlogAudits('medium', 'completed') === 1, {
      describe: 'the medium sweep to complete',
    });
    for (const finding of backlog) {
      expect(pullsFor(finding.finding.component!.name)).toHaveLength(1);
      expect(eventsFor(finding, 'applied')).toBe(1);
    }
    expect(
      remediation.items.filter(
        (e) => e.tier === 'medium' && e.reasons.some((r) => r.startsWith('budget-')),
      ),
    ).toEqual([]);
    expect(await verifyStoredAuditChain(ledger.db, 'auto-patcher')).toMatchObject({
      ok: true,
    });
  }, 180_000);

  it('patches what a freeze window held back once the window has ended, once', async () => {
    const frozenUntil = Date.now() + 6_000;
    await setGlobal({
      freezeWindows: [
        {
          start: new Date(Date.now() - 60_000).toISOString(),
          end: new Date(frozenUntil).toISOString(),
          reason: 'release freeze',
          assets: ['github.com/bank/*'],
        },
      ],
    });
    await setTier('high', { mode: 'on', budgets: budgets(10) });
    // Switching the tier on swept it (nothing open yet); the finding arrives after that.
    await waitFor(() => backlogAudits('high', 'completed') === 1, {
      describe: 'the high sweep of the switch-on to complete',
    });
    const held = classified('lib-h', 'high');
    await publisher.publish([
      { topic: TOPICS.findingsClassified, key: held.finding.fingerprint, data: held },
    ]);
    const skipped = await remediation.waitFor(
      (e) => e.fingerprint === held.finding.fingerprint && e.status === 'skipped',
      'the decision while frozen',
    );
    expect(skipped.reasons).toContain('asset-frozen');
    expect(Date.now()).toBeLessThan(frozenUntil);
    expect(pullsFor('lib-h')).toEqual([]);

    // The window ends by itself, with no policy change: the next pass sweeps the open tier.
    const applied = await remediation.waitFor(
      (e) => e.fingerprint === held.finding.fingerprint && e.status === 'applied',
      'the patch after the freeze',
      60_000,
    );
    expect(Date.parse(applied.decidedAt)).toBeGreaterThanOrEqual(frozenUntil);
    expect(
      audit.items.some(
        (e) =>
          e.action === 'patcher.backlog.started' &&
          e.details['tier'] === 'high' &&
          e.details['trigger'] === 'freeze-ended',
      ),
    ).toBe(true);
    await waitFor(() => backlogAudits('high', 'completed') === 2, {
      describe: 'the freeze-ended sweep to complete',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(pullsFor('lib-h')).toHaveLength(1);
    expect(eventsFor(held, 'applied')).toBe(1);
    expect(await verifyStoredAuditChain(ledger.db, 'auto-patcher')).toMatchObject({ ok: true });
  }, 120_000);
});
