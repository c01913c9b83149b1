// Starts real extra brokers next to the one the run shares: the JVM backend end to end, and
// the jest global setup/teardown pair that projects put in their jest.config.cjs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { kafkaHarness, type KafkaHarness } from './harness';
import { readTopic } from './read-topic';
import { createTopics } from './topics';

const { isAlive, startBroker, waitForKafka, WORKSPACE_ROOT } = kafkaHarness();
type JestHook = () => Promise<void>;
const globalSetup = require(
  path.join(WORKSPACE_ROOT, 'tools/testing/jest-global-setup.cjs'),
) as JestHook;
const globalTeardown = require(
  path.join(WORKSPACE_ROOT, 'tools/testing/jest-global-teardown.cjs'),
) as JestHook;

type ProvidedKafka = Awaited<ReturnType<KafkaHarness['provideKafka']>>;

function client(brokers: string): Kafka {
  return new Kafka({ clientId: 'jvm-broker-spec', brokers: [brokers], logLevel: logLevel.NOTHING });
}

async function brokerConfig(brokers: string, names: string[]): Promise<Record<string, string>> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: names }],
    });
    return Object.fromEntries(
      (described.resources[0]?.configEntries ?? []).map((entry) => [
        entry.configName,
        entry.configValue,
      ]),
    );
  } finally {
    await admin.disconnect();
  }
}

async function createAndProduce(brokers: string, topic: string, value: string): Promise<void> {
  const kafka = client(brokers);
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, '', [{ name: topic }]);
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });
  await producer.disconnect();
}

describe('startBroker (JVM backend)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'given-kafka-'));

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a KRaft node with the single-node settings; stop() ends it; a restart keeps the data', async () => {
    const first = await startBroker({ dataDir, heapMb: 256 });
    try {
      expect(first.brokers).toBe(`127.0.0.1:${first.port}`);
      expect(first.controllerPort).not.toBe(first.port);
      expect(isAlive(first.pid)).toBe(true);
      expect(readFileSync(first.logFile, 'utf8')).toContain('Kafka Server started');
      expect(
        await brokerConfig(first.brokers, [
          'auto.create.topics.enable',
          'num.partitions',
          'offsets.topic.replication.factor',
          'transaction.state.log.replication.factor',
          'group.initial.rebalance.delay.ms',
        ]),
      ).toEqual({
        'auto.create.topics.enable': 'false',
        'num.partitions': '3',
        'offsets.topic.replication.factor': '1',
        'transaction.state.log.replication.factor': '1',
        'group.initial.rebalance.delay.ms': '0',
      });
      await createAndProduce(first.brokers, 'survives-restart', 'before the restart');
    } finally {
      await expect(first.stop()).resolves.toBe('terminated');
    }
    expect(isAlive(first.pid)).toBe(false);
    await expect(waitForKafka([first.brokers], { timeoutMs: 300 })).rejects.toThrow(
      /did not answer/,
    );
    // A data directory the caller gave is the caller's: stop() leaves it for a restart.
    expect(existsSync(path.join(dataDir, 'server.properties'))).toBe(true);

    const second = await startBroker({
      dataDir,
      port: first.port,
      controllerPort: first.controllerPort,
      heapMb: 256,
    });
    try {
      expect(second.brokers).toBe(first.brokers);
      const [message] = await readTopic({
        brokers: [second.brokers],
        topic: 'survives-restart',
        count: 1,
      });
      expect(message?.value).toBe('before the restart');
    } finally {
      await second.stop();
    }
    // Two JVM starts and stops beside the run's own broker and suites: minutes on two busy cores.
  }, 240_000);
});

describe('jest global setup and teardown', () => {
  const HANDLE = Symbol.for('hum.testing.kafka');
  const saved = { brokers: process.env['KAFKA_BROKERS'], backend: process.env['KAFKA_BACKEND'] };

  afterEach(() => {
    process.env['KAFKA_BROKERS'] = saved.brokers;
    if (saved.backend === undefined) delete process.env['KAFKA_BACKEND'];
    else process.env['KAFKA_BACKEND'] = saved.backend;
  });

  it('start a broker when KAFKA_BROKERS is unset, export it, and stop exactly that one', async () => {
    delete process.env['KAFKA_BROKERS'];
    process.env['KAFKA_BACKEND'] = 'jvm';

    await globalSetup();
    const started = process.env['KAFKA_BROKERS'];
    const handle = (globalThis as Record<symbol, ProvidedKafka | undefined>)[HANDLE];
    expect(started).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(started).not.toBe(saved.brokers);
    expect(handle).toMatchObject({ backend: 'jvm', brokers: started, started: true });
    expect(existsSync(handle!.dataDir!)).toBe(true);
    await expect(waitForKafka([started!], { timeoutMs: 5_000 })).resolves.toBeDefined();

    await globalTeardown();
    expect(process.env['KAFKA_BROKERS']).toBeUndefined();
    expect(existsSync(handle!.dataDir!)).toBe(false);
    await expect(waitForKafka([started!], { timeoutMs: 300 })).rejects.toThrow(/did not answer/);
    await expect(waitForKafka([saved.brokers!], { timeoutMs: 5_000 })).resolves.toBeDefined();
  }, 180_000);

  it('leave a broker named by KAFKA_BROKERS running', async () => {
    await globalSetup();
    expect((globalThis as Record<symbol, unknown>)[HANDLE]).toBeUndefined();
    await globalTeardown();
    expect(process.env['KAFKA_BROKERS']).toBe(saved.brokers);
    await expect(waitForKafka([saved.brokers!], { timeoutMs: 5_000 })).resolves.toBeDefined();
  });
});
