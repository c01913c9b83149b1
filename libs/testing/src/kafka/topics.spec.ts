import { type Admin, ConfigResourceTypes } from 'kafkajs';
import { createTestKafka } from './brokers';
import { createTopics, deleteTopicsWithPrefix, TestTopics, uniqueTopicPrefix } from './topics';
import { waitFor } from './wait-for';

// Kafka's own rule (org.apache.kafka.common.internals.Topic): legal characters, 1..249 long.
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

describe('uniqueTopicPrefix', () => {
  it('builds t.<label>.<8 hex>. from the label', () => {
    expect(uniqueTopicPrefix('ingest')).toMatch(/^t\.ingest\.[0-9a-f]{8}\.$/);
  });

  it('replaces characters Kafka rejects, and `_`/`.` that collide in metrics', () => {
    const prefix = uniqueTopicPrefix('DLQ replay_spec / é.x');
    expect(prefix).toMatch(/^t\.DLQ-replay-spec-x\.[0-9a-f]{8}\.$/);
    expect(`${prefix}findings.raw`).toMatch(LEGAL_TOPIC);
  });

  it('falls back to "spec" for a label with nothing usable, and bounds the length', () => {
    expect(uniqueTopicPrefix('///')).toMatch(/^t\.spec\.[0-9a-f]{8}\.$/);
    expect(uniqueTopicPrefix('x'.repeat(500)).length).toBeLessThanOrEqual(2 + 40 + 10);
  });

  it('differs on every call', () => {
    const prefixes = new Set(Array.from({ length: 50 }, () => uniqueTopicPrefix('same')));
    expect(prefixes.size).toBe(50);
  });
});

describe('topic helpers on the broker', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = createTestKafka('topics-spec').admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it('TestTopics creates topics with partitions and config, and close() deletes them', async () => {
    const topics = await TestTopics.open('topics spec');
    const compacted = await topics.create('policy.state', {
      partitions: 6,
      config: { 'cleanup.policy': 'compact' },
    });
    const [raw] = await topics.createAll([{ name: 'findings.raw', partitions: 2 }]);
    expect(compacted).toBe(topics.name('policy.state'));
    expect(await topics.list()).toEqual([raw, compacted].sort());

    const metadata = await admin.fetchTopicMetadata({ topics: [compacted, raw!] });
    const partitions = Object.fromEntries(
      metadata.topics.map((t) => [t.name, t.partitions.length]),
    );
    expect(partitions).toEqual({ [compacted]: 6, [raw!]: 2 });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] },
      ],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    await topics.close();
    await waitFor(
      async () => (await admin.listTopics()).every((t) => !t.startsWith(topics.prefix)),
      { describe: `topics under ${topics.prefix} to be deleted` },
    );
  });

  it('deletes only the topics under the given prefix', async () => {
    const mine = uniqueTopicPrefix('mine');
    const theirs = uniqueTopicPrefix('theirs');
    await createTopics(admin, mine, [{ name: 'a' }, { name: 'b' }]);
    const [kept] = await createTopics(admin, theirs, [{ name: 'a' }]);

    expect(await deleteTopicsWithPrefix(admin, mine)).toEqual([`${mine}a`, `${mine}b`]);
    await waitFor(async () => (await admin.listTopics()).every((t) => !t.startsWith(mine)), {
      describe: `topics under ${mine} to be deleted`,
    });
    expect(await admin.listTopics()).toContain(kept);
    await deleteTopicsWithPrefix(admin, theirs);
  });

  it('creates topics back to back although the KRaft metadata cache lags the controller', async () => {
    // kafkajs's waitForLeaders failed on the second round here ("does not host this
    // topic-partition"); every round must come back with leaders for all partitions.
    const prefix = uniqueTopicPrefix('rounds');
    for (let round = 0; round < 4; round += 1) {
      const created = await createTopics(admin, `${prefix}${round}.`, [
        { name: 'raw', partitions: 6 },
        { name: 'raw.dlq' },
        { name: 'state', partitions: 3 },
      ]);
      const metadata = await admin.fetchTopicMetadata({ topics: created });
      expect(metadata.topics.flatMap((t) => t.partitions.map((p) => p.leader >= 0))).toEqual(
        Array.from({ length: 10 }, () => true),
      );
    }
    await deleteTopicsWithPrefix(admin, prefix);
  });

  it('refuses an empty prefix rather than deleting every topic', async () => {
    await expect(deleteTopicsWithPrefix(admin, '')).rejects.toThrow(/empty prefix/);
  });
});
