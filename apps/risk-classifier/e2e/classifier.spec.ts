import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AssignerProtocol, type Kafka } from 'kafkajs';
import {
  type ClassifiedFindingV1,
  type FindingResolvedV1,
  type AuditEntryV1,
  type RiskAcceptanceV1,
  ticketGroupKey,
  TOPICS,
} from '@hum/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateApiKey } from '@hum/auth';
import { publishReport } from '@hum/ingest';
import {
  createKafkaClient,
  defaultKafkaSettings,
  EventProducer,
  provisionTopics,
  TopicNames,
} from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { sourceFromBuffer } from '@hum/scanner-formats';
import {
  buildWorkspace,
  createTestDatabase,
  readTopic,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type TopicMessage,
  type WorkspaceBuild,
} from '@hum/testing';

const corpus = path.resolve(__dirname, '../../../testdata/corpus');
const logger = createLogger({ service: 'classifier-spec', level: 'silent' });

/** A Trivy report with one vulnerability per package name given; severities cycle. */
function trivy(packages: readonly string[], severity = 'MEDIUM'): Buffer {
  return Buffer.from(
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'registry.example.com/app:1',
      ArtifactType: 'container_image',
      Results: [
        {
          Target: 'app',
          Class: 'lang-pkgs',
          Type: 'npm',
          Vulnerabilities: packages.map((name, i) => ({
            VulnerabilityID: `CVE-2024-${String(20_000 + i)}`,
            PkgName: name,
            InstalledVersion: '1.0.0',
            FixedVersion: '1.0.1',
            Severity: severity,
            CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' } },
          })),
        },
      ],
    }),
  );
}

const names = (n: number, prefix = 'pkg'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('risk classifier (a real process, real broker, real PostgreSQL)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let topics: TopicNames;
  let kafka: Kafka;
  let publisher: EventProducer;
  let classifier: ServiceProcess | undefined;

  const env = (): Record<string, string> => ({
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: topics.prefix,
    HUM_OPS_TOKEN: 'classifier-ops-token-0123',
    HUM_INSTANCE_ID: 'classifier-spec',
    PORT: '0',
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: database.schema,
    BREAKER_MIN_OPEN: '10',
    API_KEYS_FILE: keysFile,
    CLASSIFIER_BATCH_SIZE: '100',
    // A killed replica's partitions move after this: keep the crash test short.
    KAFKA_SESSION_TIMEOUT: '6s',
  });

  const gateKey = generateApiKey();
  const keyDir = mkdtempSync(path.join(tmpdir(), 'hum-classifier-keys-'));
  const keysFile = path.join(keyDir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({
      keys: [
        {
          id: gateKey.id,
          name: 'gate reader',
          hash: gateKey.hash,
          permissions: ['gate:read'],
          assets: ['*'],
          teams: [],
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
    }),
  );

  const start = async (instanceId = 'classifier-spec'): Promise<ServiceProcess> =>
    startServiceProcess({
      entry: build.entry('apps/risk-classifier/src/main.js'),
      env: { ...env(), HUM_INSTANCE_ID: instanceId },
      readyPattern: /"url":"(http:\/\/[^"]+)"/,
    });

  beforeAll(async () => {
    build = buildWorkspace('classifier');
    database = await createTestDatabase('classifier');
    topics = new TopicNames(uniqueTopicPrefix('classifier'));
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'classifier-spec' }),
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topics, [TOPICS.findingsRaw, TOPICS.scansCompleted], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await admin.disconnect();
    publisher = new EventProducer(kafka, {
      names: topics,
      source: '/hum/spec',
      logger,
      transactionalId: `spec-${topics.prefix}`,
    });
    await publisher.connect();
    classifier = await start();
  });

  afterAll(async () => {
    const exit = await classifier?.stop();
    await publisher?.disconnect();
    await database?.cleanup();
    build?.remove();
    rmSync(keyDir, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  const publish = async (asset: string, report: Buffer): Promise<string> =>
    (
      await publishReport(publisher, {
        source: await sourceFromBuffer(report),
        asset: { id: asset, type: 'container-image', environment: 'prod', exposure: 'internet' },
        origin: 'cli',
      })
    ).scanId;

  /**
   * Reads a topic until `until` holds, with fresh short-lived readers: a reader that joined
   * while a killed producer's transaction was still open can sit behind it for a long time.
   */
  async function readUntil<T>(
    topic: string,
    until: (all: T[]) => boolean,
    timeoutMs: number,
  ): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Parse each message once: `until` runs after every message.
      const parsed: T[] = [];
      const messages = await readTopic({
        topic,
        until: (seen) => {
          for (let i = parsed.length; i < seen.length; i += 1)
            parsed.push(JSON.parse(seen[i]!.value!) as T);
          return until(parsed);
        },
        timeoutMs: 20_000,
      }).catch((error: { messages?: TopicMessage[] }) => {
        if (Date.now() > deadline || !error.messages) throw error;
        return undefined;
      });
      if (messages) return parsed;
    }
  }

  const classified = (
    until: (all: ClassifiedFindingV1[]) => boolean,
    timeoutMs = 60_000,
  ): Promise<ClassifiedFindingV1[]> =>
    readUntil(topics.of(TOPICS.findingsClassified), until, timeoutMs);

  const resolvedEvents = (
    until: (all: FindingResolvedV1[]) => boolean,
  ): Promise<FindingResolvedV1[]> => readUntil(topics.of(TOPICS.findingsResolved), until, 60_000);

  it('classifies real findings with explainable tiers', async () => {
    const scanId = await publish(
      'orders-api',
      readFileSync(path.join(corpus, 'trivy/scheme_2_many_vulns.json')),
    );
    const events = await classified(
      (all) => all.filter((e) => e.finding.scanId === scanId).length >= 5,
    );
    const mine = events.filter((e) => e.finding.scanId === scanId);
    expect(mine).toHaveLength(5);
    for (const event of mine) {
      expect(event.lifecycle).toMatchObject({ state: 'new', change: 'new', revision: 1 });
      const sum = event.classification.factors.reduce((total, f) => total + f.contribution, 0);
      expect(Math.round(sum * 10) / 10).toBe(event.classification.score);
      expect(event.classification.policyVersion).toMatch(/^risk-policy@/);
    }
    // CVE-2020-15999 (freetype) is in the bundled KEV snapshot: on an internet-facing prod
    // asset the default policy makes it critical.
    const freetype = mine.find((e) => e.finding.vulnerability?.id === 'CVE-2020-15999');
    expect(freetype?.classification.tier).toBe('critical');
    expect(freetype?.classification.factors.find((f) => f.name === 'kev')?.input).toBe(true);

    // The promotion gate: the scan is fully classified, and its critical finding blocks prod.
    const auth = { authorization: `Bearer ${gateKey.token}` };
    const status = (await (
      await fetch(`${classifier!.ready}/v1/scans/${scanId}`, { headers: auth })
    ).json()) as {
      classified: boolean;
    };
    expect(status.classified).toBe(true);
    const gate = await fetch(`${classifier!.ready}/v1/gate?asset=orders-api&stage=prod`, {
      headers: auth,
    });
    const verdict = (await gate.json()) as {
      pass: boolean;
      threshold: string;
      blocking: { tier: string }[];
    };
    expect(verdict.pass).toBe(false);
    expect(verdict.threshold).toBe('medium');
    expect(verdict.blocking[0]?.tier).toBe('critical');
    expect((await fetch(`${classifier!.ready}/v1/gate?asset=orders-api&stage=prod`)).status).toBe(
      401,
    );
    const bad = await fetch(`${classifier!.ready}/v1/gate?asset=orders-api&stage=production`, {
      headers: auth,
    });
    expect(bad.status).toBe(400);
  });

  it('emits nothing for a repeat sighting, resolves on a complete scan, and reopens', async () => {
    const cart = <T extends { asset?: { id: string }; finding?: { asset: { id: string } } }>(
      all: T[],
    ): T[] => all.filter((e) => (e.asset ?? e.finding!.asset).id === 'cart-api');
    await publish('cart-api', trivy(names(4)));
    await classified((all) => cart(all).length >= 4);
    await publish('cart-api', trivy(names(4))); // a repeat sighting of all four
    const third = await publish('cart-api', trivy([...names(3), 'marker'])); // pkg-3 gone
    const resolved = await resolvedEvents((all) => all.some((e) => e.resolvedByScanId === third));
    expect(cart(resolved)).toEqual([
      expect.objectContaining({
        reason: 'absent-from-complete-scan',
        revision: 2,
        resolvedByScanId: third,
      }),
    ]);
    const fourth = await publish('cart-api', trivy(names(4))); // pkg-3 back, marker gone
    // The marker's resolution by the fourth scan means all four scans have been applied.
    await resolvedEvents((all) => all.some((e) => e.resolvedByScanId === fourth));
    const events = cart(await classified((all) => cart(all).length >= 6));
    expect(events.map((e) => e.lifecycle.change).sort()).toEqual([
      'new',
      'new',
      'new',
      'new',
      'new',
      'reopened',
    ]);
    expect(events.find((e) => e.lifecycle.change === 'reopened')!.lifecycle).toMatchObject({
      state: 'reopened',
      revision: 3,
    });
  });

  it('trips the mass-closure breaker instead of closing most of a scope', async () => {
    await publish('billing-api', trivy(names(12)));
    await classified((all) => all.filter((e) => e.finding.asset.id === 'billing-api').length >= 12);
    const broken = await publish('billing-api', trivy(names(2)));
    const audit = await readTopic({
      topic: topics.of(TOPICS.auditLog),
      until: (messages) =>
        messages.some((m) => (JSON.parse(m.value!) as AuditEntryV1).details['scanId'] === broken),
      timeoutMs: 60_000,
    });
    const entry = audit
      .map((m) => JSON.parse(m.value!) as AuditEntryV1)
      .find((e) => e.details['scanId'] === broken)!;
    expect(entry).toMatchObject({
      chain: 'risk-classifier',
      action: 'classifier.mass-closure.blocked',
      outcome: 'denied',
      details: { wouldResolve: 10, open: 12 },
    });
    // A clean, ordinary scan afterwards still works, and nothing of billing-api was resolved.
    const marker = await publish('marker-api', trivy(['x']));
    await classified((all) => all.some((e) => e.finding.scanId === marker));
    const resolved = await readTopic({ topic: topics.of(TOPICS.findingsResolved), count: 1 });
    expect(resolved.filter((m) => JSON.parse(m.value!).asset.id === 'billing-api')).toEqual([]);
  });

  it('lets approved risk acceptances keep findings from blocking the gate, until they lapse', async () => {
    const scanId = await publish(
      'accepted-api',
      readFileSync(path.join(corpus, 'trivy/scheme_2_many_vulns.json')),
    );
    const mine = (
      await classified((all) => all.filter((e) => e.finding.scanId === scanId).length >= 5)
    ).filter((e) => e.finding.scanId === scanId);
    const auth = { authorization: `Bearer ${gateKey.token}` };
    type Verdict = {
      pass: boolean;
      acceptancesLoaded: boolean;
      blocking: { fingerprint: string; tier: string }[];
      accepted: { fingerprint: string; acceptance: { id: string } }[];
    };
    const gate = async (): Promise<Verdict> =>
      (await (
        await fetch(`${classifier!.ready}/v1/gate?asset=accepted-api&stage=prod`, { headers: auth })
      ).json()) as Verdict;
    const before = await gate();
    expect(before.pass).toBe(false);
    expect(before.acceptancesLoaded).toBe(true);
    const blocking = mine.filter((e) =>
      before.blocking.some((b) => b.fingerprint === e.finding.fingerprint),
    );
    expect(blocking.length).toBeGreaterThanOrEqual(2);

    // One acceptance per blocking finding: the first by its ticket group, the rest by fingerprint.
    const acceptance = (
      event: ClassifiedFindingV1,
      index: number,
      overrides: Partial<RiskAcceptanceV1> = {},
    ): RiskAcceptanceV1 => ({
      id: `acc-${index}`,
      target:
        index === 0
          ? { kind: 'group', groupKey: ticketGroupKey('asset-vulnerability', event.finding) }
          : { kind: 'finding', fingerprint: event.finding.fingerprint },
      reason: 'compensating control in place',
      owner: 'payments',
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      state: 'active',
      acceptedTier: event.classification.tier,
      proposedBy: 'alice',
      approvedBy: 'bob',
      decidedAt: new Date().toISOString(),
      version: 1,
      ...overrides,
    });
    await publisher.publish(
      blocking.map((event, index) => ({
        topic: TOPICS.riskAcceptances,
        key: `acc-${index}`,
        data: acceptance(event, index),
      })),
    );
    const accepted = await waitFor(async () => ((v) => (v.pass ? v : undefined))(await gate()), {
      timeoutMs: 30_000,
      describe: 'the gate passing under the acceptances',
    });
    expect(accepted.accepted.map((a) => a.acceptance.id).sort()).toEqual(
      blocking.map((_, index) => `acc-${index}`).sort(),
    );

    // Revoked, and accepted below the finding's tier (its risk rose): both block again.
    const critical = blocking.findIndex((e) => e.classification.tier === 'critical');
    expect(critical).toBeGreaterThanOrEqual(0);
    const lowered = blocking.findIndex((_, index) => index !== critical);
    await publisher.publish([
      {
        topic: TOPICS.riskAcceptances,
        key: `acc-${critical}`,
        data: acceptance(blocking[critical]!, critical, { acceptedTier: 'high', version: 2 }),
      },
      {
        topic: TOPICS.riskAcceptances,
        key: `acc-${lowered}`,
        data: acceptance(blocking[lowered]!, lowered, { state: 'revoked', version: 2 }),
      },
    ]);
    const after = await waitFor(
      async () => ((v) => (v.blocking.length === 2 ? v : undefined))(await gate()),
      { timeoutMs: 30_000, describe: 'two findings blocking again' },
    );
    expect(after.pass).toBe(false);
    expect(after.blocking.map((b) => b.fingerprint).sort()).toEqual(
      [blocking[critical]!.finding.fingerprint, blocking[lowered]!.finding.fingerprint].sort(),
    );
  });

  it('re-classifies open findings when new threat intel puts their CVE in KEV', async () => {
    const scanId = await publish('intel-api', trivy(['lodash-like']));
    const first = await classified((all) => all.some((e) => e.finding.scanId === scanId));
    const before = first.find((e) => e.finding.scanId === scanId)!;
    expect(before.classification.factors.find((f) => f.name === 'kev')?.input).toBe(false);
    const cve = before.finding.vulnerability!.id;

    const bundled = JSON.parse(
      readFileSync(
        path.resolve(__dirname, '../../../libs/risk/data/kev/known_exploited_vulnerabilities.json'),
        'utf8',
      ),
    ) as {
      dateReleased: string;
      catalogVersion: string;
      count: number;
      vulnerabilities: Record<string, unknown>[];
    };
    const newer = {
      ...bundled,
      catalogVersion: '2026.11.27',
      dateReleased: '2026-11-27T00:00:00.000Z',
      count: bundled.count + 1,
      vulnerabilities: [
        {
          ...bundled.vulnerabilities[0],
          cveID: cve,
          dateAdded: '2026-11-27',
          knownRansomwareCampaignUse: 'Unknown',
        },
        ...bundled.vulnerabilities,
      ],
    };
    const ops = { authorization: 'Bearer classifier-ops-token-0123' };
    expect(
      (
        await fetch(`${classifier!.ready}/v1/intel/kev`, {
          method: 'POST',
          body: JSON.stringify(newer),
        })
      ).status,
    ).toBe(401);
    const invalid = await fetch(`${classifier!.ready}/v1/intel/kev`, {
      method: 'POST',
      headers: ops,
      body: '{"vulnerabilities": 1}',
    });
    expect(invalid.status).toBe(422);
    const upload = await fetch(`${classifier!.ready}/v1/intel/kev?source=spec`, {
      method: 'POST',
      headers: ops,
      body: JSON.stringify(newer),
    });
    expect(upload.status).toBe(202);
    const events = await classified((all) =>
      all.some(
        (e) =>
          e.finding.fingerprint === before.finding.fingerprint &&
          e.lifecycle.change === 'intel-changed',
      ),
    );
    const changed = events.find(
      (e) =>
        e.finding.fingerprint === before.finding.fingerprint &&
        e.lifecycle.change === 'intel-changed',
    )!;
    expect(changed.lifecycle).toMatchObject({
      state: 'open',
      revision: 2,
      previousTier: before.classification.tier,
    });
    expect(changed.classification.factors.find((f) => f.name === 'kev')?.input).toBe(true);
    // Internet-facing prod and in KEV: the default policy makes it critical.
    expect(changed.classification.tier).toBe('critical');
  });

  it('shares the partitions between two replicas in one group, each finding classified once', async () => {
    const second = await start('classifier-spec-2');
    try {
      const admin = kafka.admin();
      await admin.connect();
      try {
        // Both members hold partitions of findings.raw (6 partitions, keyed by fingerprint).
        await waitFor(
          async () => {
            const { groups } = await admin.describeGroups([`${topics.prefix}risk-classifier`]);
            const members = groups[0]?.members ?? [];
            const holding = members.filter((m) => {
              const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
              return (assignment?.assignment[topics.of(TOPICS.findingsRaw)] ?? []).length > 0;
            });
            return groups[0]?.state === 'Stable' && holding.length === 2;
          },
          { describe: 'two members sharing findings.raw', timeoutMs: 60_000 },
        );
      } finally {
        await admin.disconnect();
      }
      const count = 600;
      const scanId = await publish('replicas-api', trivy(names(count, 'replica')));
      const events = await classified(
        (all) => all.filter((e) => e.finding.scanId === scanId).length >= count,
        120_000,
      );
      const mine = events.filter((e) => e.finding.scanId === scanId);
      expect(mine).toHaveLength(count);
      expect(new Set(mine.map((e) => e.finding.fingerprint)).size).toBe(count);
    } finally {
      const exit = await second.stop();
      expect(exit.code).toBe(0);
    }
  }, 240_000);

  it('emits exactly one classified event per new finding when killed mid-run', async () => {
    const assetFindings = 3_000;
    const scanId = await publish('bulk-api', trivy(names(assetFindings, 'bulk')));
    await waitFor(
      async () => {
        const seen = await readTopic({
          topic: topics.of(TOPICS.findingsClassified),
          count: 1,
          timeoutMs: 20_000,
        }).catch(() => []);
        return seen.length > 0;
      },
      { describe: 'classification to start', timeoutMs: 60_000 },
    );
    // Kill while the 3,000 findings are being worked through, then start again.
    await classifier!.kill();
    classifier = await start();
    const events = await classified(
      (all) =>
        new Set(all.filter((e) => e.finding.scanId === scanId).map((e) => e.finding.fingerprint))
          .size >= assetFindings,
      150_000,
    );
    const bulk = events.filter((e) => e.finding.scanId === scanId);
    expect(new Set(bulk.map((e) => e.finding.fingerprint)).size).toBe(assetFindings);
    expect(bulk).toHaveLength(assetFindings);
    expect(bulk.every((e) => e.lifecycle.revision === 1)).toBe(true);
  }, 180_000);
});
