import type { Kafka } from 'kafkajs';
import { ManualClock } from '@hum/common';
import { type ApiKeyStateV1, TOPICS } from '@hum/contracts';
import {
  createKafkaClient,
  defaultKafkaSettings,
  EventProducer,
  provisionTopics,
  TopicNames,
} from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { testKafkaBrokers, uniqueTopicPrefix, waitFor } from '@hum/testing';
import { generateApiKey } from '../api-key';
import { verifyApiKey } from '../api-key-verifier';
import { KafkaApiKeyStore } from './kafka-api-key-store';

const logger = createLogger({ service: 'apikeys-spec', level: 'silent' });

describe('KafkaApiKeyStore (real broker)', () => {
  let kafka: Kafka;
  let names: TopicNames;
  let producer: EventProducer;
  const stores: KafkaApiKeyStore[] = [];
  const clock = new ManualClock('2026-05-01T00:00:00Z');

  beforeEach(async () => {
    kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'apikeys-spec' }),
      logger,
    );
    names = new TopicNames(uniqueTopicPrefix('apikeys'));
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, names, [TOPICS.apiKeysState], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
    await admin.disconnect();
    producer = new EventProducer(kafka, { names, source: '/hum/spec', logger });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.stop()));
    // Undefined when beforeEach failed: that failure is the one to read.
    await producer?.disconnect();
  });

  const record = (
    id: string,
    hash: string,
    overrides: Partial<ApiKeyStateV1> = {},
  ): ApiKeyStateV1 => ({
    id,
    name: 'payments pipeline',
    hash,
    permissions: ['scans:publish'],
    assets: ['payments-*'],
    teams: [],
    createdAt: '2026-04-01T00:00:00.000Z',
    createdBy: 'alice',
    version: 1,
    ...overrides,
  });
  const publish = (state: ApiKeyStateV1): Promise<void> =>
    producer.publish([{ topic: TOPICS.apiKeysState, key: state.id, data: state }]);

  async function follow(onUse?: (id: string) => void): Promise<KafkaApiKeyStore> {
    const store = new KafkaApiKeyStore({
      kafka,
      names,
      logger,
      service: 'spec',
      ...(onUse ? { onUse } : {}),
    });
    stores.push(store);
    await store.start();
    return store;
  }

  it('verifies keys published before it started, and revocations after, with no restart', async () => {
    const key = generateApiKey();
    await publish(record(key.id, key.hash));
    const uses: string[] = [];
    const store = await follow((id) => uses.push(id));
    await store.ready();
    expect(await verifyApiKey(key.token, store, clock)).toMatchObject({
      ok: true,
      principal: { keyId: key.id, assets: ['payments-*'] },
    });
    expect(store.lastUsedAt(key.id)).toEqual(clock.now());
    expect(uses).toEqual([key.id]);
    await publish(
      record(key.id, key.hash, {
        revokedAt: '2026-04-30T00:00:00.000Z',
        revokedBy: 'bob',
        version: 2,
      }),
    );
    await waitFor(async () => (await verifyApiKey(key.token, store, clock)).ok === false, {
      describe: 'the revocation to apply',
    });
    expect(await verifyApiKey(key.token, store, clock)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('makes lookups wait for the first full read instead of answering from a half-read topic', async () => {
    const key = generateApiKey();
    await publish(record(key.id, key.hash));
    const store = new KafkaApiKeyStore({ kafka, names, logger, service: 'spec' });
    stores.push(store);
    const lookup = store.get(key.id);
    expect(store.loaded).toBe(false);
    await store.start();
    expect((await lookup)?.id).toBe(key.id);
  });

  it('ignores an older version arriving late, and a record that breaks the contract', async () => {
    const key = generateApiKey();
    const store = await follow();
    await store.ready();
    await publish(record(key.id, key.hash, { version: 3, revokedAt: '2026-04-30T00:00:00.000Z' }));
    await publish(record(key.id, key.hash, { version: 2 }));
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({
      topic: names.of(TOPICS.apiKeysState),
      messages: [{ key: 'zzzzzzzzzzzz', value: '{"id":"zzzzzzzzzzzz"}' }],
    });
    await raw.disconnect();
    const other = generateApiKey();
    await publish(record(other.id, other.hash));
    await waitFor(async () => (await store.get(other.id)) !== undefined, {
      describe: 'the last key',
    });
    expect((await store.get(key.id))?.version).toBe(3);
    expect(await store.get('zzzzzzzzzzzz')).toBeUndefined();
  });
});
