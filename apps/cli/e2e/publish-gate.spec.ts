import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateApiKey } from '@hum/auth';
import {
  buildWorkspace,
  createTestDatabase,
  createTestKafka,
  deleteTopicsWithPrefix,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  type ServiceProcess,
  type TestDatabase,
  type WorkspaceBuild,
} from '@hum/testing';
import { runBuiltCli, type CliRun } from './built-cli';

const corpus = path.resolve(__dirname, '../../../testdata/corpus');
// Holds CVE-2020-15999, which is in the bundled KEV snapshot: critical on an internet-facing
// prod asset under the default risk policy.
const kevReport = path.join(corpus, 'trivy/scheme_2_many_vulns.json');

describe('hum publish --gate and hum intel refresh (the built CLI, a real classifier, broker and PostgreSQL)', () => {
  let build: WorkspaceBuild;
  let database: TestDatabase;
  let classifier: ServiceProcess;
  let work: string;
  let prefix: string;
  const key = generateApiKey();
  const publishOnly = generateApiKey();

  beforeAll(async () => {
    build = buildWorkspace('cli-gate');
    database = await createTestDatabase('cli_gate');
    work = mkdtempSync(path.join(tmpdir(), 'hum-cli-gate-'));
    prefix = uniqueTopicPrefix('cli-gate');
    const keysFile = path.join(work, 'keys.json');
    const record = (k: typeof key, permissions: string[]): Record<string, unknown> => ({
      id: k.id,
      name: `pipeline ${k.id}`,
      hash: k.hash,
      permissions,
      assets: ['gate-*'],
      teams: [],
      createdAt: '2026-01-01T00:00:00Z',
    });
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [record(key, ['scans:publish', 'gate:read']), record(publishOnly, ['scans:publish'])],
      }),
    );
    classifier = await startServiceProcess({
      entry: build.entry('apps/risk-classifier/src/main.js'),
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HUM_OPS_TOKEN: 'cli-gate-ops-token-0123456789',
        HUM_INSTANCE_ID: 'cli-gate',
        PORT: '0',
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        API_KEYS_FILE: keysFile,
      },
      readyPattern: /"url":"(http:\/\/[^"]+)"/,
    });
  });

  afterAll(async () => {
    const exit = await classifier?.stop();
    const admin = createTestKafka('cli-gate-cleanup').admin();
    await admin.connect();
    await deleteTopicsWithPrefix(admin, prefix);
    await admin.disconnect();
    await database?.cleanup();
    build?.remove();
    rmSync(work, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  const publish = (
    asset: string,
    extra: readonly string[],
    apiKey: string = key.token,
    report: string = kevReport,
  ): Promise<CliRun> =>
    runBuiltCli(
      build.entry('apps/cli/src/main.js'),
      [
        'publish',
        report,
        '--asset',
        asset,
        '--asset-type',
        'container-image',
        '--brokers',
        testKafkaBrokers().join(','),
        '--topic-prefix',
        prefix,
        '--gate-url',
        classifier.ready,
        ...extra,
      ],
      { env: { HUM_API_KEY: apiKey } },
    );

  it('waits for the classification and fails the prod gate on a KEV finding, saying which', async () => {
    const run = await publish('gate-shop', [
      '--env',
      'prod',
      '--exposure',
      'internet',
      '--gate',
      'prod',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^published scan [0-9a-f-]{36} via kafka: 5 findings/m);
    expect(run.stdout).toContain('gate prod for gate-shop: FAIL (open up to medium)');
    expect(run.stdout).toMatch(/^\s+4 blocking:$/m);
    expect(run.stdout).toMatch(/^\s+critical\s+[\d.]+\s+CVE-2020-15999 freetype /m);
  });

  it('passes the gate of a stage whose threshold the findings stay within, as JSON too', async () => {
    // Two low-severity findings, no KEV, on an internal dev asset: within `high` for test.
    const lowReport = path.join(work, 'low.json');
    writeFileSync(
      lowReport,
      JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: 'registry.example.com/internal:1',
        ArtifactType: 'container_image',
        Results: [
          {
            Target: 'app',
            Class: 'lang-pkgs',
            Type: 'npm',
            Vulnerabilities: ['left-pad', 'is-odd'].map((name, i) => ({
              VulnerabilityID: `CVE-2024-${String(40_000 + i)}`,
              PkgName: name,
              InstalledVersion: '1.0.0',
              FixedVersion: '1.0.1',
              Severity: 'LOW',
            })),
          },
        ],
      }),
    );
    const run = await publish(
      'gate-internal',
      ['--env', 'dev', '--exposure', 'internal', '--gate', 'test', '--json'],
      key.token,
      lowReport,
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as {
      findings: number;
      gate: {
        pass: boolean;
        stage: string;
        blocking: unknown[];
        openByTier: Record<string, number>;
      };
    };
    expect(result.gate).toMatchObject({ pass: true, stage: 'test', blocking: [] });
    expect(Object.values(result.gate.openByTier).reduce((a, b) => a + b, 0)).toBe(result.findings);
    expect(run.code).toBe(0);
  });

  it('refuses a key without gate:read after publishing, with the authorisation exit code', async () => {
    const run = await publish('gate-denied', ['--gate', 'prod'], publishOnly.token);
    expect(run.stdout).toMatch(/^published scan /m);
    expect(run.stderr).toContain('gate:read');
    expect(run.code).toBe(77);
  });

  it('checks --gate before publishing anything', async () => {
    const bad = await publish('gate-bad', ['--gate', 'staging']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--gate: expected one of test, prod, got "staging"');
    expect(bad.stdout).toBe('');
  });

  it('hum intel refresh loads a KEV catalogue into the classifier, and names what is wrong', async () => {
    const kev = path.resolve(
      __dirname,
      '../../../libs/risk/data/kev/known_exploited_vulnerabilities.json',
    );
    const intel = (
      args: readonly string[],
      token = 'cli-gate-ops-token-0123456789',
    ): Promise<CliRun> =>
      runBuiltCli(
        build.entry('apps/cli/src/main.js'),
        ['intel', 'refresh', '--classifier', classifier.ready, ...args],
        { env: { HUM_OPS_TOKEN: token } },
      );
    const ok = await intel(['--kev', kev, '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const stored = JSON.parse(ok.stdout) as { kind: string; entries: number; source: string };
    const catalogue = JSON.parse(readFileSync(kev, 'utf8')) as { vulnerabilities: unknown[] };
    expect(stored).toMatchObject({
      kind: 'kev',
      entries: catalogue.vulnerabilities.length,
      source: 'file:known_exploited_vulnerabilities.json',
    });

    const broken = path.join(work, 'kev.json');
    writeFileSync(broken, '{"vulnerabilities": 1}');
    const invalid = await intel(['--kev', broken]);
    expect(invalid.code).toBe(65);
    expect(invalid.stderr).toContain('kev: the classifier answered 422');

    expect((await intel(['--kev', kev], 'not-the-ops-token-000000')).code).toBe(77);
    expect((await intel(['--kev', path.join(work, 'missing.json')])).code).toBe(66);
    expect((await intel([])).code).toBe(2);
  });
});
