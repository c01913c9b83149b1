#!/usr/bin/env node
// Ticket dispatcher throughput against the fake Jira Cloud at 50 ms latency, with the per-site
// rate limit at 10 and at 100 requests/s: tickets/s, the share of the allowed request rate
// used, duplicate tickets (must be 0), and the dispatcher's RSS with a ledger already holding
// many open groups (state lives in PostgreSQL, not in memory). Run through `npm run bench`
// (which builds and provides KAFKA_BROKERS); needs PostgreSQL at HUM_TEST_DATABASE_URL.
//
//   node bench/dispatcher.bench.mjs [--slow-tickets=60] [--fast-tickets=400]
//                                   [--open-groups=100000] [--latency-ms=50] [--open-tickets=0]
// --open-tickets=N adds a run at a 2,000 req/s limit, where Jira's latency and the
// dispatcher itself (not the rate limit) set the pace: the dispatcher's own ceiling.
// TICKET_* variables and DATABASE_POOL_SIZE set in the environment (e.g.
// TICKET_PARTITION_CONCURRENCY) reach the dispatcher, to compare settings.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  benchBrokers,
  processCpuSeconds,
  processMemoryMb,
  writeBenchResult,
} from './lib/bench-support.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const { Client } = require('pg');
const contracts = require(path.join(dist, 'libs/contracts/src/index.js'));
const kafkaLib = require(path.join(dist, 'libs/kafka/src/index.js'));
const { createLogger } = require(path.join(dist, 'libs/observability/src/index.js'));
const { startFakeJiraCloud } = require(path.join(dist, 'libs/testing/src/fakes/index.js'));

const NAME = 'dispatcher';
const { values } = parseArgs({
  options: {
    'slow-tickets': { type: 'string', default: '60' },
    'fast-tickets': { type: 'string', default: '400' },
    'open-groups': { type: 'string', default: '100000' },
    'latency-ms': { type: 'string', default: '50' },
    'open-tickets': { type: 'string', default: '0' },
  },
});
const SLOW_TICKETS = Number(values['slow-tickets']);
const FAST_TICKETS = Number(values['fast-tickets']);
const OPEN_GROUPS = Number(values['open-groups']);
const LATENCY_MS = Number(values['latency-ms']);
const OPEN_TICKETS = Number(values['open-tickets']);
const OPEN_LIMIT = 2000;
const brokers = benchBrokers();
const dbUrl = process.env.HUM_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const logger = createLogger({ service: 'bench', level: 'silent' });
const kafka = new Kafka({ clientId: 'bench-dispatcher', brokers, logLevel: logLevel.NOTHING });
const say = (line) => process.stderr.write(`${line}\n`);
const OPS_TOKEN = 'bench-ops-token-0123456789';
const ROUTING = `
tickets: { grouping: asset-vulnerability }
routes:
  - name: all
    provider: jira-cloud
    project: SEC
    issueType: Bug
`;

/** One classified finding per group: every event needs a ticket of its own. */
function classified(run, i) {
  const cve = `CVE-2025-${String(10000 + i).padStart(5, '0')}`;
  const base = contracts.EXAMPLE_CLASSIFIED;
  const now = new Date().toISOString();
  return {
    finding: {
      ...base.finding,
      fingerprint: createHash('sha256').update(`${run}:${i}`).digest('hex'),
      title: `${cve} in lib-${i} 1.0.0`,
      vulnerability: { id: cve, aliases: [] },
      component: { name: `lib-${i}`, version: '1.0.0', fixedVersions: ['1.0.1'] },
      asset: { ...base.finding.asset, id: `bench-${run}`, team: 'payments' },
    },
    classification: { ...base.classification, tier: 'high', score: 75 },
    lifecycle: { state: 'new', change: 'new', firstSeenAt: now, lastSeenAt: now, revision: 1 },
  };
}

async function provision(names) {
  const admin = kafka.admin();
  await admin.connect();
  await kafkaLib.provisionTopics(
    admin,
    names,
    [
      contracts.TOPICS.findingsClassified,
      contracts.TOPICS.findingsResolved,
      contracts.TOPICS.remediationEvents,
      contracts.TOPICS.ticketsEvents,
      contracts.TOPICS.auditLog,
      contracts.TOPICS.policyState,
    ],
    { replicationFactor: 1, withDeadLetters: true },
  );
  await admin.disconnect();
}

async function publish(names, run, count) {
  const producer = new kafkaLib.EventProducer(kafka, { names, source: '/hum/bench', logger });
  await producer.connect();
  for (let start = 0; start < count; start += 500) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 500); i += 1) {
      const data = classified(run, i);
      batch.push({
        topic: contracts.TOPICS.findingsClassified,
        key: data.finding.fingerprint,
        data,
      });
    }
    await producer.publish(batch);
  }
  await producer.disconnect();
}

function startDispatcher(env) {
  return new Promise((resolve, reject) => {
    const tuning = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => name.startsWith('TICKET_') || name === 'DATABASE_POOL_SIZE',
      ),
    );
    const child = spawn(process.execPath, [path.join(dist, 'apps/ticket-dispatcher/src/main.js')], {
      env: { PATH: process.env.PATH, ...tuning, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk) => {
      output += chunk.toString();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    if (process.env.BENCH_ECHO) child.stderr.on('data', (c) => process.stderr.write(c));
    child.on('exit', (code) =>
      reject(new Error(`dispatcher exited (${code}):\n${output.slice(-2000)}`)),
    );
    const poll = async () => {
      for (let i = 0; i < 300; i += 1) {
        try {
          const response = await fetch(`http://127.0.0.1:${env.PORT}/health`, {
            headers: { authorization: `Bearer ${OPS_TOKEN}` },
          });
          if (response.status === 200) return resolve(child);
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      reject(new Error(`dispatcher did not become healthy:\n${output.slice(-2000)}`));
    };
    void poll();
  });
}

async function stop(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
}

/** Open groups with one open finding each, written straight into the dispatcher's ledger. */
async function seedOpenGroups(pg, schema, count) {
  if (count <= 0) return;
  await pg.query(
    `insert into "${schema}".ticket_groups
       (group_key, kind, route, provider, generation, idempotency_key, target, ticket_id,
        ticket_key, ticket_url, status, tier, tier_since, due_date, asset, synced_hash,
        created_at, updated_at)
     select 'seed:' || g, 'findings', 'all', 'jira-cloud', 1, 'hum-seed-' || g,
            '{"project":"SEC","issueType":"Bug","labels":[],"components":[]}'::jsonb,
            (900000 + g)::text, 'SEED-' || g, 'https://jira.invalid/browse/SEED-' || g, 'open',
            'medium', now(), '2026-12-31', '{"id":"seeded"}'::jsonb, 'seeded', now(), now()
       from generate_series(1, $1) as g`,
    [count],
  );
  await pg.query(
    `insert into "${schema}".ticket_members (fingerprint, group_key, state, tier, revision, summary, updated_at)
     select md5('seed' || g) || md5('member' || g), 'seed:' || g, 'open', 'medium', 1, null, now()
       from generate_series(1, $1) as g`,
    [count],
  );
}

/** One measured run: `tickets` new groups through the dispatcher at `limit` requests/s. */
async function run(limit, tickets) {
  const runId = randomUUID().slice(0, 8);
  const schema = `bench_dispatcher_${runId}`;
  const names = new kafkaLib.TopicNames(`bench.disp${limit}.${runId}.`);
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  await pg.query(`create schema "${schema}"`);
  const jira = await startFakeJiraCloud();
  jira.inject({ kind: 'latency', ms: LATENCY_MS });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hum-bench-routing-'));
  const routingFile = path.join(dir, 'routing.yaml');
  writeFileSync(routingFile, ROUTING);
  let child;
  try {
    await provision(names);
    child = await startDispatcher({
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: names.prefix,
      HUM_OPS_TOKEN: OPS_TOKEN,
      HUM_INSTANCE_ID: `bench-${limit}`,
      PORT: String(18700 + (limit % 100) + (limit >= 1000 ? 50 : 0)),
      DATABASE_URL: dbUrl,
      DATABASE_SCHEMA: schema,
      TICKET_CONSUMER_GROUP: `bench-dispatcher-${runId}`,
      TICKET_PROVIDERS: 'jira-cloud',
      TICKET_ROUTING_FILE: routingFile,
      TICKET_RATE_LIMIT: String(limit),
      RECONCILE_INTERVAL: '0',
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken,
    });
    const seedStarted = Date.now();
    await seedOpenGroups(pg, schema, OPEN_GROUPS);
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    jira.clearRequests();
    const cpuBefore = processCpuSeconds(child.pid);
    await publish(names, runId, tickets);
    const deadline = Date.now() + Math.max(60_000, (tickets * 4 * 1000) / limit);
    // Counted from the request journal: snapshots of every issue would load the fake itself.
    const created = () =>
      jira.requests({ method: 'POST', path: '/rest/api/3/issue' }).filter((r) => r.status === 201)
        .length;
    while (created() < tickets) {
      if (Date.now() > deadline)
        throw new Error(`only ${created()} of ${tickets} tickets after the deadline`);
      await sleep(250);
    }
    // Late duplicates would show up after the last create: give in-flight work a moment.
    await sleep(1_000);
    const memory = processMemoryMb(child.pid);
    const cpuUsed = processCpuSeconds(child.pid) - cpuBefore;
    const requests = jira.requests().filter((r) => r.path.startsWith('/rest/api/3/'));
    const times = requests.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
    const windowSeconds = (times[times.length - 1] - times[0]) / 1000;
    const perLabel = new Map();
    for (const issue of jira.issues())
      for (const label of issue.labels.filter((l) => /^hum-[0-9a-f]{24}$/.test(l)))
        perLabel.set(label, (perLabel.get(label) ?? 0) + 1);
    const duplicates = [...perLabel.values()].reduce((sum, n) => sum + n - 1, 0);
    // Between the first and the last request: n requests span n - 1 intervals.
    const requestsPerSecond = (requests.length - 1) / windowSeconds;
    // The middle 80% of requests, without the start-up ramp and the last batches' tail.
    const low = Math.floor(times.length * 0.1);
    const high = Math.ceil(times.length * 0.9) - 1;
    const steadyPerSecond = (high - low) / ((times[high] - times[low]) / 1000);
    return {
      rateLimit: limit,
      tickets,
      duplicates,
      requests: requests.length,
      requestsPerTicket: Number((requests.length / tickets).toFixed(2)),
      seconds: Number(windowSeconds.toFixed(2)),
      ticketsPerSecond: Number((tickets / windowSeconds).toFixed(1)),
      requestsPerSecond: Number(requestsPerSecond.toFixed(1)),
      rateUsedPercent: Number(((100 * requestsPerSecond) / limit).toFixed(1)),
      steadyRateUsedPercent: Number(((100 * steadyPerSecond) / limit).toFixed(1)),
      openGroupsSeeded: OPEN_GROUPS,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      dispatcherCpuPercent: Number(((100 * cpuUsed) / (windowSeconds + 1)).toFixed(0)),
      rssMb: memory.rss,
      peakRssMb: memory.peak,
    };
  } finally {
    if (child) await stop(child);
    await jira.close();
    rmSync(dir, { recursive: true, force: true });
    await pg.query(`drop schema if exists "${schema}" cascade`);
    await pg.end();
  }
}

function line(r) {
  return (
    `  limit ${r.rateLimit} req/s: ${r.ticketsPerSecond} tickets/s, ${r.requestsPerSecond} req/s ` +
    `(${r.rateUsedPercent}% of allowed; middle 80%: ${r.steadyRateUsedPercent}%; ${r.requestsPerTicket} req/ticket), ${r.duplicates} duplicates, ` +
    `dispatcher CPU ${r.dispatcherCpuPercent}%, RSS ${r.rssMb} MB (peak ${r.peakRssMb} MB) with ${r.openGroupsSeeded} open groups`
  );
}

async function main() {
  say(
    `dispatcher bench: fake Jira Cloud at ${LATENCY_MS} ms; ${SLOW_TICKETS} tickets at 10 req/s, ` +
      `${FAST_TICKETS} at 100 req/s${OPEN_TICKETS > 0 ? `, ${OPEN_TICKETS} at ${OPEN_LIMIT} req/s` : ''}; ${OPEN_GROUPS} open groups in the ledger; load ${os.loadavg()[0].toFixed(1)}`,
  );
  const slow = await run(10, SLOW_TICKETS);
  say(line(slow));
  const fast = await run(100, FAST_TICKETS);
  say(line(fast));
  const runs = [slow, fast];
  if (OPEN_TICKETS > 0) {
    const open = await run(OPEN_LIMIT, OPEN_TICKETS);
    say(line(open));
    runs.push(open);
  }
  const result = {
    name: NAME,
    at: new Date().toISOString(),
    loadAverage: os.loadavg(),
    latencyMs: LATENCY_MS,
    runs,
  };
  writeBenchResult(NAME, result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  // Zero duplicates is an invariant, not a target: a bench that saw one fails.
  process.exit(runs.every((r) => r.duplicates === 0) ? 0 : 1);
}

main().catch((error) => {
  say(`dispatcher bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
