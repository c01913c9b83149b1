import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { EXAMPLE_FINDING, TOPICS } from '@hum/contracts';
import { createLogger } from '@hum/observability';
import { createKafkaClient } from '../client';
import { EventProducer } from '../producer';
import { defaultKafkaSettings } from '../settings';
import { TopicNames } from '../topics';
import { provisionConsumerSpecTopics } from '../../testing/consumer-spec-topics';
import type { DeliveryGuarantee } from './runner';

const workspace = path.resolve(__dirname, '../../../../..');
const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
const logger = createLogger({ service: 'crash-spec', level: 'silent' });
const TOTAL = 2_000;
let workerFailure: string | undefined;
const exited = new Set<ChildProcess>();

function recorded(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function waitUntil(
  predicate: () => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (workerFailure) throw new Error(workerFailure);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Consumers killed with SIGKILL mid-stream and restarted: nothing is lost; with exactly-once
 * delivery nothing is duplicated on the output topic either.
 */
describe('a consumer killed mid-stream', () => {
  let buildDir: string;
  let workDir: string;
  let kafka: Kafka;
  let names: TopicNames;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    if (brokers.length === 0)
      throw new Error('KAFKA_BROKERS must point at a running broker (npm test starts one)');
    workDir = mkdtempSync(path.join(tmpdir(), 'hum-crash-'));
    // Inside the workspace, so the built code resolves node_modules.
    buildDir = path.join(workspace, 'tmp', `build-crash-${randomUUID().slice(0, 8)}`);
    execFileSync(
      process.execPath,
      [path.join(workspace, 'tools/scripts/build.mjs'), '--out', buildDir],
      {
        stdio: 'pipe',
      },
    );
    kafka = createKafkaClient(defaultKafkaSettings({ brokers, clientId: 'crash-spec' }), logger);
  });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
    rmSync(buildDir, { recursive: true, force: true });
  });

  async function setup(): Promise<void> {
    names = new TopicNames(`t.crash.${randomUUID().slice(0, 8)}.`);
    await provisionConsumerSpecTopics(kafka, names);
    const producer = new EventProducer(kafka, { names, source: '/hum/spec', logger });
    await producer.connect();
    await producer.publish(
      Array.from({ length: TOTAL }, (_, n) => ({
        topic: TOPICS.findingsRaw,
        key: `key-${n % 97}`,
        data: { ...EXAMPLE_FINDING, title: `m-${n}` },
      })),
    );
    await producer.disconnect();
  }

  function startWorker(
    delivery: DeliveryGuarantee,
    group: string,
    record: string,
    crashOn?: string,
  ): ChildProcess {
    const child = spawn(
      process.execPath,
      [path.join(buildDir, 'libs/kafka/src/testing/consumer-worker.js')],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers.join(','),
          WORKER_TOPIC_PREFIX: names.prefix,
          WORKER_DELIVERY: delivery,
          WORKER_GROUP: group,
          WORKER_RECORD_FILE: record,
          WORKER_DELAY_MS: '1',
          ...(crashOn ? { WORKER_CRASH_ON: crashOn } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) workerFailure = `worker exited with code ${code}`;
      exited.add(child);
    });
    return child;
  }

  async function countOutputs(): Promise<{ total: number; distinct: number }> {
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false });
    const keys: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: names.of(TOPICS.ticketsEvents), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        keys.push(JSON.parse(message.value!.toString()).ticketKey as string);
      },
    });
    await waitUntil(() => keys.length >= TOTAL, `${TOTAL} output events`);
    // Linger so that duplicates, if any were committed, are read too.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await consumer.disconnect();
    return { total: keys.length, distinct: new Set(keys).size };
  }

  const expected = Array.from({ length: TOTAL }, (_, n) => `m-${n}`);

  function missing(record: string): string[] {
    const handled = new Set(recorded(record));
    return expected.filter((id) => !handled.has(id));
  }

  it.each<DeliveryGuarantee>(['at-least-once', 'exactly-once'])(
    'loses nothing when killed at a random moment (%s)',
    async (delivery) => {
      workerFailure = undefined;
      await setup();
      const group = `g-${randomUUID().slice(0, 8)}`;
      const record = path.join(workDir, `random-${delivery}.log`);
      const first = startWorker(delivery, group, record);
      await waitUntil(
        () => recorded(record).length >= 300,
        'the first worker to handle 300 messages',
      );
      first.kill('SIGKILL');
      expect(recorded(record).length).toBeLessThan(TOTAL);

      startWorker(delivery, group, record);
      await waitUntil(
        () => missing(record).length === 0,
        `all ${TOTAL} messages handled after the restart`,
      );
      expect(missing(record)).toEqual([]);
    },
    180_000,
  );

  it.each<[DeliveryGuarantee, 'duplicates' | 'exactly once']>([
    ['at-least-once', 'duplicates'],
    ['exactly-once', 'exactly once'],
  ])(
    'killed after publishing results but before committing the offset (%s): results appear %s',
    async (delivery, outcome) => {
      workerFailure = undefined;
      await setup();
      const group = `g-${randomUUID().slice(0, 8)}`;
      const record = path.join(workDir, `worst-${delivery}.log`);
      const first = startWorker(delivery, group, record, 'm-700');
      await waitUntil(() => exited.has(first), 'the worker to kill itself after publishing m-700');
      startWorker(delivery, group, record);
      await waitUntil(
        () => missing(record).length === 0,
        `all ${TOTAL} messages handled after the restart`,
      );
      const outputs = await countOutputs();
      expect(outputs.distinct).toBe(TOTAL);
      if (outcome === 'exactly once') expect(outputs.total).toBe(TOTAL);
      // The control: without transactions the same crash re-publishes the last chunk, which
      // shows this test can see duplicates when they happen.
      else expect(outputs.total).toBeGreaterThan(TOTAL);
    },
    180_000,
  );
});
