import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { auditMigrations } from '@hum/audit';
import { type PolicyStateV1, TOPICS } from '@hum/contracts';
import { createKafkaClient, defaultKafkaSettings, provisionTopics, TopicNames } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { createDatabase, type Database } from '@hum/persistence';
import { defaultTierPolicy } from '@hum/policy';
import {
  createTestDatabase,
  readTopic,
  testKafkaBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@hum/testing';
import { type AdminDatabase, adminMigrations } from '../database/schema';
import { enqueueEvents } from './outbox';
import { OutboxRelay } from './outbox-relay';

const logger = createLogger({ service: 'outbox-spec', level: 'silent' });

function record(version: number): PolicyStateV1 {
  return {
    ...defaultTierPolicy('low'),
    mode: version % 2 === 0 ? 'off' : 'on',
    version,
    decidedBy: ['spec'],
  };
}

describe('the outbox relay (real PostgreSQL, real broker)', () => {
  let test: TestDatabase;
  let database: Database<AdminDatabase>;
  let kafka: Kafka;
  let names: TopicNames;
  const epoch = randomUUID();
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    test = await createTestDatabase('outbox');
    database = await createDatabase<AdminDatabase>({ url: test.url, schema: test.schema });
    await database.migrate({ ...auditMigrations, ...adminMigrations });
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'outbox-spec' }),
      logger,
    );
    names = new TopicNames(uniqueTopicPrefix('outbox'));
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, names, [TOPICS.policyState], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
    await admin.disconnect();
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await database.close();
    await test.cleanup();
  });

  const relay = (): OutboxRelay => {
    const r = new OutboxRelay({ kafka, names, db: database.db, logger, epoch, pollMs: 200 });
    relays.push(r);
    r.start();
    return r;
  };

  const enqueue = (versions: number[]): Promise<bigint> =>
    database.db.transaction().execute((trx) =>
      enqueueEvents(
        trx,
        versions.map((v) => ({ topic: TOPICS.policyState, key: 'tier:low', data: record(v) })),
      ),
    );

  const published = async (count: number): Promise<number[]> => {
    const messages = await readTopic({
      topic: names.of(TOPICS.policyState),
      count,
      timeoutMs: 20_000,
    });
    return messages.map((m) => (JSON.parse(m.value!) as PolicyStateV1).version);
  };

  it('publishes in sequence order, and a restart after a lost database mark sends nothing twice', async () => {
    const first = relay();
    const seq = await enqueue([1, 2, 3]);
    expect(await first.whenPublished(seq, 20_000)).toBe(true);
    expect(await published(3)).toEqual([1, 2, 3]);
    await first.stop();

    // The crash window: Kafka committed the batch, the database never recorded it.
    await database.db.updateTable('outbox').set({ published_at: null }).execute();
    const second = relay();
    const next = await enqueue([4]);
    expect(await second.whenPublished(next, 20_000)).toBe(true);
    expect(await published(4)).toEqual([1, 2, 3, 4]);
    const unpublished = await database.db
      .selectFrom('outbox')
      .select('seq')
      .where('published_at', 'is', null)
      .execute();
    expect(unpublished).toEqual([]);
    // Nothing more arrives: the replayed rows were recognised as sent.
    await expect(
      readTopic({ topic: names.of(TOPICS.policyState), count: 5, timeoutMs: 3_000 }),
    ).rejects.toThrow(/saw 4/);
  });

  it('keeps exactly-once order with two relays racing over one outbox', async () => {
    const a = relay();
    const b = relay();
    const versions = Array.from({ length: 30 }, (_, i) => 5 + i);
    let last = 0n;
    // Concurrent writers: sequence numbers still commit in order.
    const seqs = await Promise.all(versions.map((v) => enqueue([v])));
    for (const s of seqs) if (s > last) last = s;
    a.wake();
    b.wake();
    await Promise.all([a.whenPublished(last, 30_000), b.whenPublished(last, 30_000)]);
    const all = await published(4 + versions.length);
    expect(all.slice(4).sort((x, y) => x - y)).toEqual(versions);
    expect(new Set(all).size).toBe(all.length);
    // The order on the topic is the outbox's sequence order.
    const bySeq = await database.db
      .selectFrom('outbox')
      .select(['seq', 'event'])
      .orderBy('seq')
      .execute();
    expect(all).toEqual(bySeq.map((r) => (r.event.data as PolicyStateV1).version));
  });
});
