import type { Kafka } from 'kafkajs';
import { PermanentError } from '@hum/common';
import { DLQ_HEADERS, EXAMPLE_FINDING, type FindingV1, TOPICS } from '@hum/contracts';
import {
  ConsumerRunner,
  createKafkaClient,
  defaultKafkaSettings,
  eachMessage,
  EventProducer,
  provisionTopics,
  TopicNames,
} from '@hum/kafka';
import { createLogger } from '@hum/observability';
import {
  buildWorkspace,
  deleteTopicsWithPrefix,
  readTopic,
  testKafkaBrokers,
  uniqueTopicPrefix,
  type TopicMessage,
  type WorkspaceBuild,
} from '@hum/testing';
import { runBuiltCli, type CliRun } from './built-cli';

const logger = createLogger({ service: 'cli-dlq-spec', level: 'silent' });
const RUNNER_GROUP = `cli-dlq-spec-consumer.${process.pid}`;

interface ReplayJson {
  replayed: number;
  byKind: Record<string, number>;
  requeued: number;
  limitReached: boolean;
  letters?: { offset: string; kind: string; reason: string }[];
}

function finding(title: string, fingerprintDigit: string): FindingV1 {
  return { ...EXAMPLE_FINDING, title, fingerprint: fingerprintDigit.repeat(64) };
}

async function offsetsSum(kafka: Kafka, topic: string): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
  } finally {
    await admin.disconnect();
  }
}

describe('hum dlq replay (the built CLI, dead letters of the real consumer runner)', () => {
  let build: WorkspaceBuild;
  let hum: string;
  let brokers: string;
  let names: TopicNames;
  let kafka: Kafka;
  let source: string;
  let dlq: string;
  let originals: TopicMessage[];

  const replay = (...args: string[]): Promise<CliRun> =>
    runBuiltCli(hum, [
      'dlq',
      'replay',
      'findings.raw',
      '--brokers',
      brokers,
      '--topic-prefix',
      names.prefix,
      ...args,
    ]);

  const replayJson = async (...args: string[]): Promise<ReplayJson> => {
    const run = await replay(...args, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as ReplayJson;
  };

  beforeAll(async () => {
    build = buildWorkspace('cli-dlq');
    hum = build.entry('apps/cli/src/main.js');
    brokers = testKafkaBrokers().join(',');
    names = new TopicNames(uniqueTopicPrefix('cli-dlq'));
    source = names.of(TOPICS.findingsRaw);
    dlq = names.dlqOf(TOPICS.findingsRaw);
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'cli-dlq-spec' }),
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, names, [TOPICS.findingsRaw], {
      replicationFactor: 1,
      withDeadLetters: true,
    });
    await admin.disconnect();

    const producer = new EventProducer(kafka, { names, source: '/hum/spec', logger });
    await producer.connect();
    await producer.publish(
      [
        finding('ok 1', '1'),
        finding('poison 1', '2'),
        finding('poison 2', '3'),
        finding('ok 2', '4'),
      ].map((data) => ({
        topic: TOPICS.findingsRaw,
        key: data.fingerprint,
        data,
      })),
    );
    await producer.publishRaw(
      ['garbage-1', 'garbage-2'].map((key) => ({
        physicalTopic: source,
        key,
        value: Buffer.from(`not an event: ${key}`),
        headers: {},
      })),
    );
    await producer.disconnect();
    originals = await readTopic({ topic: source, count: 6 });

    // The real runner, exactly-once: its dead letters are written in transactions.
    const runner = new ConsumerRunner({
      kafka,
      groupId: RUNNER_GROUP,
      names,
      logger,
      delivery: 'exactly-once',
      source: '/hum/spec',
      retry: { maxAttempts: 1 },
      handlers: [
        eachMessage(TOPICS.findingsRaw, 'poison-detector', async (event) => {
          if (event.data.title.startsWith('poison'))
            throw new PermanentError(`refused ${event.data.title}`);
        }),
      ],
    });
    await runner.start();
    try {
      await readTopic({ topic: dlq, count: 4 });
    } finally {
      await runner.stop();
    }
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await deleteTopicsWithPrefix(admin, names.prefix);
    await admin.deleteGroups([RUNNER_GROUP, `hum-cli.dlq-replay.${dlq}`]);
    await admin.disconnect();
    build?.remove();
  });

  it('lists what a dry run would replay and changes nothing', async () => {
    const before = await offsetsSum(kafka, source);
    const run = await replay('--dry-run');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(
      lines.filter((l) => /^0:\d+ {2}handler-failed {2}.*refused poison/.test(l)),
    ).toHaveLength(2);
    expect(lines.filter((l) => /^0:\d+ {2}invalid-envelope {2}/.test(l))).toHaveLength(2);
    expect(run.stderr).toContain('would replay 4 dead letters');

    const json = await replayJson('--dry-run');
    expect(json.letters?.map((l) => l.kind).sort()).toEqual([
      'handler-failed',
      'handler-failed',
      'invalid-envelope',
      'invalid-envelope',
    ]);
    expect(await offsetsSum(kafka, source)).toBe(before);
  });

  it('replays each letter once (--limit, --kind, then the rest) and a further run finds nothing', async () => {
    const first = await replayJson('--limit', '1');
    expect(first).toMatchObject({ replayed: 1, limitReached: true, requeued: 0 });
    const firstKind = Object.keys(first.byKind)[0]!;

    // Each passed-over letter is requeued exactly once: the run stops at its snapshot and never
    // meets the letters it appended itself.
    const failed = await replayJson('--kind', 'handler-failed');
    const handlerFailedLeft = firstKind === 'handler-failed' ? 1 : 2;
    const envelopesLeft = firstKind === 'invalid-envelope' ? 1 : 2;
    expect(failed).toMatchObject({
      replayed: handlerFailedLeft,
      byKind: { 'handler-failed': handlerFailedLeft },
      requeued: envelopesLeft,
    });

    // The passed-over letters were appended to the DLQ after that run's snapshot: this run gets them.
    const rest = await replayJson();
    expect(rest).toMatchObject({
      replayed: envelopesLeft,
      byKind: { 'invalid-envelope': envelopesLeft },
    });

    const again = await replay();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to replay');
    expect((await replayJson()).replayed).toBe(0);

    const all = await readTopic({ topic: source, count: 10 });
    const replayed = all.filter((m) => m.headers['hum_replayed_at'] !== undefined);
    expect(replayed).toHaveLength(4);
    for (const message of replayed) {
      expect(Object.keys(message.headers).filter((h) => h.startsWith('hum_dlq_'))).toEqual([]);
      expect(Number.isNaN(Date.parse(message.headers['hum_replayed_at']!))).toBe(false);
      const original = originals.find((o) => o.key === message.key)!;
      expect(original).toBeDefined();
      expect(message.value).toBe(original.value);
      const { hum_replayed_at: _at, ...headers } = message.headers;
      expect(headers).toEqual(original.headers);
    }
    expect(replayed.map((m) => m.key).sort()).toEqual([
      '2'.repeat(64),
      '3'.repeat(64),
      'garbage-1',
      'garbage-2',
    ]);
  });

  it('keeps the dead letters themselves untouched in the DLQ', async () => {
    const letters = await readTopic({ topic: dlq, count: 4 });
    expect(letters.slice(0, 4).every((m) => m.headers[DLQ_HEADERS.errorKind] !== undefined)).toBe(
      true,
    );
  });

  it('exits 2 for a topic that is not hum’s and 66 when the DLQ does not exist', async () => {
    const typo = await runBuiltCli(hum, ['dlq', 'replay', 'findings.rwa', '--brokers', brokers]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean findings.raw');

    const missing = await runBuiltCli(hum, [
      'dlq',
      'replay',
      'findings.raw',
      '--brokers',
      brokers,
      '--topic-prefix',
      uniqueTopicPrefix('cli-dlq-none'),
    ]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('no dead-letter topic');
  });
});
