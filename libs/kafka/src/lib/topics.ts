import type { Admin, ITopicConfig } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { sleep } from '@hum/common';
import { dlqTopicName, type TopicDefinition } from '@hum/contracts';

/** Maps logical topic names of the catalogue to physical names under a prefix. */
export class TopicNames {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9._-]*$/.test(prefix)) throw new Error(`invalid topic prefix "${prefix}"`);
  }

  of(topic: TopicDefinition | string): string {
    return `${this.prefix}${typeof topic === 'string' ? topic : topic.name}`;
  }

  dlqOf(topic: TopicDefinition | string): string {
    return dlqTopicName(this.of(topic));
  }

  /** The logical name of a physical topic, or undefined when it is not under this prefix. */
  logical(physical: string): string | undefined {
    return physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : undefined;
  }
}

export interface ProvisionOptions {
  replicationFactor: number;
  /** Also create `<topic>.dlq` for each topic (for topics this service consumes). */
  withDeadLetters: boolean;
}

export interface ProvisionReport {
  created: string[];
  existing: string[];
}

export class TopicProvisioningError extends Error {
  override readonly name = 'TopicProvisioningError';
}

async function waitForLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.topics.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      last = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new TopicProvisioningError(`topics not ready after ${timeoutMs} ms: ${last}`);
    await sleep(50);
  }
}

/**
 * kafkajs reports refused creations as "Topic creation errors" with the broker's answer per
 * topic inside; the start-up error must say which setting to fix (e.g. the replication factor).
 */
function brokerReasons(error: unknown): string {
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  const reasons = errors.map((e: { topic?: unknown; type?: unknown; message?: unknown }) =>
    [e.topic, e.type, e.message].filter((part) => typeof part === 'string').join(': '),
  );
  return ` (${reasons.join('; ')})`;
}

function topicConfig(
  name: string,
  topic: TopicDefinition,
  options: ProvisionOptions,
  dlq: boolean,
): ITopicConfig {
  const configEntries: { name: string; value: string }[] = [
    { name: 'cleanup.policy', value: topic.compacted && !dlq ? 'compact' : 'delete' },
  ];
  if (topic.retentionMs !== undefined && !topic.compacted) {
    configEntries.push({ name: 'retention.ms', value: String(topic.retentionMs) });
  }
  if (dlq) configEntries.push({ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) });
  return {
    topic: name,
    // Dead letters keep the source key, but their order hardly matters: one partition.
    numPartitions: dlq ? 1 : topic.partitions,
    replicationFactor: options.replicationFactor,
    configEntries,
  };
}

/**
 * Creates missing topics from the catalogue and checks existing ones: a compacted topic that
 * is not compacted (policy.state) would silently lose the policy, so that stops the start.
 */
export async function provisionTopics(
  admin: Admin,
  names: TopicNames,
  topics: readonly TopicDefinition[],
  options: ProvisionOptions,
): Promise<ProvisionReport> {
  const wanted: { config: ITopicConfig; definition: TopicDefinition; dlq: boolean }[] = [];
  for (const topic of topics) {
    wanted.push({
      config: topicConfig(names.of(topic), topic, options, false),
      definition: topic,
      dlq: false,
    });
    if (options.withDeadLetters) {
      wanted.push({
        config: topicConfig(names.dlqOf(topic), topic, options, true),
        definition: topic,
        dlq: true,
      });
    }
  }
  const existingNames = new Set(await admin.listTopics());
  const missing = wanted.filter((w) => !existingNames.has(w.config.topic));
  if (missing.length > 0) {
    try {
      // Not waitForLeaders: with kafkajs against Kafka 4 it fails intermittently ("This server
      // does not host this topic-partition"); we poll the metadata ourselves below.
      await admin.createTopics({ topics: missing.map((m) => m.config), waitForLeaders: false });
    } catch (error) {
      // Another replica may have created them a moment ago; re-list before failing.
      const now = new Set(await admin.listTopics());
      const stillMissing = missing.filter((m) => !now.has(m.config.topic));
      if (stillMissing.length > 0) {
        throw new TopicProvisioningError(
          `could not create topics ${stillMissing.map((m) => m.config.topic).join(', ')}${brokerReasons(error)}`,
          { cause: error },
        );
      }
    }
  }
  await waitForLeaders(
    admin,
    wanted.map((w) => w.config.topic),
  );
  const compacted = wanted
    .filter((w) => w.definition.compacted && !w.dlq)
    .map((w) => w.config.topic);
  if (compacted.length > 0) {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: compacted.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['cleanup.policy'],
      })),
    });
    for (const resource of described.resources) {
      const policy =
        resource.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? '';
      if (!policy.split(',').includes('compact')) {
        throw new TopicProvisioningError(
          `topic ${resource.resourceName} must be compacted (cleanup.policy=compact), found "${policy}"`,
        );
      }
    }
  }
  const createdNames = new Set(missing.map((m) => m.config.topic));
  return {
    created: wanted.filter((w) => createdNames.has(w.config.topic)).map((w) => w.config.topic),
    existing: wanted.filter((w) => !createdNames.has(w.config.topic)).map((w) => w.config.topic),
  };
}
