#!/usr/bin/env node
// End to end: reports published through the ingest gateway at a rising offered load →
// classified by the risk classifier → ticketed by the dispatcher in the fake Jira Cloud (50 ms
// latency). Prints, per offered rate, the findings/s that reached a ticket and the p50/p99
// latency from the publish request to the ticket's creation, split into hops by the Kafka
// record timestamps (publish → findings.raw → findings.classified → ticket created) so the
// stage that saturates shows, the raw kafkajs produce→consume baseline on the same broker in
// the same run, and each service's peak RSS. Run through
// `npm run bench -- end-to-end` (builds, provides KAFKA_BROKERS); needs PostgreSQL at
// HUM_TEST_DATABASE_URL.
//
//   node bench/end-to-end.bench.mjs [--rates=25,50,100,200] [--seconds=10] [--per-report=10]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
const { generateApiKey } = require(path.join(dist, 'libs/auth/src/index.js'));
const { startFakeJiraCloud } = require(path.join(dist, 'libs/testing/src/fakes/index.js'));

const NAME = 'end-to-end';
const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '25,50,100,200' },
    seconds: { type: 'string', default: '10' },
    'per-report': { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '50' },
  },
});
const RATES = values.rates.split(',').map(Number);
const SECONDS = Number(values.seconds);
const PER_REPORT = Number(values['per-report']);
const LATENCY_MS = Number(values['latency-ms']);
const brokers = benchBrokers();
const dbUrl = process.env.HUM_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const say = (line) => process.stderr.write(`${line}\n`);
const OPS_TOKEN = 'bench-e2e-ops-token-0123456789';
const ROUTING = `
tickets: { grouping: asset-vulnerability, tiers: [critical, high, medium, low, info] }
routes:
  - name: all
    provider: jira-cloud
    project: SEC
    issueType: Bug
`;

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function cpuSnapshot(services) {
  return {
    bench: process.cpuUsage(),
    ...Object.fromEntries(
      Object.entries(services).map(([name, child]) => [name, processCpuSeconds(child.pid)]),
    ),
  };
}

/** CPU seconds each service (and the bench process: publisher, fake Jira, readers) used in a step. */
function cpuStep(before, after) {
  const used = Object.fromEntries(
    Object.keys(after)
      .filter((name) => name !== 'bench' && before[name] !== undefined && after[name] !== undefined)
      .map((name) => [name, Number((after[name] - before[name]).toFixed(2))]),
  );
  const bench = process.cpuUsage(before.bench);
  used.bench = Number(((bench.user + bench.system) / 1e6).toFixed(2));
  return used;
}

/** Raw kafkajs: produce n 1 KB messages, then consume them, on one fresh topic. */
async function baseline(n) {
  const kafka = new Kafka({ clientId: 'bench-e2e-baseline', brokers, logLevel: logLevel.NOTHING });
  const topic = `bench.e2e.baseline.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const value = Buffer.alloc(1024, 120);
  const started = Date.now();
  for (let i = 0; i < n; i += 500) {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
        key: String(i + j),
        value,
      })),
    });
  }
  const produceSeconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}.g` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let first;
  await new Promise((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        first ??= Date.now();
        seen += batch.messages.length;
        if (seen >= n) resolve();
      },
    });
  });
  const consumeSeconds = (Date.now() - first) / 1000;
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return {
    producePerSecond: Math.round(n / produceSeconds),
    consumePerSecond: Math.round(n / consumeSeconds),
  };
}

/**
 * Follows findings.raw and findings.classified from the start and keeps, per asset and
 * vulnerability, the record timestamp of each: a hop's time is the difference between the
 * stages' timestamps (CreateTime, set by the producing service as it publishes).
 */
async function tapStages(prefix) {
  const kafka = new Kafka({ clientId: 'bench-e2e-tap', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${prefix}tap` });
  const raw = new Map();
  const classified = new Map();
  // When a read_committed consumer first got the classified record: the dispatcher could not
  // have seen it earlier (the classifier's transaction commits after the record is stamped).
  const visible = new Map();
  // The same for the raw record: until then no classifier could read it (the gateway's
  // transaction, or an earlier open transaction on the partition, holds it back).
  const rawVisible = new Map();
  const keyOf = new Map();
  await consumer.connect();
  await consumer.subscribe({
    topics: [`${prefix}findings.raw`, `${prefix}findings.classified`],
    fromBeginning: true,
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const seenAt = Date.now();
      const isRaw = batch.topic.endsWith('findings.raw');
      for (const message of batch.messages) {
        const fingerprint = message.key?.toString();
        if (fingerprint === undefined) continue;
        const at = Number(message.timestamp);
        if (isRaw) {
          const finding = JSON.parse(message.value.toString());
          keyOf.set(fingerprint, `${finding.asset.id}|${finding.vulnerability?.id}`);
          if (!raw.has(fingerprint)) {
            raw.set(fingerprint, at);
            rawVisible.set(fingerprint, seenAt);
          }
        } else if (!classified.has(fingerprint)) {
          classified.set(fingerprint, at);
          visible.set(fingerprint, seenAt);
        }
      }
    },
  });
  return {
    /** Timestamps by `asset|vulnerability`. */
    stages() {
      const byKey = new Map();
      for (const [fingerprint, key] of keyOf)
        byKey.set(key, {
          raw: raw.get(fingerprint),
          rawVisible: rawVisible.get(fingerprint),
          classified: classified.get(fingerprint),
          visible: visible.get(fingerprint),
        });
      return byKey;
    },
    stop: () => consumer.disconnect(),
  };
}

/** Handler batches so far and the seconds spent in them, from a service's /metrics. */
async function handlerTotals(port, topic) {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${OPS_TOKEN}` },
  });
  const text = await response.text();
  const sample = (name) => {
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && l.includes(`topic="${topic}"`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    batches: sample('hum_kafka_handler_duration_seconds_count'),
    seconds: sample('hum_kafka_handler_duration_seconds_sum'),
    commits: sample('hum_kafka_commit_duration_seconds_count'),
    commitSeconds: sample('hum_kafka_commit_duration_seconds_sum'),
  };
}

/** Batches a stage ran during a step, their mean time in the handler and, apart, in the commit. */
function handlerStep(before, after, findings) {
  const batches = after.batches - before.batches;
  return {
    batches,
    meanBatchMs: batches > 0 ? Math.round((1000 * (after.seconds - before.seconds)) / batches) : 0,
    findingsPerBatch: batches > 0 ? Number((findings / batches).toFixed(1)) : 0,
    meanCommitMs:
      after.commits > before.commits
        ? Math.round(
            (1000 * (after.commitSeconds - before.commitSeconds)) /
              (after.commits - before.commits),
          )
        : 0,
  };
}

function hop(samples) {
  const sorted = samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), samples: sorted.length };
}

/** Settings from the environment passed to a service, to compare them in one command. */
function tuning(prefix) {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name.startsWith(prefix)),
  );
}

function startService(name, env) {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir> writes a CPU profile per service, as in classifier.bench.mjs.
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    const child = spawn(
      process.execPath,
      [...profile, path.join(dist, `apps/${name}/src/main.js`)],
      {
        env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const onData = (chunk) => (output += chunk.toString());
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let ready = false;
    child.on('exit', (code) => {
      const message = `${name} exited (${code}):\n${output.slice(-2000)}`;
      // After start-up nobody awaits this promise: say it, or the run just stalls.
      if (ready) say(`  ${message}`);
      else reject(new Error(message));
    });
    const poll = async () => {
      for (let i = 0; i < 600; i += 1) {
        try {
          const response = await fetch(`http://127.0.0.1:${env.PORT}/health`, {
            headers: { authorization: `Bearer ${OPS_TOKEN}` },
          });
          if (response.status === 200) {
            ready = true;
            return resolve(child);
          }
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      reject(new Error(`${name} did not become healthy:\n${output.slice(-2000)}`));
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

function report(step, index) {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: '.',
    ArtifactType: 'filesystem',
    Results: [
      {
        Target: 'package-lock.json',
        Class: 'lang-pkgs',
        Type: 'npm',
        Vulnerabilities: Array.from({ length: PER_REPORT }, (_, j) => ({
          VulnerabilityID: `CVE-2031-${String(step * 100_000 + index * PER_REPORT + j).padStart(6, '0')}`,
          PkgName: `lib-${j}`,
          InstalledVersion: '1.0.0',
          FixedVersion: '1.0.1',
          Severity: 'HIGH',
        })),
      },
    ],
  });
}

async function main() {
  say(
    `end-to-end bench: rates ${RATES.join(', ')} findings/s for ${SECONDS} s each, ${PER_REPORT} ` +
      `findings per report, fake Jira at ${LATENCY_MS} ms; load ${os.loadavg()[0].toFixed(1)}`,
  );
  const raw = await baseline(50_000);
  say(
    `  raw kafkajs baseline: produce ${raw.producePerSecond} msg/s, consume ${raw.consumePerSecond} msg/s (1 KB)`,
  );

  const runId = randomUUID().slice(0, 8);
  const prefix = `bench.e2e.${runId}.`;
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  const schemas = { classifier: `bench_e2e_cls_${runId}`, dispatcher: `bench_e2e_dsp_${runId}` };
  for (const schema of Object.values(schemas)) await pg.query(`create schema "${schema}"`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'hum-bench-e2e-'));
  const key = generateApiKey();
  const keysFile = path.join(work, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({
      keys: [
        {
          id: key.id,
          name: 'bench',
          hash: key.hash,
          permissions: ['scans:publish'],
          assets: ['*'],
          teams: [],
          createdAt: new Date().toISOString(),
        },
      ],
    }),
  );
  const routing = path.join(work, 'routing.yaml');
  writeFileSync(routing, ROUTING);
  const jira = await startFakeJiraCloud();
  jira.inject({ kind: 'latency', ms: LATENCY_MS });
  const common = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HUM_OPS_TOKEN: OPS_TOKEN,
    ...tuning('KAFKA_FETCH_'),
  };
  const services = {};
  let tap;
  try {
    services.gateway = await startService('ingest-gateway', {
      ...common,
      PORT: '18801',
      HUM_INSTANCE_ID: 'bench-gw',
      GATEWAY_API_KEYS_FILE: keysFile,
      GATEWAY_SPOOL_DIR: path.join(work, 'spool'),
      GATEWAY_RATE_PER_MINUTE: '100000',
      GATEWAY_RATE_BURST: '10000',
    });
    services.classifier = await startService('risk-classifier', {
      ...tuning('CLASSIFIER_'),
      ...common,
      PORT: '18802',
      HUM_INSTANCE_ID: 'bench-cls',
      DATABASE_URL: dbUrl,
      DATABASE_SCHEMA: schemas.classifier,
      API_KEYS_FILE: keysFile,
    });
    services.dispatcher = await startService('ticket-dispatcher', {
      ...tuning('TICKET_'),
      ...common,
      PORT: '18803',
      HUM_INSTANCE_ID: 'bench-dsp',
      DATABASE_URL: dbUrl,
      DATABASE_SCHEMA: schemas.dispatcher,
      TICKET_PROVIDERS: 'jira-cloud',
      TICKET_ROUTING_FILE: routing,
      TICKET_RATE_LIMIT: '2000',
      RECONCILE_INTERVAL: '0',
      JIRA_CLOUD_URL: jira.url,
      JIRA_CLOUD_EMAIL: jira.botUser.emailAddress,
      JIRA_CLOUD_API_TOKEN: jira.botUser.apiToken,
    });

    tap = await tapStages(prefix);
    const steps = [];
    for (const [step, rate] of RATES.entries()) {
      jira.clearRequests();
      const handlersBefore = {
        classifier: await handlerTotals(18802, 'findings.raw'),
        dispatcher: await handlerTotals(18803, 'findings.classified'),
      };
      const cpuBefore = cpuSnapshot(services);
      const publishedAt = new Map();
      const reportsPerSecond = rate / PER_REPORT;
      const total = Math.max(1, Math.round(reportsPerSecond * SECONDS));
      const started = Date.now();
      const inflight = [];
      for (let i = 0; i < total; i += 1) {
        const due = started + (i * 1000) / reportsPerSecond;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        const body = report(step + 1, i);
        const at = Date.now();
        inflight.push(
          fetch(
            `http://127.0.0.1:18801/v1/scans?asset=bench-${runId}-${step}-${i}&environment=prod&exposure=internet`,
            {
              method: 'POST',
              headers: { authorization: `Bearer ${key.token}` },
              body,
            },
          ).then(async (response) => {
            if (response.status !== 202)
              throw new Error(`gateway ${response.status}: ${await response.text()}`);
            publishedAt.set(`bench-${runId}-${step}-${i}`, at);
          }),
        );
      }
      await Promise.all(inflight);
      const offeredSeconds = (Date.now() - started) / 1000;
      const expected = total * PER_REPORT;
      const deadline = Date.now() + 120_000;
      const created = () =>
        jira
          .requests({ method: 'POST', path: '/rest/api/3/issue' })
          .filter((r) => r.status === 201);
      while (created().length < expected && Date.now() < deadline) await sleep(250);
      const cpu = cpuStep(cpuBefore, cpuSnapshot(services));
      const creations = created();
      const handlers = {
        classifier: handlerStep(
          handlersBefore.classifier,
          await handlerTotals(18802, 'findings.raw'),
          expected,
        ),
        dispatcher: handlerStep(
          handlersBefore.dispatcher,
          await handlerTotals(18803, 'findings.classified'),
          expected,
        ),
      };
      const issues = new Map(jira.issues().map((i) => [i.summary, i]));
      const latencies = [];
      const stages = tap.stages();
      const hops = {
        publishToRaw: [],
        rawToClassified: [],
        rawToVisible: [],
        classifiedToTicket: [],
        visibleToTicket: [],
      };
      // Classifier hop by the second its raw record was stamped: a stall shows as a run of
      // seconds, a steady overload as a rising line.
      const classifierBySecond = [];
      for (const issue of issues.values()) {
        const match = /(CVE-[\d-]+): .* in (bench-[\w-]+)/.exec(issue.summary);
        const at = match === null ? undefined : publishedAt.get(match[2]);
        if (at === undefined) continue;
        const ticketAt = Date.parse(issue.created);
        latencies.push(ticketAt - at);
        const stage = stages.get(`${match[2]}|${match[1]}`);
        if (stage === undefined) continue;
        hops.publishToRaw.push(stage.raw - at);
        hops.rawToClassified.push(stage.classified - stage.raw);
        hops.rawToVisible.push(stage.rawVisible - stage.raw);
        const second = Math.floor((stage.raw - started) / 1000);
        if (second >= 0) (classifierBySecond[second] ??= []).push(stage.classified - stage.raw);
        hops.classifiedToTicket.push(ticketAt - stage.classified);
        hops.visibleToTicket.push(ticketAt - stage.visible);
      }
      latencies.sort((a, b) => a - b);
      const times = creations.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
      const span = (times[times.length - 1] - started) / 1000;
      const result = {
        offeredPerSecond: rate,
        offeredActualPerSecond: Number((expected / offeredSeconds).toFixed(1)),
        findings: expected,
        ticketed: creations.length,
        ticketedPerSecond: Number((creations.length / span).toFixed(1)),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        latencySamples: latencies.length,
        hops: Object.fromEntries(Object.entries(hops).map(([name, list]) => [name, hop(list)])),
        classifierP99BySecondMs: Array.from(classifierBySecond, (list) =>
          list === undefined ? null : hop(list).p99Ms,
        ),
        handlers,
        cpuSeconds: cpu,
      };
      steps.push(result);
      say(
        `  offered ${rate}/s: ${result.ticketed}/${expected} ticketed at ${result.ticketedPerSecond}/s; ` +
          `published→ticket p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.latencySamples} samples)`,
      );
      const { publishToRaw: gw, rawToClassified: cls, classifiedToTicket: dsp } = result.hops;
      const seen = result.hops.visibleToTicket;
      say(
        `    hops p50/p99: publish→findings.raw ${gw.p50Ms}/${gw.p99Ms} ms (gateway), ` +
          `raw→classified ${cls.p50Ms}/${cls.p99Ms} ms (classifier; of which until a ` +
          `read_committed reader saw the raw record ${result.hops.rawToVisible.p50Ms}/` +
          `${result.hops.rawToVisible.p99Ms} ms), ` +
          `classified→ticket ${dsp.p50Ms}/${dsp.p99Ms} ms (dispatcher + Jira; from when a ` +
          `read_committed reader saw it ${seen.p50Ms}/${seen.p99Ms} ms) (${dsp.samples} samples)`,
      );
      say(`    classifier hop p99 by second: ${result.classifierP99BySecondMs.join(', ')} ms`);
      say(
        `    CPU seconds in the step: ${Object.entries(cpu)
          .map(([name, seconds]) => `${name} ${seconds}`)
          .join(', ')}`,
      );
      say(
        `    handler batches: ${Object.entries(handlers)
          .map(
            ([name, h]) =>
              `${name} ${h.batches} × ${h.meanBatchMs} ms mean (${h.findingsPerBatch} findings each), ` +
              `commit ${h.meanCommitMs} ms mean`,
          )
          .join(', ')}`,
      );
    }
    const memory = Object.fromEntries(
      Object.entries(services).map(([name, child]) => [name, processMemoryMb(child.pid).peak]),
    );
    say(
      `  peak RSS: ${Object.entries(memory)
        .map(([n, mb]) => `${n} ${mb} MB`)
        .join(', ')}`,
    );
    const result = {
      name: NAME,
      at: new Date().toISOString(),
      loadAverage: os.loadavg(),
      baseline: raw,
      steps,
      peakRssMb: memory,
      ratioToBaselineConsume: steps.map((s) =>
        Number((s.ticketedPerSecond / raw.consumePerSecond).toFixed(4)),
      ),
    };
    writeBenchResult(NAME, result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await tap?.stop();
    for (const child of Object.values(services)) await stop(child);
    await jira.close();
    for (const schema of Object.values(schemas))
      await pg.query(`drop schema if exists "${schema}" cascade`);
    await pg.end();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  say(`end-to-end bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
