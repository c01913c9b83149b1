import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import {
  type ClassifiedFindingV1,
  DLQ_HEADERS,
  dlqTopicName,
  type RemediationEventV1,
  ticketGroupKey,
  TOPICS,
} from '@hum/contracts';
import {
  buildWorkspace,
  createTestDatabase,
  type FakeGitHub,
  type FakeJiraCloud,
  freePort,
  kafkaHarness,
  readTopic,
  ReadTopicTimeoutError,
  seededRandom,
  ServiceFleet,
  startFakeJiraCloud,
  type TestDatabase,
  type TopicMessage,
  waitFor,
  type WorkspaceBuild,
} from '@hum/testing';
import { type Api, bootstrapPasswords, login } from './support/admin-api';
import {
  startWebPortalGitHub,
  WEB_PORTAL_REPOSITORY,
  writePatcherConfig,
} from './support/web-portal';
import { trivyReport, type TrivyVulnerability } from './support/trivy-report';

/*
 * The whole system under faults, counted afterwards. Bounded and loopback only; the knobs:
 *   HUM_FAULT_SEED        the run's random seed (printed; give it to replay a run's choices)
 *   HUM_FAULT_FINDINGS    findings published (default 10,000; a multiple of 1,000)
 *   HUM_FAULT_KILLS       kill -9 of a random service (default 12)
 *   HUM_FAULT_JIRA_OUTAGE Jira answering 429, then 503 (default 120000 ms, half each)
 */
const SEED = Number(process.env['HUM_FAULT_SEED'] ?? randomInt(1, 2 ** 31));
const FINDINGS = Number(process.env['HUM_FAULT_FINDINGS'] ?? 10_000);
const KILLS = Number(process.env['HUM_FAULT_KILLS'] ?? 12);
const JIRA_OUTAGE_MS = Number(process.env['HUM_FAULT_JIRA_OUTAGE'] ?? 120_000);
if (!Number.isInteger(FINDINGS) || FINDINGS < 1_000 || FINDINGS % 1_000 !== 0)
  throw new Error(`HUM_FAULT_FINDINGS must be a multiple of 1000, not ${FINDINGS}`);

const ASSETS = 40;
const CVES_PER_ASSET = 25;
const PACKAGES_PER_CVE = FINDINGS / (ASSETS * CVES_PER_ASSET);
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const ENVIRONMENTS = ['prod', 'staging', 'dev'] as const;
/** Messages that break the findings.raw contract, produced straight to the topic. */
const BAD_MESSAGES = 25;
const OPS_TOKEN = 'faults-ops-token-0123456789abcdef';
const OPERATOR_TOKEN = 'faults-operator-token-0123456789';
const READY = /"url":"(http:\/\/[^"]+)"/;
const root = path.resolve(__dirname, '..');

/** Patchable low-tier findings on a repository the fake GitHub holds. */
const PATCHABLE: TrivyVulnerability[] = [
  { id: 'CVE-2023-45143', pkg: 'undici', installed: '5.22.0', fixed: '5.28.3', severity: 'LOW' },
  { id: 'CVE-2017-16137', pkg: 'debug', installed: '4.1.1', fixed: '4.3.1', severity: 'LOW' },
];

interface Scan {
  asset: string;
  query: Record<string, string>;
  report: string;
}

/** 40 container images, each with 25 vulnerabilities in several packages: 1,000 ticket groups. */
function workload(): Scan[] {
  const scans: Scan[] = [];
  for (let a = 0; a < ASSETS; a += 1) {
    const asset = `fault-${String(a).padStart(2, '0')}`;
    const vulns: TrivyVulnerability[] = [];
    for (let c = 0; c < CVES_PER_ASSET; c += 1) {
      for (let p = 0; p < PACKAGES_PER_CVE; p += 1) {
        vulns.push({
          id: `CVE-2030-${String(10_000 + c)}`,
          pkg: `lib-${c}-${p}`,
          installed: '1.0.0',
          severity: SEVERITIES[(a + c) % SEVERITIES.length]!,
        });
      }
    }
    scans.push({
      asset,
      query: {
        asset,
        assetType: 'container-image',
        environment: ENVIRONMENTS[a % ENVIRONMENTS.length]!,
        exposure: 'internal',
        team: `team-${a % 4}`,
      },
      report: trivyReport(vulns),
    });
  }
  scans.push({
    asset: 'web-portal',
    query: {
      asset: 'web-portal',
      assetType: 'repository',
      environment: 'staging',
      exposure: 'internet',
      team: 'web',
      repository: WEB_PORTAL_REPOSITORY,
    },
    report: trivyReport(PATCHABLE),
  });
  return scans;
}

function json<T>(message: TopicMessage): T | undefined {
  try {
    return JSON.parse(message.value ?? '') as T;
  } catch {
    return undefined;
  }
}

/**
 * A readTopic `until` that is done once `n` distinct keys were seen; it looks at each message
 * once (readTopic passes everything read so far on every message).
 */
function distinct(
  n: number,
  keyOf: (message: TopicMessage) => string | undefined,
): (all: readonly TopicMessage[]) => boolean {
  const seen = new Set<string>();
  let looked = 0;
  return (all) => {
    for (; looked < all.length; looked += 1) {
      const key = keyOf(all[looked]!);
      if (key !== undefined) seen.add(key);
    }
    return seen.size >= n;
  };
}

function tally<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('hum under faults: kill -9, a broker restart and a Jira outage during a 10,000-finding run', () => {
  const random = seededRandom(SEED);
  const say = (line: string): void => void process.stdout.write(`[faults] ${line}\n`);
  const fleet = new ServiceFleet({ restartDelayMs: 500, log: say });
  const databases: TestDatabase[] = [];
  let build: WorkspaceBuild;
  let work: string;
  let broker: Awaited<ReturnType<ReturnType<typeof kafkaHarness>['startBroker']>>;
  let brokerDir: string;
  let jira: FakeJiraCloud;
  let gitHub: FakeGitHub;
  let admin: Api;
  let passwords: Map<string, string>;
  let pipelineKey: string;
  const prefix = 'faults.';
  const topic = (name: string): string => `${prefix}${name}`;
  const events = { brokerRestarts: 0, publishRetries: 0 };
  /** What the gateway said it published, per accepted report. */
  const accepted: { asset: string; scanId: string; findings: number }[] = [];

  async function database(label: string): Promise<Record<string, string>> {
    const db = await createTestDatabase(label);
    databases.push(db);
    return { DATABASE_URL: db.url, DATABASE_SCHEMA: db.schema };
  }

  async function start(name: string, env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const ready = await fleet.start({
      name,
      entry: build.entry(`apps/${name}/src/main.js`),
      env: {
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        // A killed member's partitions wait out its session: keep that short.
        KAFKA_SESSION_TIMEOUT: '10s',
        HUM_OPS_TOKEN: OPS_TOKEN,
        HUM_INSTANCE_ID: `${name}-faults`,
        PORT: String(port),
        ...env,
      },
      readyPattern: READY,
    });
    return ready.ready;
  }

  async function restartBroker(): Promise<void> {
    const { port, controllerPort } = broker;
    say(`broker: kill -9 (pid ${broker.pid})`);
    process.kill(broker.pid, 'SIGKILL');
    await broker.exited;
    await sleep(3_000);
    broker = await kafkaHarness().startBroker({
      dataDir: brokerDir,
      port,
      controllerPort,
      heapMb: 384,
    });
    events.brokerRestarts += 1;
    say(`broker: back on ${broker.brokers}`);
  }

  beforeAll(async () => {
    say(`seed ${SEED} (HUM_FAULT_SEED=${SEED} replays this run's choices)`);
    build = buildWorkspace('faults');
    work = mkdtempSync(path.join(tmpdir(), 'hum-faults-'));
    brokerDir = mkdtempSync(path.join(tmpdir(), 'hum-faults-kafka-'));
    // A broker of its own: this test restarts it, which the run's shared broker must not see.
    broker = await kafkaHarness().startBroker({ dataDir: brokerDir, heapMb: 384 });
    jira = await startFakeJiraCloud();
    gitHub = await startWebPortalGitHub();

    const credentials = path.join(work, 'admin-credentials.txt');
    const adminUrl = await start('policy-admin', {
      ...(await database('flt_admin')),
      ADMIN_BOOTSTRAP_CREDENTIALS_FILE: credentials,
    });
    passwords = bootstrapPasswords(credentials);
    admin = await login(adminUrl, 'admin', passwords.get('admin')!);
    const key = await admin.call<{ token: string }>('POST', '/v1/api-keys', {
      name: 'fault-run CI',
      permissions: ['scans:publish'],
      assets: ['fault-*', 'web-portal'],
    });
    expect(key.status).toBe(201);
    pipelineKey = key.body.token;
    const low = await admin.call<{ proposal: { state: string } }>('POST', '/v1/proposals', {
      change: { kind: 'tier', tier: 'low', mode: 'on' },
      reason: 'auto-patch low-risk dependency fixes during the fault run',
    });
    expect(low.body.proposal.state).toBe('applied');

    const patcherConfig = writePatcherConfig(work, gitHub);
    await start('ingest-gateway', { GATEWAY_SPOOL_DIR: path.join(work, 'spool') });
    await start('risk-classifier', await database('flt_classifier'));
    await start('ticket-dispatcher', {
      ...(await database('flt_dispatcher')),
      TICKET_PROVIDERS: 'jira-cloud',
      TICKET_ROUTING_FILE: path.join(root, 'apps/ticket-dispatcher/config/routing.quickstart.yaml'),
      TICKET_RATE_LIMIT: '200',
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken!,
    });
    await start('auto-patcher', {
      ...(await database('flt_patcher')),
      PATCHER_OPERATOR_TOKEN: OPERATOR_TOKEN,
      PATCHER_CONFIG_FILE: patcherConfig,
      PATCHER_GITHUB_TOKEN: gitHub.botToken,
    });
  }, 600_000);

  afterAll(async () => {
    await fleet.stopAll();
    await jira?.close();
    await gitHub?.close();
    await broker?.stop();
    await Promise.all(databases.map((db) => db.cleanup()));
    build?.remove();
    rmSync(work, { recursive: true, force: true });
    rmSync(brokerDir, { recursive: true, force: true });
  }, 120_000);

  /** Publishes through the gateway the way a pipeline retries: until accepted, bounded. */
  async function publish(scan: Scan): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      let problem: string;
      try {
        const base = await fleet.ready('ingest-gateway');
        const response = await fetch(`${base}/v1/scans?${new URLSearchParams(scan.query)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${pipelineKey}` },
          body: scan.report,
          signal: AbortSignal.timeout(60_000),
        });
        if (response.status === 202) {
          const body = (await response.json()) as { scanId: string; findings: number };
          accepted.push({ asset: scan.asset, scanId: body.scanId, findings: body.findings });
          return;
        }
        problem = `${response.status} ${(await response.text()).slice(0, 300)}`;
        // A 4xx other than 429 is a refusal of the report itself: retrying would not help.
        if (response.status < 500 && response.status !== 429)
          throw new Error(`the gateway refused ${scan.asset}: ${problem}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('the gateway refused')) throw error;
        problem = String(error);
      }
      if (Date.now() > deadline) throw new Error(`${scan.asset} never accepted: ${problem}`);
      events.publishRetries += 1;
      await sleep(1_000);
    }
  }

  /** Contract-breaking messages straight onto findings.raw: each must reach the DLQ. */
  async function produceBadMessages(): Promise<string[]> {
    const kafka = new Kafka({
      clientId: 'faults-bad',
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
    });
    // Idempotent, so a retried send cannot write a bad message twice and skew the DLQ count.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const keys = Array.from({ length: BAD_MESSAGES }, (_, i) => `bad-${i}`);
    await producer.send({
      topic: topic(TOPICS.findingsRaw.name),
      acks: -1,
      messages: keys.map((key, i) => ({
        key,
        value: i % 2 === 0 ? `{"fingerprint":"${key}"}` : 'not json at all',
        headers: {
          ce_specversion: '1.0',
          ce_id: `bad-${i}-${SEED}`,
          ce_source: '/faults',
          ce_type: TOPICS.findingsRaw.eventType,
          'content-type': 'application/json',
        },
      })),
    });
    await producer.disconnect();
    return keys;
  }

  /** Which accepted reports the committed findings.raw lacks, when it is short. */
  async function shortfall(error: unknown): Promise<unknown> {
    if (!(error instanceof ReadTopicTimeoutError)) return error;
    const perScan = tally(error.messages, (m) => json<{ scanId?: string }>(m)?.scanId ?? '-');
    const short = accepted
      .map((a) => ({ ...a, onTopic: perScan.get(a.scanId) ?? 0 }))
      .filter((a) => a.onTopic < a.findings);
    // Records past an open transaction are there but invisible to read_committed readers.
    const uncommitted = await readTopic({
      brokers: [broker.brokers],
      topic: topic(TOPICS.findingsRaw.name),
      readUncommitted: true,
      count: Number.MAX_SAFE_INTEGER,
      timeoutMs: 20_000,
    }).catch((e: unknown) => (e instanceof ReadTopicTimeoutError ? [...e.messages] : []));
    const partitions = (messages: readonly TopicMessage[]): Record<string, string> =>
      Object.fromEntries(
        [...tally(messages, (m) => String(m.partition))].map(([p, n]) => [
          p,
          `${n} up to ${Math.max(...messages.filter((m) => String(m.partition) === p).map((m) => Number(m.offset)))}`,
        ]),
      );
    return new Error(
      `findings.raw holds ${error.messages.length} committed messages; per partition ` +
        `read_committed ${JSON.stringify(partitions(error.messages))}, read_uncommitted ` +
        `${JSON.stringify(partitions(uncommitted))}; accepted reports it lacks ` +
        `(of ${accepted.length}): ${JSON.stringify(short)}`,
      { cause: error },
    );
  }

  async function chaos(): Promise<void> {
    for (let kill = 1; kill <= KILLS; kill += 1) {
      await sleep(2_000 + Math.floor(random() * 6_000));
      const names = fleet.names();
      const name = names[Math.floor(random() * names.length)]!;
      const downMs = 200 + Math.floor(random() * 2_000);
      say(`kill -9 #${kill}: ${name} (down ${downMs} ms)`);
      await fleet.kill(name, downMs);
    }
  }

  async function jiraOutage(): Promise<void> {
    await sleep(5_000);
    const half = Math.max(1_000, Math.floor(JIRA_OUTAGE_MS / 2));
    say(`Jira: 429 for ${half} ms`);
    jira.inject({ kind: 'status', status: 429, retryAfterSeconds: 5, forMs: half });
    await sleep(half);
    say(`Jira: 503 for ${half} ms`);
    jira.inject({ kind: 'status', status: 503, forMs: half });
    await sleep(half);
    say('Jira: healthy again');
  }

  it('loses nothing and duplicates nothing, counted afterwards', async () => {
    const scans = workload();
    const started = Date.now();
    const badKeys = await produceBadMessages();
    const chaosDone = chaos();
    const outageDone = jiraOutage();
    const publishing = (async () => {
      for (const scan of scans) {
        await publish(scan);
        await sleep(1_000);
      }
    })();
    await sleep(20_000);
    await restartBroker();
    await Promise.all([publishing, chaosDone, outageDone]);
    say(`faults over after ${Math.round((Date.now() - started) / 1000)} s; counting`);

    // Every finding the gateway published (committed) ...
    const raw = await readTopic({
      brokers: [broker.brokers],
      topic: topic(TOPICS.findingsRaw.name),
      timeoutMs: 180_000,
      until: distinct(FINDINGS + PATCHABLE.length, (m) =>
        m.key?.startsWith('bad-') ? undefined : (m.key ?? undefined),
      ),
    }).catch(async (error: unknown) => {
      throw await shortfall(error);
    });
    const published = new Set(
      raw
        .filter((m) => !m.key?.startsWith('bad-'))
        .map((m) => json<{ fingerprint: string }>(m)!.fingerprint),
    );
    // Findings are keyed by fingerprint: the count above waited on keys, this checks payloads.
    expect(raw.filter((m) => !m.key?.startsWith('bad-') && !published.has(m.key!))).toEqual([]);
    expect(published.size).toBe(FINDINGS + PATCHABLE.length);

    // ... is classified exactly once as new, or is in the DLQ with a reason.
    const dlq = await readTopic({
      brokers: [broker.brokers],
      topic: dlqTopicName(topic(TOPICS.findingsRaw.name)),
      count: BAD_MESSAGES,
      timeoutMs: 180_000,
    });
    const deadLettered = new Map(dlq.map((m) => [m.key ?? '', m.headers[DLQ_HEADERS.reason]]));
    expect([...deadLettered.keys()].filter((k) => k.startsWith('bad-')).sort()).toEqual(
      [...badKeys].sort(),
    );
    expect([...deadLettered.values()].filter((reason) => !reason)).toEqual([]);
    const classifiedMessages = await readTopic({
      brokers: [broker.brokers],
      topic: topic(TOPICS.findingsClassified.name),
      until: distinct(
        published.size - (deadLettered.size - BAD_MESSAGES),
        (m) => m.key ?? undefined,
      ),
      timeoutMs: 300_000,
    });
    const classified = classifiedMessages.map((m) => json<ClassifiedFindingV1>(m)!);
    const classifiedFingerprints = new Set(classified.map((c) => c.finding.fingerprint));
    const lost = [...published].filter(
      (fp) => !classifiedFingerprints.has(fp) && !deadLettered.has(fp),
    );
    expect(lost).toEqual([]);
    const newPerFinding = tally(
      classified.filter((c) => c.lifecycle.change === 'new'),
      (c) => c.finding.fingerprint,
    );
    expect([...newPerFinding].filter(([, n]) => n !== 1)).toEqual([]);

    // One ticket per group with a ticketable tier, whatever the faults did.
    const expectedGroups = new Set(
      classified
        .filter((c) => c.classification.tier !== 'info')
        .map((c) => ticketGroupKey('asset-vulnerability', c.finding)),
    );
    const groupOf = (issue: { customFields: Readonly<Record<string, unknown>> }): string =>
      String(issue.customFields['customfield_10100']);
    await waitFor(
      () => {
        const ticketed = new Set(
          jira
            .issues()
            .filter((i) => i.project === 'SEC')
            .map(groupOf),
        );
        return [...expectedGroups].every((g) => ticketed.has(g));
      },
      { timeoutMs: 600_000, intervalMs: 2_000, describe: 'a ticket for every group' },
    );
    // Settled: no ticket appears for a while (a duplicate would come now, if ever).
    let settled = -1;
    await waitFor(
      async () => {
        const now = jira.issues().length;
        const same = now === settled;
        settled = now;
        if (!same) await sleep(10_000);
        return same;
      },
      { timeoutMs: 180_000, describe: 'the ticket count to stop changing' },
    );
    const tickets = jira.issues().filter((i) => i.project === 'SEC');
    const perGroup = tally(tickets, groupOf);
    expect([...perGroup].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...perGroup.keys()].filter((g) => !expectedGroups.has(g))).toEqual([]);
    expect(perGroup.size).toBe(expectedGroups.size);

    // Low-tier fixes: each patch applied at most once, each pull request once.
    const patchable = classified.filter(
      (c) => c.finding.asset.id === 'web-portal' && c.classification.tier === 'low',
    );
    expect(patchable).toHaveLength(PATCHABLE.length);
    const remediation = (
      await readTopic({
        brokers: [broker.brokers],
        topic: topic(TOPICS.remediationEvents.name),
        until: distinct(patchable.length, (m) => {
          const status = json<RemediationEventV1>(m)?.status ?? '';
          const watched = patchable.some((p) => p.finding.fingerprint === m.key);
          return watched && ['applied', 'failed'].includes(status) ? m.key! : undefined;
        }),
        timeoutMs: 300_000,
      })
    ).map((m) => json<RemediationEventV1>(m)!);
    const applied = remediation.filter((e) => e.status === 'applied');
    expect([...tally(applied, (e) => e.fingerprint)].filter(([, n]) => n !== 1)).toEqual([]);
    const pulls = gitHub.pulls('bank', 'web-portal');
    expect([...tally(pulls, (p) => p.head)].filter(([, n]) => n !== 1)).toEqual([]);
    expect(pulls).toHaveLength(applied.length);

    // The audit chains are intact, checked the way an auditor would: with the CLI.
    const adminUrl = await fleet.ready('policy-admin');
    const auditor = await login(adminUrl, 'admin', passwords.get('admin')!);
    const chains: Record<string, number> = {};
    for (const chain of ['policy-admin', 'auto-patcher']) {
      const run = spawnSync(
        process.execPath,
        [
          build.entry('apps/cli/src/main.js'),
          'audit',
          'verify',
          '--chain',
          chain,
          '--url',
          adminUrl,
          '--json',
        ],
        {
          env: { PATH: process.env['PATH'] ?? '', HUM_ADMIN_TOKEN: auditor.token! },
          encoding: 'utf8',
        },
      );
      expect({ chain, status: run.status, stderr: run.stderr }).toEqual({
        chain,
        status: 0,
        stderr: '',
      });
      const verified = JSON.parse(run.stdout) as { ok: boolean; checked: number };
      expect(verified.ok).toBe(true);
      chains[chain] = verified.checked;
    }
    expect(chains['auto-patcher']).toBeGreaterThan(0);

    const summary = {
      seed: SEED,
      seconds: Math.round((Date.now() - started) / 1000),
      published: published.size,
      classifiedEvents: classified.length,
      classifiedFindings: newPerFinding.size,
      deadLettered: deadLettered.size,
      ticketGroups: expectedGroups.size,
      tickets: tickets.length,
      opsTickets: jira.issues().filter((i) => i.project === 'OPS').length,
      remediation: Object.fromEntries(tally(remediation, (e) => e.status)),
      pullRequests: pulls.length,
      auditEntriesChecked: chains,
      brokerRestarts: events.brokerRestarts,
      publishRetries: events.publishRetries,
      jiraRequests: Object.fromEntries(tally(jira.requests(), (r) => String(r.status))),
      services: fleet.counts(),
    };
    say(`counts:\n${JSON.stringify(summary, null, 2)}`);
    const notes = fleet.exitNotes();
    if (Object.keys(notes).length > 0)
      say(`exits nobody asked for:\n${JSON.stringify(notes, null, 2)}`);
    const kills = Object.values(summary.services).reduce((n, c) => n + c.kills, 0);
    expect(kills).toBe(KILLS);
  }, 1_800_000);
});
