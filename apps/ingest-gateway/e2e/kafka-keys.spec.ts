import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateApiKey } from '@hum/auth';
import { type ApiKeyStateV1, TOPICS } from '@hum/contracts';
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
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type ServiceProcess,
  type WorkspaceBuild,
} from '@hum/testing';

const corpus = path.resolve(__dirname, '../../../testdata/corpus');
const logger = createLogger({ service: 'gateway-keys-spec', level: 'silent' });

/**
 * Without GATEWAY_API_KEYS_FILE the gateway checks the keys policy-admin publishes on
 * `apikeys.state`: a key works once published and stops once revoked, with no restart.
 */
describe('ingest gateway with API keys followed on Kafka', () => {
  let build: WorkspaceBuild;
  let gateway: ServiceProcess;
  let producer: EventProducer;
  let names: TopicNames;
  let work: string;
  const key = generateApiKey();
  const later = generateApiKey();

  const record = (
    id: string,
    hash: string,
    overrides: Partial<ApiKeyStateV1> = {},
  ): ApiKeyStateV1 => ({
    id,
    name: `pipeline ${id}`,
    hash,
    permissions: ['scans:publish'],
    assets: ['keys-*'],
    teams: [],
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: 'alice',
    version: 1,
    ...overrides,
  });

  beforeAll(async () => {
    build = buildWorkspace('gateway-kafka-keys');
    work = mkdtempSync(path.join(tmpdir(), 'hum-gateway-keys-'));
    names = new TopicNames(uniqueTopicPrefix('gw-keys'));
    const kafka = createKafkaClient(
      defaultKafkaSettings({ brokers: testKafkaBrokers(), clientId: 'gateway-keys-spec' }),
      logger,
    );
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, names, [TOPICS.apiKeysState], {
      replicationFactor: 1,
      withDeadLetters: false,
    });
    await admin.disconnect();
    producer = new EventProducer(kafka, { names, source: '/hum/policy-admin', logger });
    await producer.connect();
    // Published before the gateway starts: it must read the topic to its end before answering.
    await producer.publish([
      { topic: TOPICS.apiKeysState, key: key.id, data: record(key.id, key.hash) },
    ]);
    gateway = await startServiceProcess({
      entry: build.entry('apps/ingest-gateway/src/main.js'),
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: names.prefix,
        HUM_OPS_TOKEN: 'gateway-keys-ops-token-0123456789',
        HUM_INSTANCE_ID: 'gw-keys',
        PORT: '0',
        GATEWAY_SPOOL_DIR: path.join(work, 'spool'),
      },
      readyPattern: /"url":"(http:\/\/[^"]+)"/,
    });
  });

  afterAll(async () => {
    const exit = await gateway?.stop();
    await producer?.disconnect();
    build?.remove();
    rmSync(work, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  const post = (token: string, asset = 'keys-web'): Promise<Response> =>
    fetch(`${gateway.ready}/v1/scans?asset=${asset}`, {
      method: 'POST',
      body: readFileSync(path.join(corpus, 'trivy/scheme_2_many_vulns.json')),
      headers: { authorization: `Bearer ${token}` },
    });

  it('accepts a key published before the start, within its asset scope only', async () => {
    expect((await post(key.token)).status).toBe(202);
    expect((await post(key.token, 'payments-api')).status).toBe(403);
    expect((await post(later.token)).status).toBe(401);
  });

  it('takes a new key and a revocation live, with no restart', async () => {
    await producer.publish([
      { topic: TOPICS.apiKeysState, key: later.id, data: record(later.id, later.hash) },
    ]);
    await waitFor(async () => (await post(later.token)).status === 202, {
      timeoutMs: 30_000,
      describe: 'the new key accepted',
    });
    await producer.publish([
      {
        topic: TOPICS.apiKeysState,
        key: later.id,
        data: record(later.id, later.hash, {
          revokedAt: '2026-11-27T10:00:00.000Z',
          revokedBy: 'bob',
          version: 2,
        }),
      },
    ]);
    await waitFor(async () => (await post(later.token)).status === 401, {
      timeoutMs: 30_000,
      describe: 'the revoked key refused',
    });
    expect((await post(key.token)).status).toBe(202);
  });

  it('reports the key store in its health', async () => {
    const health = await fetch(`${gateway.ready}/health`, {
      headers: { authorization: 'Bearer gateway-keys-ops-token-0123456789' },
    });
    expect(health.status).toBe(200);
    expect(JSON.stringify(await health.json())).toContain('api-keys');
  });
});
