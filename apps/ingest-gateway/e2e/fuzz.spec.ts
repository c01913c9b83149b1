import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateApiKey } from '@hum/auth';
import { TOPICS } from '@hum/contracts';
import {
  buildWorkspace,
  createTestKafka,
  mutateReport,
  seededRandom,
  startServiceProcess,
  testKafkaBrokers,
  uniqueTopicPrefix,
  waitFor,
  type ServiceProcess,
  type WorkspaceBuild,
} from '@hum/testing';

/**
 * Fuzzes a real gateway with mutated corpus reports. The seed is printed, and HUM_FUZZ_SEED
 * replays a run; HUM_FUZZ_REPORTS changes its size (the issue asks for at least 10,000).
 */
const REPORTS = Number(process.env['HUM_FUZZ_REPORTS'] ?? 10_000);
const SEED = Number(process.env['HUM_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = 8;
const OPS_TOKEN = 'fuzz-ops-token-0123456789abcdef';
const corpus = path.resolve(__dirname, '../../../testdata/corpus');

/** Small corpus reports of every format: mutations of big ones mostly test the size limit. */
function seedReports(): { file: string; body: Buffer }[] {
  const files = readdirSync(corpus, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(corpus, name))
    .filter((file) => statSync(file).isFile() && statSync(file).size <= 24 * 1024);
  return files
    .sort()
    .map((file) => ({ file: path.relative(corpus, file), body: readFileSync(file) }));
}

interface Outcome {
  asset: string;
  status: number;
  findings: number;
  /** Tool scopes the gateway says it completed: one `scans.completed` each. */
  scopes: number;
  what: string;
}

describe(`gateway fuzz (${REPORTS} mutated corpus reports, seed ${SEED})`, () => {
  let build: WorkspaceBuild;
  let gateway: ServiceProcess;
  let work: string;
  let prefix: string;
  const key = generateApiKey();

  beforeAll(async () => {
    build = buildWorkspace('gateway-fuzz');
    work = mkdtempSync(path.join(tmpdir(), 'hum-fuzz-'));
    prefix = uniqueTopicPrefix('fuzz');
    const keysFile = path.join(work, 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [
          {
            id: key.id,
            name: 'fuzzer',
            hash: key.hash,
            permissions: ['scans:publish'],
            assets: ['fuzz-*'],
            teams: [],
            createdAt: '2026-01-01T00:00:00Z',
          },
        ],
      }),
    );
    gateway = await startServiceProcess({
      entry: build.entry('apps/ingest-gateway/src/main.js'),
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HUM_OPS_TOKEN: OPS_TOKEN,
        HUM_INSTANCE_ID: 'gw-fuzz',
        PORT: '0',
        GATEWAY_API_KEYS_FILE: keysFile,
        GATEWAY_MAX_REPORT_BYTES: String(256 * 1024),
        GATEWAY_SPOOL_DIR: path.join(work, 'spool'),
        GATEWAY_RATE_PER_MINUTE: '100000',
        GATEWAY_RATE_BURST: '10000',
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

  it(
    'never answers 5xx or crashes, and publishes exactly the accepted reports',
    async () => {
      const seeds = seedReports();
      expect(seeds.length).toBeGreaterThan(30);
      const random = seededRandom(SEED);
      // Draw every request up front so the stream depends on the seed alone, not on timing.
      const requests = Array.from({ length: REPORTS }, (_, index) => {
        const seed = seeds[Math.floor(random() * seeds.length)]!;
        const mutation = mutateReport(seed.body, random);
        const gzip = random() < 0.1;
        return {
          asset: `fuzz-${index}`,
          body: gzip ? gzipSync(mutation.body) : mutation.body,
          gzip,
          what: `${seed.file} ${mutation.name}${gzip ? ' gzip' : ''}`,
        };
      });

      const outcomes: Outcome[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < requests.length) {
          const request = requests[next++]!;
          const response = await fetch(`${gateway.ready}/v1/scans?asset=${request.asset}`, {
            method: 'POST',
            body: request.body,
            headers: {
              authorization: `Bearer ${key.token}`,
              ...(request.gzip ? { 'content-encoding': 'gzip' } : {}),
            },
          });
          const body = (await response.json()) as {
            findings?: number;
            scopes?: unknown[];
            detail?: string;
          };
          outcomes.push({
            asset: request.asset,
            status: response.status,
            findings: response.status === 202 ? (body.findings ?? -1) : 0,
            scopes: response.status === 202 ? (body.scopes?.length ?? -1) : 0,
            what: `${request.what} → ${response.status} ${body.detail ?? ''}`,
          });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      const byStatus = new Map<number, number>();
      for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
      const accepted = outcomes.filter((o) => o.status === 202);
      const expectedFindings = accepted.reduce((sum, o) => sum + o.findings, 0);
      const expectedCompletions = accepted.reduce((sum, o) => sum + o.scopes, 0);
      process.stdout.write(
        `fuzz seed ${SEED}: ${outcomes.length} reports, statuses ${JSON.stringify(Object.fromEntries(byStatus))}, ` +
          `${expectedFindings} findings accepted\n`,
      );

      expect(outcomes).toHaveLength(REPORTS);
      expect(outcomes.filter((o) => o.status >= 500).map((o) => o.what)).toEqual([]);
      expect(
        outcomes.filter((o) => o.status !== 202 && (o.status < 400 || o.status >= 500)),
      ).toEqual([]);
      // Both sides of the contract are exercised: the mix must hold acceptances and rejections.
      expect(accepted.length).toBeGreaterThan(REPORTS * 0.05);
      expect(outcomes.length - accepted.length).toBeGreaterThan(REPORTS * 0.3);
      expect(accepted.filter((o) => o.findings < 0 || o.scopes < 0)).toEqual([]);

      const health = await fetch(`${gateway.ready}/health`, {
        headers: { authorization: `Bearer ${OPS_TOKEN}` },
      });
      expect(health.status).toBe(200);

      // Count what reached Kafka (read_committed) per asset: each accepted report exactly its
      // findings and one completion per tool scope, and nothing at all of a rejected one.
      const findings = new Map<string, number>();
      const completions = new Map<string, number>();
      let seenFindings = 0;
      let seenCompletions = 0;
      const kafka = createTestKafka('fuzz-count');
      const consumer = kafka.consumer({ groupId: `${prefix}count`, maxBytes: 16 * 1024 * 1024 });
      await consumer.connect();
      await consumer.subscribe({
        topics: [`${prefix}${TOPICS.findingsRaw.name}`, `${prefix}${TOPICS.scansCompleted.name}`],
        fromBeginning: true,
      });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          const asset = (JSON.parse(message.value!.toString()) as { asset: { id: string } }).asset
            .id;
          if (topic.endsWith(TOPICS.findingsRaw.name)) {
            findings.set(asset, (findings.get(asset) ?? 0) + 1);
            seenFindings += 1;
          } else {
            completions.set(asset, (completions.get(asset) ?? 0) + 1);
            seenCompletions += 1;
          }
        },
      });
      try {
        // A timeout is not the verdict: the counts below name exactly what is missing.
        await waitFor(
          () => seenFindings >= expectedFindings && seenCompletions >= expectedCompletions,
          {
            timeoutMs: 60_000,
            describe: () =>
              `${seenFindings}/${expectedFindings} findings, ${seenCompletions}/${expectedCompletions} completions`,
          },
        ).catch(() => undefined);
        // Anything published beyond the accepted reports would be in the log already; give the
        // consumer a moment to reach the end of it before counting.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      } finally {
        await consumer.disconnect();
      }

      const rejectedAssets = new Set(outcomes.filter((o) => o.status !== 202).map((o) => o.asset));
      expect(
        [...findings.keys(), ...completions.keys()].filter((a) => rejectedAssets.has(a)),
      ).toEqual([]);
      const mismatched = accepted.filter(
        (o) =>
          (findings.get(o.asset) ?? 0) !== o.findings ||
          (completions.get(o.asset) ?? 0) !== o.scopes,
      );
      expect(mismatched).toEqual([]);
      expect(seenCompletions).toBe(expectedCompletions);
      expect(seenFindings).toBe(expectedFindings);
    },
    20 * 60_000,
  );
});
