import type { Kafka } from 'kafkajs';
import { ReportParseError, sourceFromBuffer } from '@hum/scanner-formats';
import { TOPICS, type ScanCompletedV1 } from '@hum/contracts';
import {
  EventProducer,
  provisionTopics,
  TopicNames,
  createKafkaClient,
  defaultKafkaSettings,
} from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { readTopic, testKafkaBrokers, uniqueTopicPrefix } from '@hum/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { publishReport } from './publish-report';

const logger = createLogger({ service: 'ingest-spec', level: 'silent' });
const corpus = path.resolve(__dirname, '../../../../testdata/corpus');

/** A Trivy schema-2 report with `count` vulnerabilities; `brokenAt` gets an invalid Severity type. */
function trivyReport(count: number, brokenAt?: number): Buffer {
  const vulnerabilities = Array.from({ length: count }, (_, i) => ({
    VulnerabilityID: `CVE-2024-${String(10_000 + i)}`,
    PkgName: `pkg-${i}`,
    InstalledVersion: '1.0.0',
    FixedVersion: '1.0.1',
    Severity: i === brokenAt ? 5 : 'HIGH',
    Title: `vulnerability ${i}`,
  }));
  return Buffer.from(
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'registry.example.com/app:1',
      ArtifactType: 'container_image',
      Results: [
        { Target: 'app', Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: vulnerabilities },
      ],
    }),
  );
}

describe('publishReport (real broker, read_committed)', () => {
  let kafka: Kafka;
  let names: TopicNames;
  let producer: EventProducer;

  beforeAll(async () => {
    const brokers = testKafkaBrokers();
    names = new TopicNames(uniqueTopicPrefix('ingest'));
    kafka = createKafkaClient(defaultKafkaSettings({ brokers, clientId: 'ingest-spec' }), logger);
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, names, [TOPICS.findingsRaw, TOPICS.scansCompleted], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
    await admin.disconnect();
    producer = new EventProducer(kafka, {
      names,
      source: '/hum/spec',
      logger,
      transactionalId: `ingest-spec-${names.prefix}`,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(names.prefix));
    await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('publishes every finding and a scans.completed per tool scope, with the distinct count', async () => {
    const source = await sourceFromBuffer(
      readFileSync(path.join(corpus, 'trivy/scheme_2_many_vulns.json')),
    );
    const result = await publishReport(producer, {
      source,
      asset: { id: 'app-one', type: 'container-image', environment: 'prod' },
      origin: 'gateway',
    });
    expect(result).toMatchObject({ format: 'trivy-json', findings: 5 });
    const findings = await readTopic({ topic: names.of(TOPICS.findingsRaw), count: 5 });
    expect(findings.every((m) => JSON.parse(m.value!).scanId === result.scanId)).toBe(true);
    expect(findings.every((m) => m.key === JSON.parse(m.value!).fingerprint)).toBe(true);
    const completed = await readTopic({ topic: names.of(TOPICS.scansCompleted), count: 1 });
    const event = JSON.parse(completed[0]!.value!) as ScanCompletedV1;
    expect(event).toMatchObject({
      scanId: result.scanId,
      findingCount: 5,
      scope: { assetId: 'app-one', tool: 'Trivy' },
    });
    expect(completed[0]!.key).toBe('app-one|trivy');
  });

  it('publishes nothing of a report that turns out invalid after 1,100 findings', async () => {
    const source = await sourceFromBuffer(trivyReport(1_200, 1_100));
    await expect(
      publishReport(producer, {
        source,
        asset: { id: 'app-two', type: 'repository' },
        origin: 'cli',
      }),
    ).rejects.toBeInstanceOf(ReportParseError);
    // A later valid scan of another asset is visible; nothing of app-two ever is.
    const ok = await publishReport(producer, {
      source: await sourceFromBuffer(trivyReport(3)),
      asset: { id: 'app-three', type: 'repository' },
      origin: 'cli',
    });
    expect(ok.findings).toBe(3);
    const all = await readTopic({
      topic: names.of(TOPICS.findingsRaw),
      until: (messages) =>
        messages.some((m) => JSON.parse(m.value!).asset.id === 'app-three' && messages.length >= 8),
    });
    expect(all.filter((m) => JSON.parse(m.value!).asset.id === 'app-two')).toEqual([]);
    const completed = await readTopic({ topic: names.of(TOPICS.scansCompleted), count: 2 });
    expect(completed.map((m) => m.key).sort()).toEqual(['app-one|trivy', 'app-three|trivy']);
  });

  it('says a clean report is complete for its tool (zero findings)', async () => {
    const result = await publishReport(producer, {
      source: await sourceFromBuffer(trivyReport(0)),
      asset: { id: 'app-clean', type: 'repository' },
      origin: 'gateway',
    });
    expect(result.scopes).toEqual([{ assetId: 'app-clean', tool: 'Trivy', findingCount: 0 }]);
  });
});
