import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { verifyStoredAuditChain } from '@hum/audit';
import {
  type AuditEntryV1,
  type ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
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
  type FakeAwx,
  type FakeGitHub,
  type FakePatchExecutor,
  startFakeAwx,
  startFakeGitHub,
  startFakePatchExecutor,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';

/** The columns of the patcher's attempt ledger this spec reads. */
interface LedgerView {
  patch_attempts: { attempt_key: string; status: string; tries: number };
}

const logger = createLogger({ service: 'patcher-spec', level: 'silent' });
const OPS_TOKEN = 'patcher-ops-token-0123';
const OPERATOR_TOKEN = 'patcher-operator-token-0123';
const PACKAGES = Array.from({ length: 26 }, (_, i) => `pkg-${String.fromCharCode(97 + i)}`);
const PACKAGE_JSON = `${JSON.stringify(
  { name: 'payments-api', dependencies: Object.fromEntries(PACKAGES.map((p) => [p, '^1.0.0'])) },
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

/** A listening HTTP server that records every request: proof that nothing was sent its way. */
async function startTrap(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = createHttpServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const trapPort = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${trapPort}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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
      groupId: `patcher-spec-${randomUUID()}`,
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
}

describe('auto-patcher (a real process, real broker, real PostgreSQL, fake GitHub/AWX/executor)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let topics: TopicNames;
  let kafka: Kafka;
  let publisher: EventProducer;
  let github: FakeGitHub;
  let awx: FakeAwx;
  let executor: FakePatchExecutor;
  let patcher: ServiceProcess | undefined;
  let remediation: Collector<RemediationEventV1>;
  let audit: Collector<AuditEntryV1>;
  let configDir: string;
  let port: number;
  const versions = { tier: new Map<RemediationTier, number>(), global: 0 };

  const url = (): string => `http://127.0.0.1:${port}`;

  const env = (): Record<string, string> => ({
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: topics.prefix,
    HUM_OPS_TOKEN: OPS_TOKEN,
    HUM_INSTANCE_ID: 'patcher-spec',
    PORT: String(port),
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: database.schema,
    PATCHER_CONFIG_FILE: path.join(configDir, 'patcher.yaml'),
    PATCHER_OPERATOR_TOKEN: OPERATOR_TOKEN,
    PATCHER_PUBLIC_URL: url(),
    PATCHER_POLL_INTERVAL: '200ms',
    PATCHER_LEASE: '10s',
    AUTO_PAUSE_MIN_OUTCOMES: '3',
    AUTO_PAUSE_FAILURE_RATE: '60',
    KAFKA_SESSION_TIMEOUT: '6s',
    HUM_TEST_GITHUB_TOKEN: github.botToken,
    HUM_TEST_AWX_TOKEN: awx.botToken,
    HUM_TEST_EXECUTOR_SECRET: executor.secret,
  });

  const start = (): Promise<ServiceProcess> =>
    startServiceProcess({
      entry: build.entry('apps/auto-patcher/src/main.js'),
      env: env(),
      readyPattern: /"url":"(http:\/\/[^"]+)"/,
    });

  beforeAll(async () => {
    build = buildWorkspace('patcher');
    database = await createTestDatabase('patcher');
    topics = new TopicNames(uniqueTopicPrefix('patcher'));
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'patcher-spec' }),
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(
      admin,
      topics,
      [TOPICS.findingsClassified, TOPICS.policyState, TOPICS.remediationEvents, TOPICS.auditLog],
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
        { owner: 'bank', name: 'payments-api', files: { 'package.json': PACKAGE_JSON } },
      ],
    });
    awx = await startFakeAwx({ jobTemplates: [{ id: 42, name: 'Patch OS packages' }] });
    executor = await startFakePatchExecutor({ behaviour: { delayMs: 100, callback: true } });
    port = await freePort();
    configDir = mkdtempSync(path.join(tmpdir(), 'patcher-spec-'));
    writeFileSync(
      path.join(configDir, 'patcher.yaml'),
      `version: 1
github:
  - name: github
    apiUrl: ${github.url}
    webUrl: https://github.example.test
    token: HUM_TEST_GITHUB_TOKEN
awx:
  - name: awx
    url: ${awx.url}
    token: HUM_TEST_AWX_TOKEN
    jobTemplate: 42
    pollInterval: 200ms
    timeout: 1m
webhook:
  - name: executor
    url: ${executor.endpoint}
    secret: HUM_TEST_EXECUTOR_SECRET
    result: callback
rules:
  - when: { assetTypes: [repository] }
    use: github-pr
    target: github
  - when: { assetTypes: [host] }
    use: awx-job
    target: awx
  - when: { assetTypes: [container-image] }
    use: webhook
    target: executor
`,
    );
    remediation = new Collector(kafka, topics.of(TOPICS.remediationEvents));
    audit = new Collector(kafka, topics.of(TOPICS.auditLog));
    await Promise.all([remediation.start(), audit.start()]);
    patcher = await start();
  });

  afterAll(async () => {
    const exit = await patcher?.stop();
    await Promise.allSettled([remediation?.stop(), audit?.stop(), publisher?.disconnect()]);
    await Promise.allSettled([github?.close(), awx?.close(), executor?.close()]);
    await database?.cleanup();
    build?.remove();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  async function tiers(): Promise<{
    killSwitch: boolean;
    tiers: Array<{
      tier: string;
      mode: string;
      pausedInPolicy: boolean;
      budgets: unknown;
      autoPaused: { reason: string; handedOver: boolean } | null;
    }>;
  }> {
    const response = await fetch(`${url()}/v1/tiers`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    return (await response.json()) as Awaited<ReturnType<typeof tiers>>;
  }

  /** Publishes a tier's policy and waits until the running patcher follows it. */
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
        const state = (await tiers()).tiers.find((t) => t.tier === tier);
        return (
          state?.mode === record.mode &&
          state.pausedInPolicy === record.paused &&
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
    await waitFor(async () => (await tiers()).killSwitch === record.killSwitch, {
      describe: 'the patcher to follow the global policy',
    });
    // Freeze windows and deny lists have no echo on /v1/tiers: a version is enough time.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  function classified(
    label: string,
    tier: RiskTier,
    asset: Partial<ClassifiedFindingV1['finding']['asset']>,
    component: Partial<NonNullable<ClassifiedFindingV1['finding']['component']>> = {},
  ): ClassifiedFindingV1 {
    const fingerprint = createHash('sha256').update(`${topics.prefix}${label}`).digest('hex');
    return {
      ...EXAMPLE_CLASSIFIED,
      finding: {
        ...EXAMPLE_CLASSIFIED.finding,
        fingerprint,
        title: `CVE-2026-0001 in ${label}`,
        asset: {
          id: 'github.com/bank/payments-api',
          type: 'repository',
          team: 'payments',
          repository: 'https://github.example.test/bank/payments-api',
          ...asset,
        },
        component: {
          name: label,
          version: '1.0.0',
          ecosystem: 'npm',
          fixedVersions: ['1.0.1'],
          path: 'package.json',
          ...component,
        },
      },
      classification: { ...EXAMPLE_CLASSIFIED.classification, tier },
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
  }

  const eventFor = (
    finding: ClassifiedFindingV1,
    status?: RemediationEventV1['status'],
  ): Promise<RemediationEventV1> =>
    remediation.waitFor(
      (e) =>
        e.fingerprint === finding.finding.fingerprint &&
        (status === undefined || e.status === status),
      `a ${status ?? 'remediation'} event for ${finding.finding.component?.name ?? finding.finding.fingerprint}`,
    );

  it('follows modes off -> dry-run -> on live through policy.state, with no restart', async () => {
    const budgets = { patchesPerHour: 100, maxInFlight: 100, perTeamPerHour: 100 };
    const off = classified('pkg-a', 'low', {});
    await publish(off);
    expect(await eventFor(off)).toMatchObject({
      status: 'skipped',
      reasons: ['tier-off'],
      tier: 'low',
      policyVersion: 'tier:low@0+global@0',
    });

    await setTier('low', { mode: 'dry-run', budgets });
    // The finding skipped while the tier was off is planned now (the backlog sweep)...
    expect(await eventFor(off, 'planned')).toMatchObject({
      strategy: 'github-pr',
      policyVersion: 'tier:low@1+global@0',
    });
    const dry = classified('pkg-b', 'low', {});
    await publish(dry);
    expect(await eventFor(dry)).toMatchObject({
      status: 'planned',
      reasons: [],
      strategy: 'github-pr',
      fix: { component: 'pkg-b', ecosystem: 'npm', fromVersion: '1.0.0', toVersion: '1.0.1' },
      policyVersion: 'tier:low@1+global@0',
    });
    expect(github.pulls('bank', 'payments-api')).toEqual([]);

    await setTier('low', { mode: 'on', budgets });
    const on = classified('pkg-c', 'low', {});
    await publish(on);
    const applied = await eventFor(on, 'applied');
    expect(applied).toMatchObject({
      attemptKey: `${on.finding.fingerprint}:1.0.1`,
      strategy: 'github-pr',
      url: expect.stringMatching(/\/bank\/payments-api\/pull\/\d+$/),
      team: 'payments',
    });
    // ...and applied with the planned one once the tier is on: one pull request per fix.
    const backlog = [await eventFor(off, 'applied'), await eventFor(dry, 'applied')];
    const pulls = github.pulls('bank', 'payments-api');
    expect(pulls).toHaveLength(3);
    expect(pulls.map((p) => p.url).sort()).toEqual(
      [applied.url, ...backlog.map((e) => e.url)].sort(),
    );
    expect(pulls.find((p) => p.url === applied.url)).toMatchObject({
      labels: ['security', 'hum-autopatch', 'hum-tier-low'],
    });
    // Every decision is in the audit log.
    for (const [finding, action] of [
      [off, 'patcher.patch.skipped'],
      [off, 'patcher.patch.planned'],
      [dry, 'patcher.patch.planned'],
      [on, 'patcher.patch.queued'],
      [on, 'patcher.patch.applied'],
      [off, 'patcher.patch.applied'],
    ] as const) {
      await audit.waitFor(
        (e) => e.action === action && e.details['fingerprint'] === finding.finding.fingerprint,
        action,
      );
    }
  });

  it('stops everything on the kill switch and refuses frozen and denied assets', async () => {
    await setGlobal({ killSwitch: true });
    const killed = classified('pkg-d', 'low', {});
    await publish(killed);
    expect(await eventFor(killed)).toMatchObject({ status: 'skipped', reasons: ['kill-switch'] });
    expect(github.pulls('bank', 'payments-api')).toHaveLength(3);

    const now = Date.now();
    await setGlobal({
      killSwitch: false,
      freezeWindows: [
        {
          start: new Date(now - 3_600_000).toISOString(),
          end: new Date(now + 3_600_000).toISOString(),
          reason: 'quarter close',
          assets: ['github.com/bank/ledger-*'],
        },
      ],
      denyList: ['github.com/bank/core-banking'],
    });
    const frozen = classified('pkg-e', 'low', {
      id: 'github.com/bank/ledger-api',
      repository: 'https://github.example.test/bank/ledger-api',
    });
    const denied = classified('pkg-f', 'low', {
      id: 'github.com/bank/core-banking',
      repository: 'https://github.example.test/bank/core-banking',
    });
    await publish(frozen, denied);
    expect(await eventFor(frozen)).toMatchObject({
      status: 'skipped',
      reasons: ['asset-frozen'],
      detail: expect.stringContaining('quarter close'),
    });
    expect(await eventFor(denied)).toMatchObject({ status: 'skipped', reasons: ['asset-denied'] });
    // Releasing the kill switch decided the finding it had stopped; frozen and denied stay so.
    const released = await eventFor(killed, 'applied');
    await setGlobal({ killSwitch: false });
    const pulls = github.pulls('bank', 'payments-api');
    expect(pulls).toHaveLength(4);
    expect(pulls.map((p) => p.url)).toContain(released.url);
    for (const finding of [frozen, denied])
      expect(
        remediation.items.filter((e) => e.fingerprint === finding.finding.fingerprint),
      ).toHaveLength(1);
  });

  it('spends the per-team budget and refuses repositories outside the configured host', async () => {
    await setTier('low', {
      mode: 'on',
      budgets: { patchesPerHour: 100, maxInFlight: 100, perTeamPerHour: 1 },
    });
    const first = classified('pkg-g', 'low', { team: 'search' });
    const second = classified('pkg-h', 'low', { team: 'search' });
    await publish(first, second);
    const outcomes = [await eventFor(first), await eventFor(second)];
    expect(outcomes.filter((e) => e.status === 'skipped').map((e) => e.reasons)).toEqual([
      ['budget-team-hourly'],
    ]);
    expect(outcomes.filter((e) => e.status !== 'skipped')).toHaveLength(1);

    // Finding data names a host of its own (here a listening one): it is never called.
    const trap = await startTrap();
    try {
      const elsewhere = classified('pkg-i', 'low', {
        team: 'web',
        repository: `${trap.url}/bank/payments-api`,
      });
      const metadata = classified('pkg-j', 'low', {
        team: 'web',
        id: `${trap.url}/latest/meta-data`,
        repository: `https://github.example.test@${trap.url.replace(/^http:\/\//, '')}/bank/payments-api`,
      });
      await publish(elsewhere, metadata);
      for (const finding of [elsewhere, metadata])
        expect(await eventFor(finding)).toMatchObject({
          status: 'skipped',
          reasons: ['target-not-allowed'],
        });
      expect(trap.hits).toEqual([]);
    } finally {
      await trap.close();
    }
    await setTier('low', {
      mode: 'on',
      budgets: { patchesPerHour: 100, maxInFlight: 100, perTeamPerHour: 100 },
    });
  });

  it('applies through a signed webhook whose executor calls back', async () => {
    const image = classified(
      'node',
      'low',
      {
        id: 'registry.example.test/web/storefront',
        type: 'container-image',
        team: 'web',
        repository: undefined,
      },
      {
        name: 'node',
        version: '18.19.0-alpine3.19',
        ecosystem: 'docker',
        fixedVersions: ['18.20.1-alpine3.19'],
        path: 'Dockerfile',
      },
    );
    await publish(image);
    expect(await eventFor(image, 'applied')).toMatchObject({
      strategy: 'webhook',
      fix: { ecosystem: 'oci', toVersion: '18.20.1-alpine3.19' },
      url: expect.stringContaining(executor.url),
    });
    expect(executor.patch(`${image.finding.fingerprint}:18.20.1-alpine3.19`)?.deliveries).toEqual([
      202,
    ]);
  });

  it('turns failed patches into failed events, pauses the tier over the failure rate, and resumes on an operator or through policy.state', async () => {
    await setTier('medium', {
      mode: 'on',
      budgets: { patchesPerHour: 100, maxInFlight: 100, perTeamPerHour: 100 },
    });
    awx.setOutcome(42, 'failed', { next: 3 });
    const host = (n: number): ClassifiedFindingV1 =>
      classified(
        `openssl-${n}`,
        'medium',
        { id: `db-0${n}.prod.example.test`, type: 'host', team: 'dba', repository: undefined },
        {
          name: 'openssl',
          version: '1.1.1n-0+deb11u3',
          ecosystem: 'deb',
          fixedVersions: ['1.1.1n-0+deb11u4'],
          path: 'var/lib/dpkg/status',
        },
      );
    const failing = [host(1), host(2), host(3)];
    for (const finding of failing) {
      await publish(finding);
      const failed = await eventFor(finding, 'failed');
      expect(failed).toMatchObject({
        reasons: ['job-failed'],
        strategy: 'awx-job',
        url: expect.stringContaining('/#/jobs/playbook/'),
      });
    }
    const paused = await audit.waitFor(
      (e) => e.action === 'patcher.tier.auto-paused',
      'the auto-pause audit entry',
    );
    expect(paused).toMatchObject({
      entity: { type: 'policy', id: 'tier:medium' },
      details: { failed: 3, total: 3 },
    });
    expect((await tiers()).tiers.find((t) => t.tier === 'medium')?.autoPaused).toMatchObject({
      reason: expect.stringContaining('3 of 3'),
    });

    const blocked = host(4);
    await publish(blocked);
    expect(await eventFor(blocked)).toMatchObject({ status: 'skipped', reasons: ['tier-paused'] });

    const anonymous = await fetch(`${url()}/v1/tiers/medium/resume`, {
      method: 'POST',
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const resumed = await fetch(`${url()}/v1/tiers/medium/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ operator: 'riley', reason: 'AWX repository mirror fixed' }),
    });
    expect(resumed.status).toBe(200);
    await audit.waitFor(
      (e) => e.action === 'patcher.tier.resumed' && e.actor.id === 'riley',
      'the resume audit entry',
    );
    // The finding skipped while paused is decided once the tier is resumed (the backlog sweep).
    expect(await eventFor(blocked, 'applied')).toMatchObject({ strategy: 'awx-job' });
    const healthy = host(5);
    await publish(healthy);
    expect(await eventFor(healthy, 'applied')).toMatchObject({ strategy: 'awx-job' });
    // The failures before the resume were judged by the operator: the next patch is not re-paused.
    expect((await tiers()).tiers.find((t) => t.tier === 'medium')?.autoPaused).toBeNull();

    // Second round, with policy-admin in the loop (as it answers the audit entry): the pause is
    // recorded in policy.state, and an admin's resume there lifts the patcher's own pause.
    // Counted from the resume: hosts 4 and 5 applied, then three failures make 3 of 5 (60%).
    awx.setOutcome(42, 'failed', { next: 3 });
    for (const finding of [host(6), host(7), host(8)]) {
      await publish(finding);
      await eventFor(finding, 'failed');
    }
    const second = await audit.waitFor(
      (e) => e.action === 'patcher.tier.auto-paused' && e.seq !== paused.seq,
      'a second auto-pause',
    );
    expect(second.details).toMatchObject({ failed: 3, total: 5 });
    const budgets = { patchesPerHour: 100, maxInFlight: 100, perTeamPerHour: 100 };
    await setTier('medium', { mode: 'on', budgets, paused: true, decidedBy: ['auto-patcher'] });
    await waitFor(
      async () =>
        (await tiers()).tiers.find((t) => t.tier === 'medium')?.autoPaused?.handedOver === true,
      { describe: 'the pause handed over to policy.state' },
    );
    await setTier('medium', { mode: 'on', budgets, paused: false, decidedBy: ['carol'] });
    await waitFor(
      async () => (await tiers()).tiers.find((t) => t.tier === 'medium')?.autoPaused === null,
      { describe: 'the breaker pause lifted by the resume in policy.state' },
    );
    expect(
      await audit.waitFor(
        (e) => e.action === 'patcher.tier.resumed' && e.details['via'] === 'policy.state',
        'the policy.state resume audit entry',
      ),
    ).toMatchObject({ details: { tier: 'medium', decidedBy: ['carol'] } });
    const afterAdmin = host(9);
    await publish(afterAdmin);
    expect(await eventFor(afterAdmin, 'applied')).toMatchObject({ strategy: 'awx-job' });
  });

  it('never applies a patch twice when killed between opening the pull request and recording it', async () => {
    const victim = classified('pkg-k', 'low', { team: 'core' });
    const attemptKey = `${victim.finding.fingerprint}:1.0.1`;
    // Slow the call that follows the pull request's creation, so the kill lands after it.
    github.inject({
      kind: 'latency',
      ms: 20_000,
      match: { method: 'POST', path: '/repos/bank/payments-api/issues/*' },
    });
    const before = github.pulls('bank', 'payments-api').length;
    await publish(victim);
    await waitFor(() => github.pulls('bank', 'payments-api').length > before, {
      describe: 'the pull request',
      timeoutMs: 60_000,
    });
    const killed = await patcher!.kill();
    expect(killed.signal).toBe('SIGKILL');
    github.clearFaults();
    patcher = await start();
    const applied = await eventFor(victim, 'applied');
    const mine = github.pulls('bank', 'payments-api').filter((p) => p.head.includes('pkg-k'));
    expect(mine).toHaveLength(1);
    expect(applied.url).toBe(mine[0]!.url);
    expect(mine[0]!.labels).toContain('hum-tier-low');
    expect(github.commitsAhead('bank', 'payments-api', mine[0]!.head)).toBe(1);
    // The attempt ledger shows the resumed run; one applied event only.
    const db: Database<LedgerView> = await createDatabase({
      url: database.url,
      schema: database.schema,
    });
    try {
      const rows = await db.db
        .selectFrom('patch_attempts')
        .selectAll()
        .where('attempt_key', '=', attemptKey)
        .execute();
      expect(rows).toEqual([expect.objectContaining({ status: 'applied', tries: 2 })]);
      expect(await verifyStoredAuditChain(db.db, 'auto-patcher')).toMatchObject({ ok: true });
    } finally {
      await db.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(
      remediation.items.filter((e) => e.attemptKey === attemptKey && e.status === 'applied'),
    ).toHaveLength(1);
  }, 180_000);
});
