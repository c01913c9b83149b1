import type { Kafka } from 'kafkajs';
import { CompactedTopicFollower, type TopicNames } from '@hum/kafka';
import { TOPICS } from '@hum/contracts';
import type { Logger } from '@hum/observability';
import type { ApiKeyRecord } from '../api-key';
import type { ApiKeyStore } from '../api-key-verifier';

export interface KafkaApiKeyStoreOptions {
  kafka: Kafka;
  names: TopicNames;
  logger: Logger;
  /** Named in the consumer group, for operators reading group listings. */
  service: string;
  /** How long a lookup waits for the first full read of the topic. Default 10 s. */
  loadTimeoutMs?: number;
  /** Told when a key is used (the store keeps the latest use in memory too). */
  onUse?: (id: string, at: Date) => void;
}

/**
 * Pipeline API keys as policy-admin publishes them on the compacted `apikeys.state` topic: read
 * from the beginning at start, then followed, so a new key works and a revoked one stops
 * within a fetch, with no restart. Until the topic has been read to the end it saw at start,
 * lookups wait (bounded): a key must never be judged against a half-read topic.
 */
export class KafkaApiKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();
  private readonly lastUsed = new Map<string, Date>();
  private readonly follower: CompactedTopicFollower<typeof TOPICS.apiKeysState.schema>;

  constructor(private readonly options: KafkaApiKeyStoreOptions) {
    this.follower = new CompactedTopicFollower({
      ...options,
      topic: TOPICS.apiKeysState,
      apply: (records) => {
        for (const { key, data } of records) {
          if (data === null) {
            // A tombstone: the key is gone for good.
            this.records.delete(key);
            continue;
          }
          const held = this.records.get(data.id);
          if (held?.version !== undefined && held.version > data.version) continue;
          this.records.set(data.id, data);
        }
      },
    });
  }

  get loaded(): boolean {
    return this.follower.loaded;
  }

  /** Resolves once the topic has been read up to its end at start. */
  ready(): Promise<void> {
    return this.follower.ready();
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    await this.follower.waitUntilLoaded(this.options.loadTimeoutMs ?? 10_000);
    return this.records.get(id);
  }

  touch(id: string, at: Date): void {
    this.lastUsed.set(id, at);
    this.options.onUse?.(id, at);
  }

  lastUsedAt(id: string): Date | undefined {
    return this.lastUsed.get(id);
  }

  /** How many keys are held (revoked and expired ones included), for health details. */
  size(): number {
    return this.records.size;
  }
}
