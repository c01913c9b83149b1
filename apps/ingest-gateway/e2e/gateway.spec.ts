import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateApiKey, type ApiKeyRecord } from '@hum/auth';
import { TOPICS } from '@hum/contracts';
import {
  buildWorkspace,
  readTopic,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  type ServiceProcess,
  type WorkspaceBuild,
} from '@hum/testing';

const corpus = path.resolve(__dirname, '../../../testdata/corpus');
const OPS_TOKEN = 'gateway-ops-token-0123456789';

function keyRecord(hash: string, id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    name: `key ${id}`,
    hash,
    permissions: ['scans:publish'],
    assets: ['shop-*'],
    teams: [],
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  format?: string;
  errors?: {
    pointer?: string;
    line?: number;
    column?: number;
    parameter?: string;
    detail: string;
  }[];
}

describe('ingest gateway (a real process on a real broker)', () => {
  let build: WorkspaceBuild;
  let gateway: ServiceProcess;
  let work: string;
  let prefix: string;
  const publisher = generateApiKey();
  const gateOnly = generateApiKey();
  const limited = generateApiKey();

  beforeAll(async () => {
    build = buildWorkspace('gateway');
    work = mkdtempSync(path.join(tmpdir(), 'hum-gateway-'));
    prefix = uniqueTopicPrefix('gateway');
    const keysFile = path.join(work, 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [
          keyRecord(publisher.hash, publisher.id),
          keyRecord(gateOnly.hash, gateOnly.id, { permissions: ['gate:read'] }),
          keyRecord(limited.hash, limited.id, { name: 'limited' }),
        ],
      }),
    );
    gateway = await startServiceProcess({
      entry: build.entry('apps/ingest-gateway/src/main.js'),
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HUM_OPS_TOKEN: OPS_TOKEN,
        HUM_INSTANCE_ID: 'gw-spec',
        PORT: '0',
        GATEWAY_API_KEYS_FILE: keysFile,
        GATEWAY_MAX_REPORT_BYTES: String(400 * 1024),
        GATEWAY_SPOOL_DIR: path.join(work, 'spool'),
        GATEWAY_RATE_BURST: '1000',
      },
      readyPattern: /"url":"(http:\/\/[^"]+)"/,
    });
  });

  afterAll(async () => {
    const exit = await gateway?.stop();
    expect(exit?.code).toBe(0);
    build?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  function post(
    query: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
    key: string | null = publisher.token,
  ): Promise<Response> {
    return fetch(`${gateway.ready}/v1/scans?${query}`, {
      method: 'POST',
      body,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    });
  }

  async function problem(response: Response): Promise<Problem> {
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return (await response.json()) as Problem;
  }

  const trivy = (): Buffer => readFileSync(path.join(corpus, 'trivy/scheme_2_many_vulns.json'));

  it('accepts a report (202 with counts) and publishes its findings and scan completion', async () => {
    const response = await post(
      'asset=shop-web&environment=prod&assetType=container-image',
      trivy(),
    );
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as {
      scanId: string;
      findings: number;
      format: string;
      severityCounts: Record<string, number>;
    };
    expect(accepted).toMatchObject({ format: 'trivy-json', findings: 5 });
    expect(Object.values(accepted.severityCounts).reduce((a, b) => a + b, 0)).toBe(5);
    const completed = await readTopic({
      topic: `${prefix}${TOPICS.scansCompleted.name}`,
      until: (all) => all.some((m) => JSON.parse(m.value!).scanId === accepted.scanId),
    });
    const event = completed
      .map((m) => JSON.parse(m.value!))
      .find((e) => e.scanId === accepted.scanId);
    expect(event).toMatchObject({
      findingCount: 5,
      source: 'gateway',
      asset: { id: 'shop-web', environment: 'prod' },
    });
  });

  it('accepts gzip-encoded and XML reports', async () => {
    const gz = await post('asset=shop-gzip', gzipSync(trivy()), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(202);
    const xml = await post(
      'asset=shop-zap',
      readFileSync(path.join(corpus, 'zap/some_2.9.0.xml')).toString(),
    );
    if (xml.status !== 202) throw new Error(JSON.stringify(await xml.json()));
    expect(((await xml.json()) as { format: string }).format).toBe('zap-xml');
  });

  it('requires a valid API key with the publish permission, scoped to the asset', async () => {
    expect((await problem(await post('asset=shop-web', trivy(), {}, null))).status).toBe(401);
    const forged = await post('asset=shop-web', trivy(), {}, generateApiKey().token);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('Bearer');
    expect(
      (await problem(await post('asset=shop-web', trivy(), {}, gateOnly.token))).detail,
    ).toContain('scans:publish');
    const outside = await problem(await post('asset=payments-api', trivy()));
    expect(outside).toMatchObject({
      status: 403,
      type: 'https://hum.dev/problems/asset-out-of-scope',
    });
  });

  it('names the bad parameters of the scan context', async () => {
    const body = await problem(await post('environment=production&format=nessus', trivy()));
    expect(body.status).toBe(400);
    expect(body.errors?.map((e) => e.parameter).sort()).toEqual(['asset', 'environment', 'format']);
  });

  it('rejects bad reports with what and where, and publishes nothing of them', async () => {
    const unknown = await problem(await post('asset=shop-bad-1', '{"hello":"world"}'));
    expect(unknown).toMatchObject({
      status: 422,
      format: 'unknown',
      type: 'https://hum.dev/problems/unknown-format',
    });
    expect(unknown.detail).toContain('not a recognised report format');

    const text = trivy().toString();
    const truncated = await problem(await post('asset=shop-bad-2', text.slice(0, text.length / 2)));
    expect(truncated).toMatchObject({ status: 422, format: 'trivy-json' });
    expect(truncated.errors?.[0]?.line).toBeGreaterThan(1);

    const wrongType = await problem(
      await post(
        'asset=shop-bad-3',
        JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', Results: 'none' }),
      ),
    );
    expect(wrongType).toMatchObject({ status: 422, format: 'trivy-json' });
    expect(wrongType.errors?.[0]?.pointer).toBe('/Results');

    const tooLarge = await problem(await post('asset=shop-bad-4', Buffer.alloc(500 * 1024, 0x20)));
    expect(tooLarge.status).toBe(413);
    const bomb = await problem(
      await post('asset=shop-bad-5', gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20)), {
        'content-encoding': 'gzip',
      }),
    );
    expect(bomb.status).toBe(413);
    expect(
      (await problem(await post('asset=shop-bad-6', 'x', { 'content-encoding': 'br' }))).status,
    ).toBe(415);
    expect((await problem(await post('asset=shop-bad-7', ''))).status).toBe(400);

    // Publish a marker scan after the rejections; when it is visible, any earlier commit would be too.
    const marker = await post('asset=shop-marker', trivy());
    expect(marker.status).toBe(202);
    const raw = await readTopic({
      topic: `${prefix}${TOPICS.findingsRaw.name}`,
      until: (all) => all.some((m) => JSON.parse(m.value!).asset.id === 'shop-marker'),
    });
    expect(raw.filter((m) => String(JSON.parse(m.value!).asset.id).startsWith('shop-bad'))).toEqual(
      [],
    );
  });

  it('serves its OpenAPI document at /docs to key holders only', async () => {
    expect((await fetch(`${gateway.ready}/docs`)).status).toBe(401);
    const docs = await fetch(`${gateway.ready}/docs`, {
      headers: { authorization: `Bearer ${gateOnly.token}` },
    });
    expect(docs.status).toBe(200);
    const document = (await docs.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(['/v1/scans']);
  });

  it('keeps secrets out of its logs', () => {
    expect(gateway.output()).not.toContain(publisher.token);
    expect(gateway.output()).not.toContain(OPS_TOKEN);
  });
});
