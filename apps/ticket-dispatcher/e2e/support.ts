// Shared by the dispatcher's process-level specs: event builders, a running dispatcher, and
// a reader of tickets.events that parses each message once.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import {
  type ClassificationChange,
  type ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
  EXAMPLE_REMEDIATION,
  type FindingResolvedV1,
  type RemediationEventV1,
  type RiskTier,
  type TicketEventV1,
  type TopicDefinition,
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
import {
  buildWorkspace,
  createTestDatabase,
  readTopic,
  ReadTopicTimeoutError,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  type ServiceExit,
  type ServiceProcess,
  type TestDatabase,
  type TopicMessage,
  type WorkspaceBuild,
} from '@hum/testing';

const INPUT_TOPICS = [TOPICS.findingsClassified, TOPICS.findingsResolved, TOPICS.remediationEvents];

export function fingerprint(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export interface FindingSpec {
  name: string;
  asset?: string;
  team?: string;
  cve?: string;
  component?: string;
  tier?: RiskTier;
  revision?: number;
  change?: ClassificationChange;
  previousTier?: RiskTier;
  title?: string;
  kind?: ClassifiedFindingV1['finding']['kind'];
}

export function classified(spec: FindingSpec): ClassifiedFindingV1 {
  const base = EXAMPLE_CLASSIFIED;
  const tier = spec.tier ?? 'high';
  const cve = spec.cve ?? 'CVE-2024-0001';
  return {
    finding: {
      ...base.finding,
      fingerprint: fingerprint(spec.name),
      kind: spec.kind ?? 'vulnerability',
      title: spec.title ?? `${cve} in ${spec.component ?? 'openssl'}`,
      vulnerability: { id: cve, aliases: [] },
      component: {
        name: spec.component ?? 'openssl',
        version: '3.0.1',
        fixedVersions: ['3.0.2'],
        path: `lockfiles/${spec.name}`,
      },
      asset: {
        ...base.finding.asset,
        id: spec.asset ?? 'payments-api',
        team: spec.team ?? 'payments',
      },
    },
    classification: {
      ...base.classification,
      tier,
      score: tier === 'critical' ? 95 : tier === 'high' ? 75 : 40,
    },
    lifecycle: {
      state:
        spec.change === 'reopened'
          ? 'reopened'
          : spec.revision && spec.revision > 1
            ? 'open'
            : 'new',
      change: spec.change ?? 'new',
      ...(spec.previousTier ? { previousTier: spec.previousTier } : {}),
      firstSeenAt: '2026-01-10T10:00:00.000Z',
      lastSeenAt: '2026-01-10T10:00:00.000Z',
      revision: spec.revision ?? 1,
    },
  };
}

export function resolved(spec: FindingSpec & { revision: number }): FindingResolvedV1 {
  const event = classified(spec);
  return {
    fingerprint: event.finding.fingerprint,
    asset: event.finding.asset,
    scope: { assetId: event.finding.asset.id, tool: 'trivy' },
    lastTier: event.classification.tier,
    title: event.finding.title,
    reason: 'absent-from-complete-scan',
    resolvedAt: '2026-01-20T10:00:00.000Z',
    revision: spec.revision,
  };
}

export function remediation(
  spec: FindingSpec & { status: RemediationEventV1['status']; attempt?: string },
): RemediationEventV1 {
  const event = classified(spec);
  return {
    ...EXAMPLE_REMEDIATION,
    attemptKey: `${event.finding.fingerprint}:${spec.attempt ?? '3.0.2'}`,
    fingerprint: event.finding.fingerprint,
    asset: event.finding.asset,
    team: event.finding.asset.team,
    title: event.finding.title,
    status: spec.status,
    reasons: spec.status === 'failed' ? ['tests-failed'] : [],
    detail:
      spec.status === 'failed' ? 'CI run 42 failed: 3 tests broke after the upgrade' : undefined,
    fix: { component: 'openssl', fromVersion: '3.0.1', toVersion: '3.0.2' },
    url: 'https://git.example.com/bank/payments-api/pull/7',
  } as RemediationEventV1;
}

export function writeRoutingFile(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hum-routing-'));
  const file = path.join(dir, 'routing.yaml');
  writeFileSync(file, yaml);
  return file;
}

export function startDispatcher(
  entry: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  return startServiceProcess({
    entry,
    env,
    readyPattern: /"url":"(http:\/\/[^"]+)"/,
    timeoutMs: 90_000,
  });
}

/**
 * Reads tickets.events until `until` holds, parsing each message once (`until` runs after
 * every message), with fresh readers so one stuck behind an aborted transaction is replaced.
 */
export async function readTicketEvents(
  topic: string,
  until: (all: readonly TicketEventV1[]) => boolean,
  timeoutMs = 60_000,
): Promise<TicketEventV1[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const parsed: TicketEventV1[] = [];
    const messages = await readTopic({
      topic,
      until: (seen) => {
        for (let i = parsed.length; i < seen.length; i += 1)
          parsed.push(JSON.parse(seen[i]!.value!) as TicketEventV1);
        return until(parsed);
      },
      timeoutMs: Math.min(20_000, Math.max(1_000, deadline - Date.now())),
    }).catch((error: { messages?: TopicMessage[] }) => {
      if (Date.now() > deadline || !error.messages) throw error;
      return undefined;
    });
    if (messages) return parsed;
  }
}

type PartitionOffsets = Map<string, bigint>;

const partitionId = (topic: string, partition: number): string => `${topic}#${partition}`;

async function endOffsets(admin: Admin, topics: readonly string[]): Promise<PartitionOffsets> {
  const ends: PartitionOffsets = new Map();
  for (const topic of topics) {
    for (const end of await admin.fetchTopicOffsets(topic))
      ends.set(partitionId(topic, end.partition), BigInt(end.high));
  }
  return ends;
}

async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionOffsets> {
  const committed: PartitionOffsets = new Map();
  for (const topic of topics) {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of offsets?.partitions ?? [])
      committed.set(partitionId(topic, p.partition), BigInt(p.offset === '-1' ? '0' : p.offset));
  }
  return committed;
}

/**
 * Where each partition's readable records end (the offset after the last one a read_committed
 * consumer is given), scanning up to `ends`. A transactional writer (`hum dlq replay`) leaves a
 * commit marker after its records: a consumer that handled everything commits the offset of
 * that marker, one short of the high watermark, so the high watermark alone cannot say "done".
 */
async function readableEnds(
  kafka: Kafka,
  topics: readonly string[],
  ends: PartitionOffsets,
  timeoutMs: number,
): Promise<PartitionOffsets> {
  const readable: PartitionOffsets = new Map([...ends.keys()].map((id) => [id, 0n]));
  const scanned: PartitionOffsets = new Map();
  const complete = (): boolean =>
    [...ends].every(([id, end]) => end === 0n || (scanned.get(id) ?? -1n) >= end - 1n);
  if (complete()) return readable;
  const consumer = kafka.consumer({
    groupId: `settle-scan.${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    return await new Promise<PartitionOffsets>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`scanning ${topics.join(', ')} took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      // Fired for every fetched batch, also one holding only markers (never given to eachBatch).
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const id = partitionId(payload.topic, payload.partition);
        const last = BigInt(payload.lastOffset);
        if (last > (scanned.get(id) ?? -1n)) scanned.set(id, last);
        if (complete()) {
          clearTimeout(timer);
          resolve(readable);
        }
      });
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            const last = batch.messages[batch.messages.length - 1];
            const id = partitionId(batch.topic, batch.partition);
            if (last && BigInt(last.offset) + 1n > (readable.get(id) ?? 0n))
              readable.set(id, BigInt(last.offset) + 1n);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

const SCAN_AFTER_MS = 1_500;

/** Resolves once the consumer group has committed every record of the input topics. */
export async function waitForCaughtUp(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let targets = await endOffsets(admin, topics);
    let scanned = false;
    for (;;) {
      const committed = await committedOffsets(admin, groupId, topics);
      let behind = 0n;
      for (const [id, target] of targets) {
        const at = committed.get(id) ?? 0n;
        if (at < target) behind += target - at;
      }
      if (behind <= 0n) return;
      // Usually the group simply catches up; only a lasting gap is worth a scan for markers.
      if (!scanned && Date.now() - started > SCAN_AFTER_MS) {
        targets = await readableEnds(
          kafka,
          topics,
          targets,
          Math.max(1_000, deadline - Date.now()),
        );
        scanned = true;
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`consumer group ${groupId} still ${behind} record(s) behind`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

export interface HarnessOptions {
  label: string;
  routing: string;
  providers: string;
  /** Variables of the trackers (URLs, credentials) and any overrides. */
  env: () => Record<string, string>;
}

/**
 * One spec's world: a private build, database schema, topic namespace and consumer group,
 * a transactional-free publisher of the input topics, and dispatcher processes on demand.
 */
export class DispatcherHarness {
  build!: WorkspaceBuild;
  database!: TestDatabase;
  topics!: TopicNames;
  kafka!: Kafka;
  publisher!: EventProducer;
  readonly group: string;
  readonly processes = new Set<ServiceProcess>();
  /** Every process started, running or not: their output explains a failure. */
  readonly history: ServiceProcess[] = [];
  private routingFile = '';

  constructor(private readonly options: HarnessOptions) {
    this.group = `dispatcher-${options.label}-${process.pid}`;
  }

  async setUp(): Promise<void> {
    const logger = createLogger({ service: `${this.options.label}-spec`, level: 'silent' });
    this.build = buildWorkspace(this.options.label);
    this.database = await createTestDatabase(this.options.label);
    this.topics = new TopicNames(uniqueTopicPrefix(this.options.label));
    this.kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: this.options.label }),
      logger,
    );
    const admin = this.kafka.admin();
    await admin.connect();
    await provisionTopics(admin, this.topics, INPUT_TOPICS, {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await admin.disconnect();
    this.publisher = new EventProducer(this.kafka, {
      names: this.topics,
      source: '/hum/spec',
      logger,
    });
    await this.publisher.connect();
    this.routingFile = writeRoutingFile(this.options.routing);
  }

  async tearDown(): Promise<ServiceExit[]> {
    const exits = await Promise.all([...this.processes].map((p) => p.stop()));
    await this.publisher?.disconnect();
    await this.database?.cleanup();
    this.build?.remove();
    return exits;
  }

  env(instance: string, overrides: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: this.topics.prefix,
      KAFKA_SESSION_TIMEOUT: '6s',
      HUM_OPS_TOKEN: OPS_TOKEN,
      HUM_INSTANCE_ID: instance,
      PORT: '0',
      DATABASE_URL: this.database.url,
      DATABASE_SCHEMA: this.database.schema,
      TICKET_CONSUMER_GROUP: this.group,
      TICKET_PROVIDERS: this.options.providers,
      TICKET_ROUTING_FILE: this.routingFile,
      TICKET_RATE_LIMIT: '200',
      RECONCILE_INTERVAL: '0',
      ...this.options.env(),
      ...overrides,
    };
  }

  async start(
    instance = 'replica-1',
    overrides: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    const started = await startDispatcher(
      this.build.entry('apps/ticket-dispatcher/src/main.js'),
      this.env(instance, overrides),
    );
    this.processes.add(started);
    this.history.push(started);
    void started.exited.then(() => this.processes.delete(started));
    return started;
  }

  async publish(
    topic: TopicDefinition,
    data: ClassifiedFindingV1 | FindingResolvedV1 | RemediationEventV1,
  ): Promise<void> {
    const key = 'finding' in data ? data.finding.fingerprint : data.fingerprint;
    await this.publisher.publish([{ topic, key, data }]);
  }

  async settle(timeoutMs = 90_000): Promise<void> {
    await waitForCaughtUp(
      this.kafka,
      // KafkaModule namespaces the group with the topic prefix.
      `${this.topics.prefix}${this.group}`,
      [TOPICS.findingsClassified, TOPICS.findingsResolved, TOPICS.remediationEvents].map((t) =>
        this.topics.of(t),
      ),
      timeoutMs,
    );
  }

  async ticketEvents(
    until: (all: readonly TicketEventV1[]) => boolean,
    timeoutMs?: number,
  ): Promise<TicketEventV1[]> {
    return readTicketEvents(this.topics.of(TOPICS.ticketsEvents), until, timeoutMs);
  }
}

export const OPS_TOKEN = 'dispatcher-ops-token-0123';

/**
 * Every record a topic holds, aborted transactions' included (a leak there is a leak all the
 * same): read for `timeoutMs`, as nothing says how many there are.
 */
async function wholeTopic(topic: string, timeoutMs: number): Promise<TopicMessage[]> {
  try {
    return await readTopic({ topic, until: () => false, timeoutMs, readUncommitted: true });
  } catch (error) {
    if (error instanceof ReadTopicTimeoutError) return [...error.messages];
    throw error;
  }
}

/**
 * Searches everything the spec's dispatcher processes wrote — their log output, tickets.events,
 * audit.log and the dead-letter topics (keys, values, headers) — for the given credentials.
 * Returns the leaks found (empty when none) and how many records of each topic were searched,
 * so a spec can tell a clean result from an empty one.
 */
export async function credentialLeaks(
  harness: DispatcherHarness,
  secrets: readonly string[],
  timeoutMs = 5_000,
): Promise<{ leaks: string[]; searched: Record<string, number> }> {
  const topics = [
    ...[TOPICS.ticketsEvents, TOPICS.auditLog].map((topic) => harness.topics.of(topic)),
    ...INPUT_TOPICS.map((topic) => harness.topics.dlqOf(topic)),
  ];
  const records = await Promise.all(topics.map((topic) => wholeTopic(topic, timeoutMs)));
  const places = [
    ...harness.history.map((process, i) => ({
      where: `the output of dispatcher process ${i + 1}`,
      text: process.output(),
    })),
    ...records.flat().map((message) => ({
      where: `${message.topic} p${message.partition}@${message.offset}`,
      text: [message.key ?? '', message.value ?? '', ...Object.values(message.headers)].join('\n'),
    })),
  ];
  const leaks = places.flatMap(({ where, text }) =>
    secrets
      .filter((secret) => text.includes(secret))
      // Never the credential itself in a failure message: a prefix says which one.
      .map((secret) => `${where} holds ${secret.slice(0, 3)}…`),
  );
  const searched = Object.fromEntries(
    topics.map((topic, i) => [topic.slice(harness.topics.prefix.length), records[i]!.length]),
  );
  return { leaks, searched };
}

/** Runs a built entry point (e.g. the `hum` CLI) and collects its exit code and output. */
export function runNode(
  entry: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
