#!/usr/bin/env node
// Risk classifier throughput and latency on the local broker and PostgreSQL, against the raw
// kafkajs consume→produce baseline measured in the same run. Run through `npm run bench`
// (which builds and provides KAFKA_BROKERS); needs PostgreSQL at HUM_TEST_DATABASE_URL.
//
//   node bench/classifier.bench.mjs [--findings=20000] [--rate=1000] [--seconds=15]
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import {
  benchBrokers,
  cpuOfCommands,
  cpuSecondsBetween,
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

const NAME = 'classifier';
const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
  },
});
const N = Number(values.findings);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP_SECONDS = Math.min(5, Math.floor(SECONDS / 3));
const brokers = benchBrokers();
const dbUrl = process.env.HUM_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const logger = createLogger({ service: 'bench', level: 'silent' });
const kafka = new Kafka({ clientId: 'bench-classifier', brokers, logLevel: logLevel.NOTHING });
const say = (line) => process.stderr.write(`${line}\n`);

function finding(i, scanId, assetId) {
  const cve = `CVE-2025-${String(10000 + (i % 50000)).padStart(5, '0')}`;
  return {
    ...contracts.EXAMPLE_FINDING,
    fingerprint: createHash('sha256').update(`${assetId}:${i}`).digest('hex'),
    scanId,
    title: `${cve} in lib-${i} 1.0.0`,
    vulnerability: { id: cve, aliases: [] },
    component: {
      ...contracts.EXAMPLE_FINDING.component,
      name: `lib-${i}`,
      purl: `pkg:npm/lib-${i}@1.0.0`,
    },
    asset: { ...contracts.EXAMPLE_FINDING.asset, id: assetId },
    detectedAt: new Date().toISOString(),
  };
}

async function provision(names, topics) {
  const admin = kafka.admin();
  await admin.connect();
  await kafkaLib.provisionTopics(admin, names, topics, {
    replicationFactor: 1,
    withDeadLetters: true,
  });
  await admin.disconnect();
}

async function publishFindings(names, count, assetId) {
  const producer = new kafkaLib.EventProducer(kafka, { names, source: '/hum/bench', logger });
  await producer.connect();
  const scanId = randomUUID();
  for (let start = 0; start < count; start += 1000) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 1000); i += 1) {
      const data = finding(i, scanId, assetId);
      batch.push({ topic: contracts.TOPICS.findingsRaw, key: data.fingerprint, data });
    }
    await producer.publish(batch);
  }
  await producer.disconnect();
}

/** Raw kafkajs consume -> produce of the same messages: the ceiling for any consumer. */
async function baseline() {
  const names = new kafkaLib.TopicNames(`bench.base.${randomUUID().slice(0, 8)}.`);
  await provision(names, [contracts.TOPICS.findingsRaw, contracts.TOPICS.findingsClassified]);
  await publishFindings(names, N, 'baseline');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `bench-base-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: names.of(contracts.TOPICS.findingsRaw), fromBeginning: true });
  let seen = 0;
  let started = 0;
  let brokerCpuAtStart;
  const done = new Promise((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (started === 0) {
          started = Date.now();
          brokerCpuAtStart = cpuOfCommands(/^java$/);
        }
        await producer.send({
          topic: names.of(contracts.TOPICS.findingsClassified),
          acks: -1,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
        seen += batch.messages.length;
        if (seen >= N) resolve(Date.now());
      },
    });
  });
  const ended = await done;
  const brokerCpu = cpuSecondsBetween(brokerCpuAtStart, cpuOfCommands(/^java$/));
  await consumer.disconnect();
  await producer.disconnect();
  return {
    perSecond: Math.round(N / ((ended - started) / 1000)),
    brokerCpuPerThousand: Number(((brokerCpu * 1000) / N).toFixed(3)),
  };
}

function startClassifier(env, label) {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir> writes a CPU profile per classifier process, for hunting hot spots.
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    const child = spawn(
      process.execPath,
      [...profile, path.join(dist, 'apps/risk-classifier/src/main.js')],
      {
        env: {
          PATH: process.env.PATH,
          // CLASSIFIER_BATCH_SIZE, CLASSIFIER_PARTITION_CONCURRENCY, KAFKA_FETCH_*: for trying
          // other settings.
          ...Object.fromEntries(
            Object.entries(process.env).filter(
              ([name]) => name.startsWith('CLASSIFIER_') || name.startsWith('KAFKA_FETCH_'),
            ),
          ),
          ...env,
          // BENCH_NODE_OPTIONS: V8 settings to try (e.g. a heap limit), as a deployment would set.
          ...(process.env.BENCH_NODE_OPTIONS
            ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }
            : {}),
          HUM_INSTANCE_ID: label,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const onData = (chunk) => {
      output += chunk.toString();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    if (process.env.BENCH_ECHO) child.stderr.on('data', (c) => process.stderr.write(c));
    child.on('exit', (code) =>
      reject(new Error(`classifier exited (${code}):\n${output.slice(-2000)}`)),
    );
    // LOG_LEVEL=warn hides the "started" line: ready once /health answers.
    const port = env.PORT;
    const poll = async () => {
      for (let i = 0; i < 300; i += 1) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/health`, {
            headers: { authorization: `Bearer ${env.HUM_OPS_TOKEN}` },
          });
          if (response.status === 200) return resolve(child);
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      reject(new Error(`classifier did not become healthy:\n${output.slice(-2000)}`));
    };
    void poll();
  });
}

async function stop(children) {
  for (const child of children) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
  }
}

async function withSchema(run) {
  const schema = `bench_classifier_${randomUUID().slice(0, 8).replace(/-/g, '')}`;
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  await pg.query(`create schema "${schema}"`);
  try {
    return await run(schema);
  } finally {
    await pg.query(`drop schema if exists "${schema}" cascade`);
    await pg.end();
  }
}

/** Throughput: N findings already on the topic, then the classifier(s) start and work through them. */
async function throughput(replicas) {
  return withSchema(async (schema) => {
    const names = new kafkaLib.TopicNames(`bench.cls${replicas}.${randomUUID().slice(0, 8)}.`);
    await provision(names, [
      contracts.TOPICS.findingsRaw,
      contracts.TOPICS.scansCompleted,
      contracts.TOPICS.intelUpdates,
    ]);
    await provision(names, [
      contracts.TOPICS.findingsClassified,
      contracts.TOPICS.findingsResolved,
      contracts.TOPICS.auditLog,
      contracts.TOPICS.policyState,
    ]);
    await publishFindings(names, N, `bench-${replicas}`);
    const env = {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: names.prefix,
      HUM_OPS_TOKEN: 'bench-ops-token-0123456789',
      DATABASE_URL: dbUrl,
      DATABASE_SCHEMA: schema,
    };
    const started = Date.now();
    // Started together, so replicas join the group at about the same time rather than the
    // second one forcing a rebalance in the middle of the run.
    const children = await Promise.all(
      Array.from({ length: replicas }, (_, r) =>
        startClassifier({ ...env, PORT: String(18500 + r) }, `bench-${r}`),
      ),
    );
    // Progress is the group's committed input offsets (exact: the classifier commits them in
    // its Kafka transactions), not the output high watermark, which counts transaction markers.
    const groupId = `${names.prefix}risk-classifier`;
    const input = names.of(contracts.TOPICS.findingsRaw);
    const admin = kafka.admin();
    await admin.connect();
    const committed = async () => {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [input] });
      return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    let first; // the first commit seen: start-up, group join and first chunk are behind us
    let total = 0;
    // Where the CPU goes in the steady part: the classifier(s), PostgreSQL and the broker share
    // the machine's cores, so CPU seconds per 1,000 findings show which one bounds the rate.
    const cpuSample = () => ({
      classifier: children.reduce((sum, c) => sum + (processCpuSeconds(c.pid) ?? 0), 0),
      postgres: cpuOfCommands(/^postgres$/),
      broker: cpuOfCommands(/^java$/),
    });
    let cpuAtFirst;
    while (total < N) {
      await sleep(100);
      total = await committed();
      if (first === undefined && total > 0) {
        first = { at: Date.now(), total };
        cpuAtFirst = cpuSample();
      }
    }
    const ended = Date.now();
    const cpuAtEnd = cpuSample();
    const perThousand = (seconds) => Number(((seconds * 1000) / (N - first.total)).toFixed(3));
    const cpuPerThousandFindings = {
      classifier: perThousand(cpuAtEnd.classifier - cpuAtFirst.classifier),
      postgres: perThousand(cpuSecondsBetween(cpuAtFirst.postgres, cpuAtEnd.postgres)),
      broker: perThousand(cpuSecondsBetween(cpuAtFirst.broker, cpuAtEnd.broker)),
    };
    await admin.disconnect();
    const seconds = (ended - started) / 1000;
    const steadySeconds = (ended - first.at) / 1000;
    if (process.env.BENCH_METRICS) {
      const text = await (
        await fetch('http://127.0.0.1:18500/metrics', {
          headers: { authorization: `Bearer ${env.HUM_OPS_TOKEN}` },
        })
      ).text();
      say(
        text
          .split('\n')
          .filter((l) =>
            /hum_kafka_handler_duration_seconds_(sum|count)|hum_kafka_messages_consumed_total|hum_kafka_messages_produced_total|process_cpu_seconds_total/.test(
              l,
            ),
          )
          .join('\n'),
      );
    }
    const rss = children.map((c) => processMemoryMb(c.pid).peak);
    await stop(children);
    return {
      // Whole run, start-up (process, migrations, group join) included.
      perSecond: Math.round(N / seconds),
      seconds: Number(seconds.toFixed(1)),
      // From the first committed chunk to the last: the rate the baseline is measured as.
      steadyPerSecond: Math.round((N - first.total) / steadySeconds),
      peakRssMb: rss,
      // With two replicas the first commit can come while the other is still joining the
      // group, so the window would miss part of the work: reported for one replica only.
      ...(replicas === 1 ? { cpuPerThousandFindings } : {}),
    };
  });
}

async function untilGroupStable(groupId) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < 300; i += 1) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length > 0) return;
      await sleep(100);
    }
    throw new Error(`consumer group ${groupId} did not become stable`);
  } finally {
    await admin.disconnect();
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Latency at a steady offered load: raw message timestamp -> classified message timestamp. */
async function latency() {
  return withSchema(async (schema) => {
    const names = new kafkaLib.TopicNames(`bench.lat.${randomUUID().slice(0, 8)}.`);
    await provision(names, [
      contracts.TOPICS.findingsRaw,
      contracts.TOPICS.scansCompleted,
      contracts.TOPICS.intelUpdates,
    ]);
    await provision(names, [
      contracts.TOPICS.findingsClassified,
      contracts.TOPICS.findingsResolved,
      contracts.TOPICS.auditLog,
      contracts.TOPICS.policyState,
    ]);
    const env = {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: names.prefix,
      HUM_OPS_TOKEN: 'bench-ops-token-0123456789',
      DATABASE_URL: dbUrl,
      DATABASE_SCHEMA: schema,
      PORT: '18600',
    };
    const child = await startClassifier(env, 'bench-latency');
    // Healthy is not yet consuming: the offered load starts once the group owns its partitions,
    // so the figures are steady-state latency, not the group join.
    await untilGroupStable(`${names.prefix}risk-classifier`);
    const producer = new kafkaLib.EventProducer(kafka, { names, source: '/hum/bench', logger });
    await producer.connect();
    const scanId = randomUUID();
    const total = RATE * SECONDS;
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
    const begin = Date.now();
    let sent = 0;
    for (let tick = 0; sent < total; tick += 1) {
      const batch = [];
      for (let i = 0; i < perTick && sent < total; i += 1, sent += 1) {
        const data = finding(sent, scanId, 'bench-latency');
        batch.push({ topic: contracts.TOPICS.findingsRaw, key: data.fingerprint, data });
      }
      await producer.publish(batch);
      const wait = begin + (tick + 1) * tickMs - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await producer.disconnect();
    const sentAt = new Map();
    const classifiedAt = new Map();
    const read = async (topic, into, count) => {
      const consumer = kafka.consumer({ groupId: `bench-read-${randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise((resolve) => {
        void consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) into.set(m.key.toString(), Number(m.timestamp));
            if (into.size >= count) resolve();
          },
        });
      });
      await consumer.disconnect();
    };
    await read(names.of(contracts.TOPICS.findingsRaw), sentAt, total);
    await read(names.of(contracts.TOPICS.findingsClassified), classifiedAt, total);
    const rss = processMemoryMb(child.pid).peak;
    await stop([child]);
    const firstSent = Math.min(...sentAt.values());
    const measured = (from) =>
      [...classifiedAt]
        .filter(([key]) => sentAt.get(key) >= from)
        .map(([key, at]) => at - sentAt.get(key))
        .filter((v) => Number.isFinite(v))
        .sort((a, b) => a - b);
    const latencies = measured(firstSent);
    // The first seconds include the service warming up (JIT, database connections, one
    // transactional producer per partition) and the backlog that builds meanwhile.
    const warm = measured(firstSent + WARMUP_SECONDS * 1000);
    // p99 of each second of offered load: shows whether a tail is warm-up or steady.
    const p99BySecond = Array.from({ length: SECONDS }, (_, second) => {
      const inSecond = [...classifiedAt]
        .filter(([key]) => {
          const at = sentAt.get(key) - firstSent;
          return at >= second * 1000 && at < (second + 1) * 1000;
        })
        .map(([key, at]) => at - sentAt.get(key))
        .sort((a, b) => a - b);
      return inSecond.length === 0 ? null : percentile(inSecond, 99);
    });
    return {
      offeredPerSecond: RATE,
      findings: total,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      afterWarmup: {
        seconds: WARMUP_SECONDS,
        p50Ms: percentile(warm, 50),
        p99Ms: percentile(warm, 99),
      },
      p99BySecond,
      peakRssMb: rss,
    };
  });
}

function describeLatency(lat) {
  const warm = lat.afterWarmup;
  return (
    `  latency at ${lat.offeredPerSecond}/s: p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms; ` +
    `after the first ${warm.seconds} s: p50 ${warm.p50Ms} ms, p99 ${warm.p99Ms} ms ` +
    `(peak RSS ${lat.peakRssMb} MB)\n` +
    `  p99 by second of offered load (ms): ${lat.p99BySecond.join(' ')}`
  );
}

function describe(label, run) {
  return (
    `  classifier, ${label}: ${run.steadyPerSecond}/s steady, ${run.perSecond}/s with start-up ` +
    `(${run.seconds} s, peak RSS ${run.peakRssMb.join('/')} MB)` +
    (run.cpuPerThousandFindings
      ? `\n    CPU s per 1,000 findings: classifier ${run.cpuPerThousandFindings.classifier}, ` +
        `PostgreSQL ${run.cpuPerThousandFindings.postgres}, ` +
        `broker ${run.cpuPerThousandFindings.broker}`
      : '')
  );
}

async function main() {
  if (process.env.BENCH_ONLY === 'one') {
    if (process.env.BENCH_BASELINE) {
      const base = await baseline();
      say(`  raw: ${base.perSecond}/s (broker CPU s per 1,000: ${base.brokerCpuPerThousand})`);
    }
    const one = await throughput(1);
    say(describe('1 replica', one));
    process.exit(0);
  }
  if (process.env.BENCH_ONLY === 'latency') {
    const lat = await latency();
    say(describeLatency(lat));
    process.exit(0);
  }
  say(
    `classifier bench: ${N} findings; latency at ${RATE}/s for ${SECONDS}s; load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const base = await baseline();
  say(
    `  raw kafkajs consume->produce: ${base.perSecond}/s ` +
      `(broker CPU s per 1,000: ${base.brokerCpuPerThousand})`,
  );
  const one = await throughput(1);
  say(describe('1 replica', one));
  const two = await throughput(2);
  say(describe('2 replicas', two));
  const lat = await latency();
  say(describeLatency(lat));
  const result = {
    name: NAME,
    at: new Date().toISOString(),
    loadAverage: os.loadavg(),
    findings: N,
    baselinePerSecond: base.perSecond,
    oneReplica: {
      ...one,
      ratioToBaseline: Number((one.steadyPerSecond / base.perSecond).toFixed(3)),
    },
    twoReplicas: {
      ...two,
      ratioToBaseline: Number((two.steadyPerSecond / base.perSecond).toFixed(3)),
    },
    latency: lat,
  };
  writeBenchResult(NAME, result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

main().catch((error) => {
  say(`classifier bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
