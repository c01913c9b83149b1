import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FindingV1, ScanCompletedV1, TOPICS } from '@hum/contracts';
import {
  buildWorkspace,
  createTestKafka,
  deleteTopicsWithPrefix,
  readTopic,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  type ServiceProcess,
  type TopicMessage,
  type WorkspaceBuild,
} from '@hum/testing';
import { jsonLines, runBuiltCli, type CliRun } from './built-cli';

const corpus = path.resolve(__dirname, '../../../testdata/corpus');
const trivyReport = path.join(corpus, 'trivy/scheme_2_many_vulns.json');
const OPS_TOKEN = 'cli-spec-ops-token-0123456789';
const GATEWAY_LIMIT_BYTES = 400 * 1024;

interface Receipt {
  scanId: string;
  format: string;
  findings: number;
  severityCounts: Record<string, number>;
  via: string;
}

function values(messages: readonly TopicMessage[]): Record<string, unknown>[] {
  return messages.map((m) => JSON.parse(m.value!) as Record<string, unknown>);
}

function secretOf(token: string): string {
  const secret = /^hum_[a-z0-9]{12}_(.+)$/.exec(token)?.[1];
  if (secret === undefined) throw new Error('not a hum API key');
  return secret;
}

function assetOf(message: TopicMessage): string {
  return (JSON.parse(message.value!) as { asset: { id: string } }).asset.id;
}

describe('hum publish (the built CLI, a real broker, a real gateway)', () => {
  let build: WorkspaceBuild;
  let work: string;
  let hum: string;
  let prefix: string;
  let brokers: string;

  const cli = (args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runBuiltCli(hum, args, { env });

  beforeAll(() => {
    build = buildWorkspace('cli-publish');
    hum = build.entry('apps/cli/src/main.js');
    work = mkdtempSync(path.join(tmpdir(), 'hum-cli-publish-'));
    prefix = uniqueTopicPrefix('cli-publish');
    brokers = testKafkaBrokers().join(',');
  });

  afterAll(async () => {
    const admin = createTestKafka('cli-publish-cleanup').admin();
    await admin.connect();
    await deleteTopicsWithPrefix(admin, prefix);
    await admin.disconnect();
    build?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  describe('--brokers (straight to Kafka, one transaction)', () => {
    it('publishes every finding to findings.raw and the scan to scans.completed', async () => {
      const run = await cli([
        'publish',
        trivyReport,
        '--asset',
        'shop-cli',
        '--env',
        'prod',
        '--asset-type',
        'container-image',
        '--commit',
        'a1b2c3d4e5f6',
        '--brokers',
        brokers,
        '--topic-prefix',
        prefix,
        '--json',
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const receipt = JSON.parse(run.stdout) as Receipt;
      expect(receipt).toMatchObject({ format: 'trivy-json', findings: 5, via: 'kafka' });

      const raw = await readTopic({
        topic: `${prefix}${TOPICS.findingsRaw.name}`,
        until: (all) => values(all).filter((f) => f['scanId'] === receipt.scanId).length >= 5,
      });
      const findings = values(raw).filter((f) => f['scanId'] === receipt.scanId);
      expect(findings).toHaveLength(5);
      for (const finding of findings) {
        const checked = FindingV1.safeParse(finding);
        expect(checked.error?.issues).toBeUndefined();
        expect(checked.data?.asset).toMatchObject({
          id: 'shop-cli',
          environment: 'prod',
          type: 'container-image',
          commit: 'a1b2c3d4e5f6',
        });
      }
      expect(
        new Set(raw.filter((m) => m.value!.includes(receipt.scanId)).map((m) => m.key)),
      ).toEqual(new Set(findings.map((f) => f['fingerprint'])));

      const completed = await readTopic({
        topic: `${prefix}${TOPICS.scansCompleted.name}`,
        until: (all) => values(all).some((e) => e['scanId'] === receipt.scanId),
      });
      const event = values(completed).find((e) => e['scanId'] === receipt.scanId);
      expect(ScanCompletedV1.safeParse(event).success).toBe(true);
      expect(event).toMatchObject({
        findingCount: 5,
        source: 'cli',
        scope: { assetId: 'shop-cli' },
      });
    });

    it('publishes nothing of an invalid report and exits 65', async () => {
      const broken = path.join(work, 'broken-trivy.json');
      const text = readFileSync(trivyReport, 'utf8');
      writeFileSync(broken, text.slice(0, Math.floor(text.length * 0.8)));
      const run = await cli([
        'publish',
        broken,
        '--asset',
        'shop-broken',
        '--brokers',
        brokers,
        '--topic-prefix',
        prefix,
      ]);
      expect(run.code).toBe(65);
      expect(run.stderr).toMatch(/^hum publish: trivy-json .*line \d+/);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);

      // A marker scan published after the rejection: once it is visible, an earlier commit would be.
      const marker = await cli([
        'publish',
        trivyReport,
        '--asset',
        'shop-marker',
        '--brokers',
        brokers,
        '--topic-prefix',
        prefix,
      ]);
      expect(marker.code).toBe(0);
      const raw = await readTopic({
        topic: `${prefix}${TOPICS.findingsRaw.name}`,
        until: (all) => all.some((m) => assetOf(m) === 'shop-marker'),
      });
      expect(raw.filter((m) => assetOf(m) === 'shop-broken')).toEqual([]);
    });

    it('exits 69 when Kafka is unreachable', async () => {
      const run = await cli(
        ['publish', trivyReport, '--asset', 'shop-cli', '--brokers', '127.0.0.1:1'],
        {
          KAFKA_STARTUP_ATTEMPTS: '1',
        },
      );
      expect(run.code).toBe(69);
      expect(run.stderr).toContain('Kafka unreachable at 127.0.0.1:1');
    });
  });

  describe('--gateway (a running ingest gateway, with keys made by hum keys create)', () => {
    let gateway: ServiceProcess;
    let keysFile: string;
    let token: string;
    let revokedToken: string;
    let tokenFile: string;

    async function createKey(name: string, assets: string): Promise<string> {
      const run = await cli([
        'keys',
        'create',
        '--name',
        name,
        '--assets',
        assets,
        '--file',
        keysFile,
      ]);
      expect(run.code).toBe(0);
      return run.stdout.trim();
    }

    beforeAll(async () => {
      keysFile = path.join(work, 'keys.yaml');
      token = await createKey('shop CI', 'shop-*');
      revokedToken = await createKey('old CI', 'shop-*');
      const revokedId = revokedToken.split('_')[1]!;
      expect((await cli(['keys', 'revoke', revokedId, '--file', keysFile])).code).toBe(0);
      tokenFile = path.join(work, 'token');
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
      gateway = await startServiceProcess({
        entry: build.entry('apps/ingest-gateway/src/main.js'),
        env: {
          KAFKA_BROKERS: brokers,
          KAFKA_TOPIC_PREFIX: prefix,
          HUM_OPS_TOKEN: OPS_TOKEN,
          HUM_INSTANCE_ID: 'cli-spec',
          PORT: '0',
          GATEWAY_API_KEYS_FILE: keysFile,
          GATEWAY_MAX_REPORT_BYTES: String(GATEWAY_LIMIT_BYTES),
          GATEWAY_SPOOL_DIR: path.join(work, 'spool'),
          GATEWAY_RATE_BURST: '1000',
        },
        readyPattern: /"url":"(http:\/\/[^"]+)"/,
      });
    });

    afterAll(async () => {
      const exit = await gateway?.stop();
      expect(exit?.code).toBe(0);
    });

    it('uploads the report gzipped and prints the gateway receipt (202), quietly in CI', async () => {
      const run = await cli(
        [
          'publish',
          trivyReport,
          '--asset',
          'shop-gw',
          '--env',
          'staging',
          '--gateway',
          gateway.ready,
        ],
        {
          HUM_API_KEY: token,
        },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^published scan [0-9a-f-]{36} via http:\/\/127\.0\.0\.1:\d+: 5 findings from trivy-json \(critical 1, high 1, medium 3, low 0\)\n$/,
      );
      const scanId = /scan ([0-9a-f-]{36})/.exec(run.stdout)![1];
      const completed = await readTopic({
        topic: `${prefix}${TOPICS.scansCompleted.name}`,
        until: (all) => values(all).some((e) => e['scanId'] === scanId),
      });
      expect(values(completed).find((e) => e['scanId'] === scanId)).toMatchObject({
        findingCount: 5,
        source: 'gateway',
        asset: { id: 'shop-gw', environment: 'staging' },
      });
    });

    it('takes the key from --api-key-file, sends a gzipped file as it is, and prints JSON', async () => {
      const gz = path.join(work, 'trivy.json.gz');
      writeFileSync(gz, gzipSync(readFileSync(trivyReport)));
      const run = await cli([
        'publish',
        gz,
        '--asset',
        'shop-gz',
        '--gateway',
        gateway.ready,
        '--api-key-file',
        tokenFile,
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        format: 'trivy-json',
        findings: 5,
        via: 'gateway',
      });
    });

    it('exits 65 on 422 with the problem detail and location, and publishes nothing', async () => {
      const bad = path.join(work, 'bad-trivy.json');
      writeFileSync(bad, JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', Results: 'none' }));
      const run = await cli(
        ['publish', bad, '--asset', 'shop-gw-bad', '--gateway', gateway.ready, '--json'],
        {
          HUM_API_KEY: token,
        },
      );
      expect(run.code).toBe(65);
      expect(run.stderr.split('\n')[0]).toBe(
        'hum publish: gateway answered 422 Invalid report: trivy-json at /Results (line 1, column 49): expected array or null, found string',
      );
      const answer = jsonLines(run.stdout)[0] as {
        error: { status: number; problem: { errors: { pointer: string }[] } };
      };
      expect(answer.error.status).toBe(422);
      expect(answer.error.problem.errors[0]?.pointer).toBe('/Results');

      const marker = await cli(
        ['publish', trivyReport, '--asset', 'shop-gw-marker', '--gateway', gateway.ready],
        {
          HUM_API_KEY: token,
        },
      );
      expect(marker.code).toBe(0);
      const raw = await readTopic({
        topic: `${prefix}${TOPICS.findingsRaw.name}`,
        until: (all) => all.some((m) => assetOf(m) === 'shop-gw-marker'),
      });
      expect(raw.filter((m) => assetOf(m) === 'shop-gw-bad')).toEqual([]);
    });

    it('exits 65 when the report is over the gateway limit (413), ending the upload early', async () => {
      const big = path.join(work, 'big.json');
      writeFileSync(big, Buffer.alloc(GATEWAY_LIMIT_BYTES * 3, 0x20));
      const run = await cli(['publish', big, '--asset', 'shop-big', '--gateway', gateway.ready], {
        HUM_API_KEY: token,
      });
      expect(run.code).toBe(65);
      expect(run.stderr).toContain('gateway answered 413');
    });

    it('exits 77 for a revoked, forged or out-of-scope key, and never prints the key', async () => {
      const revoked = await cli(
        ['publish', trivyReport, '--asset', 'shop-gw', '--gateway', gateway.ready],
        {
          HUM_API_KEY: revokedToken,
        },
      );
      expect(revoked.code).toBe(77);
      expect(revoked.stderr).toContain('gateway answered 401');

      const forged = `${token.slice(0, -4)}AAAA`;
      const wrong = await cli(
        ['publish', trivyReport, '--asset', 'shop-gw', '--gateway', gateway.ready],
        {
          HUM_API_KEY: forged,
        },
      );
      expect(wrong.code).toBe(77);

      const outside = await cli(
        ['publish', trivyReport, '--asset', 'payments-api', '--gateway', gateway.ready],
        {
          HUM_API_KEY: token,
        },
      );
      expect(outside.code).toBe(77);
      expect(outside.stderr).toContain('403');

      const missing = await cli([
        'publish',
        trivyReport,
        '--asset',
        'shop-gw',
        '--gateway',
        gateway.ready,
      ]);
      expect(missing.code).toBe(77);
      expect(missing.stderr).toContain('HUM_API_KEY');
      for (const run of [revoked, wrong, outside]) {
        // The secret is everything after `hum_<id>_`; it may itself hold `_`.
        expect(run.stderr + run.stdout).not.toContain(secretOf(token));
        expect(run.stderr + run.stdout).not.toContain(secretOf(revokedToken));
      }
    });

    it('exits 69 when no gateway listens, and 2 for an API key given as a flag', async () => {
      const down = await cli(
        ['publish', trivyReport, '--asset', 'shop-gw', '--gateway', 'http://127.0.0.1:1'],
        {
          HUM_API_KEY: token,
        },
      );
      expect(down.code).toBe(69);
      expect(down.stderr).toContain('cannot reach the gateway');

      const flag = await cli([
        'publish',
        trivyReport,
        '--asset',
        'shop-gw',
        '--gateway',
        gateway.ready,
        '--api-key',
        token,
      ]);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain('--api-key is not accepted');
      expect(flag.stderr).not.toContain(token);
    });
  });
});
