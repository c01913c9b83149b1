import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import axios, { type AxiosResponse } from 'axios';
import { Registry } from 'prom-client';
import { auditMigrations } from '@hum/audit';
import { systemClock } from '@hum/common';
import { type ClassifiedFindingV1, EXAMPLE_CLASSIFIED, TOPICS } from '@hum/contracts';
import { consumerLedgerMigrations } from '@hum/kafka';
import { createLogger } from '@hum/observability';
import { PatcherRegistry, signWebhook } from '@hum/patching';
import { defaultPolicySnapshot, type PolicySnapshot } from '@hum/policy';
import { ProblemDetailsFilter } from '@hum/runtime';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@hum/testing';
import { loadPatcherConfig, type PatcherConfig } from '../config';
import { decideClassified } from '../decisions/decide-batch';
import type { OutboxRelay } from '../execution/outbox-relay';
import { PatchExecutor } from '../execution/patch-executor';
import { PatcherMetrics } from '../patcher-metrics';
import { PauseHandoverService } from '../policy/pause-handover.service';
import type { PolicyState } from '../policy/policy-state';
import { type PatcherDatabase, patcherMigrations } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_CONFIG } from '../tokens';
import { WebhookResultsController } from './webhook-results.controller';

const logger = createLogger({ service: 'webhook-results-spec', level: 'silent' });
const SECRETS = { executor: 'executor-secret-0123456789', other: 'other-secret-0123456789' };

/** The low tier on: the decision that queues the attempt the executor reports on. */
const lowOn = (): PolicySnapshot => {
  const base = defaultPolicySnapshot();
  return {
    ...base,
    loaded: true,
    tiers: { ...base.tiers, low: { ...base.tiers.low, mode: 'on' } },
  };
};

/** Never bootstrapped: the controller only reads and writes the attempt ledger through it. */
const unusedRelay = { flush: () => Promise.resolve() } as unknown as OutboxRelay;
const unusedPolicy = { snapshot: lowOn, onChange: () => () => undefined } as unknown as PolicyState;

describe('POST /v1/patch-results/webhook/:host (real Nest app over HTTP, real PostgreSQL)', () => {
  let test: MigratedTestDatabase<PatcherDatabase>;
  let dir: string;
  let config: PatcherConfig;
  let app: INestApplication;
  let base: string;
  let attemptKey: string;

  beforeAll(async () => {
    test = await createMigratedTestDatabase<PatcherDatabase>('patcher-webhook-results', {
      ...consumerLedgerMigrations,
      ...auditMigrations,
      ...patcherMigrations,
    });
    dir = mkdtempSync(path.join(tmpdir(), 'webhook-results-spec-'));
    writeFileSync(
      path.join(dir, 'patcher.yaml'),
      `version: 1
webhook:
  - name: executor
    url: https://executor.example.test/v1/patches
    secret: SPEC_EXECUTOR_SECRET
    result: callback
  - name: other
    url: https://other.example.test/v1/patches
    secret: SPEC_OTHER_SECRET
    result: callback
rules:
  - when: { assetTypes: [container-image] }
    use: webhook
    target: executor
`,
    );
    config = loadPatcherConfig({
      KAFKA_BROKERS: '127.0.0.1:9',
      HUM_OPS_TOKEN: 'ops-token-0123456789',
      PATCHER_OPERATOR_TOKEN: 'operator-token-0123456789',
      PATCHER_PUBLIC_URL: 'http://127.0.0.1:8083',
      PATCHER_CONFIG_FILE: path.join(dir, 'patcher.yaml'),
      SPEC_EXECUTOR_SECRET: SECRETS.executor,
      SPEC_OTHER_SECRET: SECRETS.other,
    });

    // One attempt sent to the `executor` host, decided as the consumer would.
    const finding: ClassifiedFindingV1 = {
      ...EXAMPLE_CLASSIFIED,
      finding: {
        ...EXAMPLE_CLASSIFIED.finding,
        fingerprint: createHash('sha256').update('webhook-results').digest('hex'),
        asset: { id: 'registry.example.test/payments/api', type: 'container-image', team: 'pay' },
        component: {
          name: 'openssl',
          version: '3.0.13',
          ecosystem: 'apk',
          fixedVersions: ['3.0.14'],
        },
      },
      classification: { ...EXAMPLE_CLASSIFIED.classification, tier: 'low' },
    };
    const decided = await test.database.db.transaction().execute((trx) =>
      decideClassified(
        trx,
        [
          {
            key: finding.finding.fingerprint,
            data: finding,
            metadata: {
              id: 'e1',
              source: '/spec',
              type: TOPICS.findingsClassified.eventType,
              time: new Date().toISOString(),
            },
            partition: 0,
            offset: '1',
          },
        ],
        { policy: lowOn, patching: config.patching, fixOptions: {} },
        new Date(),
      ),
    );
    expect(decided.stats.queued).toBe(1);
    attemptKey = `${finding.finding.fingerprint}:3.0.14`;

    const metrics = new PatcherMetrics(new Registry());
    const executor = new PatchExecutor(
      test.database.db,
      config,
      systemClock,
      logger,
      new PatcherRegistry({ config: config.patching, credentials: config.credentials }),
      unusedPolicy,
      unusedRelay,
      metrics,
      new PauseHandoverService(
        test.database.db,
        systemClock,
        logger,
        unusedPolicy,
        unusedRelay,
        metrics,
      ),
    );
    const moduleRef = await Test.createTestingModule({
      controllers: [WebhookResultsController],
      providers: [
        { provide: PATCHER_CONFIG, useValue: config },
        { provide: PATCHER_CLOCK, useValue: systemClock },
        { provide: PatchExecutor, useValue: executor },
      ],
    }).compile();
    // As main.ts runs it: no body parser (the signature covers the exact bytes), problem+json.
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    app.useGlobalFilters(new ProblemDetailsFilter(logger));
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await test.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const result = (overrides: Record<string, unknown> = {}): string =>
    JSON.stringify({
      attemptKey,
      status: 'succeeded',
      url: 'https://executor.example.test/runs/7',
      ...overrides,
    });

  /** POSTs `body` to a host's endpoint, signed with `secret` at `at` (seconds) unless told. */
  const send = (
    host: string,
    body: string,
    sign: { secret?: string; at?: number } | 'unsigned' = {},
  ): Promise<AxiosResponse> => {
    const at = sign === 'unsigned' ? 0 : (sign.at ?? Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (sign !== 'unsigned') {
      headers['x-hum-timestamp'] = String(at);
      headers['x-hum-signature'] = signWebhook(sign.secret ?? SECRETS.executor, at, body);
    }
    return axios.post(`${base}/v1/patch-results/webhook/${host}`, body, {
      headers,
      validateStatus: () => true,
      transformRequest: (data: string) => data,
    });
  };

  const stored = () =>
    test.database.db
      .selectFrom('webhook_results')
      .selectAll()
      .where('attempt_key', '=', attemptKey)
      .execute();

  const signatureRequired = {
    type: 'https://hum.dev/problems/signature-required',
    status: 401,
    title: 'Unauthorized',
    detail: 'a valid x-hum-signature over the body and a fresh x-hum-timestamp are required',
    instance: '/v1/patch-results/webhook/executor',
  };

  it('refuses an unsigned result', async () => {
    const answer = await send('executor', result(), 'unsigned');
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.data).toEqual(signatureRequired);
    expect(await stored()).toEqual([]);
  });

  it('refuses a result signed with another secret, or whose body was changed after signing', async () => {
    expect((await send('executor', result(), { secret: SECRETS.other })).data).toEqual(
      signatureRequired,
    );
    const signedBody = result();
    const at = Math.floor(Date.now() / 1000);
    const tampered = await axios.post(
      `${base}/v1/patch-results/webhook/executor`,
      result({ status: 'failed' }),
      {
        headers: {
          'content-type': 'application/json',
          'x-hum-timestamp': String(at),
          'x-hum-signature': signWebhook(SECRETS.executor, at, signedBody),
        },
        validateStatus: () => true,
        transformRequest: (data: string) => data,
      },
    );
    expect([tampered.status, tampered.data.type]).toEqual([401, signatureRequired.type]);
    expect(await stored()).toEqual([]);
  });

  it('refuses a stale result (timestamp more than 5 minutes off), however well signed', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const at of [now - 301, now + 301]) {
      const answer = await send('executor', result(), { at });
      expect([answer.status, answer.data.type]).toEqual([401, signatureRequired.type]);
    }
    expect(await stored()).toEqual([]);
  });

  it('answers an unknown host exactly as a bad signature, so probing learns nothing', async () => {
    const answer = await send('nobody', result());
    expect(answer.status).toBe(401);
    expect(answer.data).toEqual({
      ...signatureRequired,
      instance: '/v1/patch-results/webhook/nobody',
    });
  });

  it('refuses a result for an attempt sent to another host, or to no host', async () => {
    const other = await send('other', result(), { secret: SECRETS.other });
    expect(other.status).toBe(404);
    expect(other.data).toMatchObject({
      type: 'https://hum.dev/problems/unknown-attempt',
      detail: `no patch attempt ${attemptKey} was sent to other`,
    });
    const unknown = await send('executor', result({ attemptKey: 'f'.repeat(64) + ':1.0.0' }));
    expect([unknown.status, unknown.data.type]).toEqual([
      404,
      'https://hum.dev/problems/unknown-attempt',
    ]);
    expect(await stored()).toEqual([]);
  });

  it('refuses a signed body that is not an executor result, saying where', async () => {
    const answer = await send('executor', result({ status: 'done', extra: 1 }));
    expect(answer.status).toBe(422);
    expect(answer.data).toMatchObject({
      type: 'https://hum.dev/problems/invalid-result',
      errors: expect.arrayContaining([
        expect.objectContaining({ pointer: '/status' }),
        expect.objectContaining({ pointer: '/' }),
      ]),
    });
    const notJson = await send('executor', '{"attemptKey":');
    expect([notJson.status, notJson.data.type]).toEqual([
      400,
      'https://hum.dev/problems/invalid-json',
    ]);
  });

  it('accepts a signed result over its exact bytes, records the first, and ignores progress reports', async () => {
    const running = await send('executor', result({ status: 'running' }));
    expect([running.status, running.data]).toEqual([202, { attemptKey, recorded: false }]);
    expect(await stored()).toEqual([]);

    // Pretty-printed: what is verified is the bytes sent, not a re-serialisation.
    const body = JSON.stringify(JSON.parse(result({ detail: 'deployed to 3 hosts' })), null, 2);
    const accepted = await send('executor', body);
    expect([accepted.status, accepted.data]).toEqual([202, { attemptKey, recorded: true }]);
    expect(await stored()).toEqual([
      expect.objectContaining({
        attempt_key: attemptKey,
        status: 'succeeded',
        url: 'https://executor.example.test/runs/7',
        detail: 'deployed to 3 hosts',
      }),
    ]);
    // A redelivery (the executor retries callbacks) changes nothing: the first result wins.
    const again = await send('executor', result({ status: 'failed' }));
    expect([again.status, again.data]).toEqual([202, { attemptKey, recorded: false }]);
    expect((await stored())[0]).toMatchObject({ status: 'succeeded' });
  });
});
