import { randomBytes } from 'node:crypto';
import { type Admin, type ITopicConfig } from 'kafkajs';
import { createTestKafka, testKafkaBrokers } from './brokers';
import { waitFor } from './wait-for';

const MAX_LABEL_LENGTH = 40;

/**
 * `t.<label>.<random>.`: a namespace no other spec shares, so suites run in parallel on one
 * broker. The label keeps letters, digits and `-` only: `.` separates segments, and Kafka
 * warns when `_` and `.` could make two topic names collide in its metrics.
 */
export function uniqueTopicPrefix(label: string): string {
  const cleaned = label
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LABEL_LENGTH);
  return `t.${cleaned === '' ? 'spec' : cleaned}.${randomBytes(4).toString('hex')}.`;
}

export interface TestTopicSpec {
  /** Appended to the prefix. */
  name: string;
  partitions?: number;
  config?: Record<string, string>;
}

/**
 * Polls metadata until every partition of `topics` has a leader. Needed after CreateTopics on
 * a KRaft broker: its metadata cache can lag the controller and answer "does not host this
 * topic-partition" for a moment, which kafkajs's own `waitForLeaders` treats as fatal.
 */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      return metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 &&
          topic.partitions.every((partition) => partition.leader >= 0),
      );
    },
    { timeoutMs, intervalMs: 50, describe: `partition leaders of ${topics.join(', ')}` },
  );
}

/** Creates the topics and waits until every partition has a leader; returns full names. */
export async function createTopics(
  admin: Admin,
  prefix: string,
  specs: readonly TestTopicSpec[],
): Promise<string[]> {
  const topics: ITopicConfig[] = specs.map((spec) => ({
    topic: `${prefix}${spec.name}`,
    numPartitions: spec.partitions ?? 1,
    replicationFactor: 1,
    configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
  }));
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((topic) => topic.topic);
  await waitForTopicLeaders(admin, names);
  return names;
}

export async function listTopicsWithPrefix(admin: Admin, prefix: string): Promise<string[]> {
  const all = await admin.listTopics();
  return all.filter((topic) => topic.startsWith(prefix)).sort();
}

/** Deletes every topic whose name starts with `prefix`; returns what it deleted. */
export async function deleteTopicsWithPrefix(admin: Admin, prefix: string): Promise<string[]> {
  if (prefix.length === 0) throw new Error('refusing to delete topics with an empty prefix');
  const topics = await listTopicsWithPrefix(admin, prefix);
  if (topics.length > 0) await admin.deleteTopics({ topics });
  return topics;
}

/**
 * A spec's own topic namespace on the shared broker: `beforeAll` opens it, `afterAll`
 * closes it, which deletes every topic created under it.
 */
export class TestTopics {
  private constructor(
    readonly prefix: string,
    readonly brokers: string[],
    private readonly admin: Admin,
  ) {}

  static async open(label: string, brokers: string[] = testKafkaBrokers()): Promise<TestTopics> {
    const admin = createTestKafka(`test-topics-${label}`, brokers).admin();
    await admin.connect();
    return new TestTopics(uniqueTopicPrefix(label), brokers, admin);
  }

  name(suffix: string): string {
    return `${this.prefix}${suffix}`;
  }

  /** Creates one topic (1 partition unless told) and returns its full name. */
  async create(name: string, options: Omit<TestTopicSpec, 'name'> = {}): Promise<string> {
    const [topic] = await createTopics(this.admin, this.prefix, [{ name, ...options }]);
    return topic!;
  }

  async createAll(specs: readonly TestTopicSpec[]): Promise<string[]> {
    return createTopics(this.admin, this.prefix, specs);
  }

  async list(): Promise<string[]> {
    return listTopicsWithPrefix(this.admin, this.prefix);
  }

  async deleteAll(): Promise<string[]> {
    return deleteTopicsWithPrefix(this.admin, this.prefix);
  }

  async close(): Promise<void> {
    try {
      await this.deleteAll();
    } finally {
      await this.admin.disconnect();
    }
  }
}
