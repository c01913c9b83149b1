#!/usr/bin/env node
// Parse + transactional publish throughput and peak memory of the ingest path: the generated
// 100k-finding Trivy and large SARIF reports of parse-throughput.bench.mjs, read and published
// by the real publishReport (libs/ingest, from dist/) through a transactional EventProducer as
// `hum publish --brokers` does: every finding to findings.raw and the scans.completed events,
// in one transaction. The baseline, in the same run on the same broker, is raw kafkajs producing
// the same number of messages of the same size (key, body and CloudEvents headers) in one
// transaction with the same producer settings (idempotent, acks=all, one request in flight,
// batches of 500) to a topic with as many partitions as findings.raw.
//
//   npm run bench -- ingest-publish [--findings=100000] [--cases=trivy,sarif] [--dist=dist]
//
// Each case and each baseline runs in its own Node process, so its peak RSS is its own.
// Targets (issue 3): parse + publish >= 20,000 findings/s; peak RSS <= 300 MB.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { generate } from './parse-throughput.bench.mjs';
import { benchBrokers, writeBenchResult } from './lib/bench-support.mjs';

const NAME = 'ingest-publish';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASELINE_BATCH = 500;
const TARGETS = { findingsPerSecond: 20_000, peakRssMb: 300 };
const require = createRequire(import.meta.url);

function options() {
  const { values } = parseArgs({
    options: {
      findings: { type: 'string', default: '100000' },
      cases: { type: 'string', default: 'trivy,sarif' },
      dist: { type: 'string', default: 'dist' },
      child: { type: 'string' },
      file: { type: 'string' },
      prefix: { type: 'string' },
      topic: { type: 'string' },
      sample: { type: 'string' },
    },
  });
  const findings = Number(values.findings);
  if (!Number.isInteger(findings) || findings < 1)
    throw new Error('--findings must be a positive integer');
  const cases = values.cases.split(',').filter(Boolean);
  for (const kind of cases) {
    if (kind !== 'trivy' && kind !== 'sarif' && kind !== 'trivy-gzip')
      throw new Error(`--cases: unknown case "${kind}" (trivy, sarif, trivy-gzip)`);
  }
  return { ...values, findings, cases };
}

function dist(config, lib) {
  return path.resolve(ROOT, config.dist, 'libs', lib, 'src', 'index.js');
}

function peakRss(sampled) {
  return Math.round(Math.max(sampled, process.resourceUsage().maxRSS * 1024) / 1e6);
}

function print(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Child: publish one report as `hum publish --brokers` does and measure it; then encode a few of
 * its findings (off the clock) so the baseline can send messages of the same size.
 */
async function publishChild(config) {
  const { publishReport } = require(dist(config, 'ingest'));
  const { createKafkaClient, defaultKafkaSettings, EventProducer, TopicNames } = require(
    dist(config, 'kafka'),
  );
  const { encodeEvent, TOPICS } = require(dist(config, 'contracts'));
  const { parseReport, sourceFromFile } = require(dist(config, 'scanner-formats'));
  const { createLogger } = require(dist(config, 'observability'));
  const logger = createLogger({ service: NAME, level: 'silent' });
  const settings = defaultKafkaSettings({ brokers: benchBrokers(), clientId: NAME });
  const kafka = createKafkaClient(settings, logger);
  const producer = new EventProducer(kafka, {
    names: new TopicNames(config.prefix),
    source: '/hum/cli',
    logger,
    transactionalId: `${NAME}.${randomUUID()}`,
  });
  const asset = { id: 'bench-app', type: 'container-image' };
  await producer.connect();
  let sampledRss = process.memoryUsage().rss;
  let published;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    published = await publishReport(producer, {
      source: await sourceFromFile(config.file),
      asset,
      origin: 'cli',
      onProgress: () => {
        sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
      },
    });
  } finally {
    await producer.disconnect();
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const rss = peakRss(sampledRss);

  const report = parseReport(await sourceFromFile(config.file), {
    context: { scanId: randomUUID(), asset, detectedAt: new Date().toISOString() },
  });
  let sampled = 0;
  let valueBytes = 0;
  let headers;
  for await (const finding of report.findings) {
    const encoded = encodeEvent(TOPICS.findingsRaw, {
      key: finding.fingerprint,
      data: finding,
      source: '/hum/cli',
      subject: asset.id,
    });
    headers ??= encoded.headers;
    valueBytes += encoded.value.length;
    if (++sampled === 2000) break;
  }
  print({
    format: published.format,
    findings: published.findings,
    scopes: published.scopes.length,
    seconds: Number((ms / 1000).toFixed(3)),
    findingsPerSecond: Math.round(published.findings / (ms / 1000)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    peakRssMb: rss,
    sample: { keyBytes: 64, valueBytes: Math.round(valueBytes / sampled), headers },
  });
}

/** Child: raw kafkajs, one transaction of `findings` messages shaped like the sample. */
async function baselineChild(config) {
  const sample = JSON.parse(config.sample);
  const kafka = new Kafka({ clientId: NAME, brokers: benchBrokers(), logLevel: logLevel.ERROR });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: `${NAME}.baseline.${randomUUID()}`,
    transactionTimeout: 60_000,
    allowAutoTopicCreation: false,
  });
  const value = randomBytes(sample.valueBytes);
  await producer.connect();
  let sampledRss = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const txn = await producer.transaction();
    for (let sent = 0; sent < config.findings;) {
      const messages = [];
      for (let i = 0; i < BASELINE_BATCH && sent < config.findings; i++, sent++) {
        // Distinct keys spread the messages over the partitions as fingerprints do.
        messages.push({
          key: randomBytes(sample.keyBytes / 2).toString('hex'),
          value,
          headers: sample.headers,
        });
      }
      await txn.sendBatch({ topicMessages: [{ topic: config.topic, messages }], acks: -1 });
      sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
    }
    await txn.commit();
  } finally {
    await producer.disconnect();
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  print({
    messages: config.findings,
    seconds: Number((ms / 1000).toFixed(3)),
    messagesPerSecond: Math.round(config.findings / (ms / 1000)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    peakRssMb: peakRss(sampledRss),
  });
}

function runChild(config, args) {
  // BENCH_CPU_PROF=<dir> writes a CPU profile per child, as in classifier.bench.mjs.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const run = spawnSync(
    process.execPath,
    [
      ...profile,
      fileURLToPath(import.meta.url),
      `--findings=${config.findings}`,
      `--dist=${config.dist}`,
      ...args,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20, env: process.env },
  );
  if (run.status !== 0) throw new Error(`${args[0]} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/** Committed records on a topic: the high watermarks, less the transaction markers. */
async function recordCount(admin, topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  const marked = offsets.filter((p) => Number(p.high) > 0).length;
  return offsets.reduce((sum, p) => sum + Number(p.high), 0) - marked;
}

/** Creates the case's topics; names them in `created` first, so a failure leaves none behind. */
async function provision(config, admin, prefix, created) {
  const { provisionTopics, TopicNames } = require(dist(config, 'kafka'));
  const { TOPICS } = require(dist(config, 'contracts'));
  const options = { replicationFactor: 1, withDeadLetters: false };
  const names = new TopicNames(prefix);
  // The baseline's topic is a findings.raw of its own: same partitions and settings.
  const baseline = new TopicNames(`${prefix}baseline.`);
  const topics = {
    findings: names.of(TOPICS.findingsRaw),
    scans: names.of(TOPICS.scansCompleted),
    baseline: baseline.of(TOPICS.findingsRaw),
  };
  created.push(...Object.values(topics));
  await provisionTopics(admin, names, [TOPICS.findingsRaw, TOPICS.scansCompleted], options);
  await provisionTopics(admin, baseline, [TOPICS.findingsRaw], options);
  return topics;
}

async function main() {
  const config = options();
  if (config.child === 'publish') return publishChild(config);
  if (config.child === 'baseline') return baselineChild(config);
  for (const lib of ['ingest', 'kafka', 'contracts', 'scanner-formats']) {
    if (!existsSync(dist(config, lib)))
      throw new Error(`${dist(config, lib)} is missing: run \`npm run build\` first.`);
  }
  // Quiet: provisionTopics polls through the broker's "does not host this topic-partition"
  // while a new topic's metadata settles, and a real failure throws anyway.
  const kafka = new Kafka({ clientId: NAME, brokers: benchBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const dir = path.join(os.tmpdir(), `hum-${NAME}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const run = `bench.${NAME}.${Date.now()}.${randomBytes(3).toString('hex')}`;
  const created = [];
  const loadBefore = os.loadavg()[0];
  const cases = [];
  try {
    for (const kind of config.cases) {
      const prefix = `${run}.${kind}.`;
      const topics = await provision(config, admin, prefix, created);
      const file = await generate(kind, config.findings, dir);
      const publish = runChild(config, ['--child=publish', `--file=${file}`, `--prefix=${prefix}`]);
      const onTopic = await recordCount(admin, topics.findings);
      const scans = await recordCount(admin, topics.scans);
      if (onTopic !== publish.findings || scans !== publish.scopes) {
        throw new Error(
          `${kind}: published ${publish.findings} findings and ${publish.scopes} scans.completed, ` +
            `but the topics hold ${onTopic} and ${scans}`,
        );
      }
      const baseline = runChild(config, [
        '--child=baseline',
        `--topic=${topics.baseline}`,
        `--sample=${JSON.stringify(publish.sample)}`,
      ]);
      const { sample, ...measured } = publish;
      cases.push({
        case: kind,
        reportMb: Number((statSync(file).size / 1e6).toFixed(1)),
        messageBytes: { key: sample.keyBytes, value: sample.valueBytes },
        ...measured,
        baseline,
        ratio: Number((measured.findingsPerSecond / baseline.messagesPerSecond).toFixed(2)),
      });
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  }
  const result = {
    bench: NAME,
    date: new Date().toISOString(),
    config: {
      findings: config.findings,
      path: 'publishReport -> EventProducer (transactional, idempotent, acks=all), as hum publish --brokers',
      baseline: `raw kafkajs, one transaction, batches of ${BASELINE_BATCH}, same message sizes and headers`,
      unit: 'MB = 10^6 bytes',
    },
    environment: {
      node: process.versions.node,
      kafkajs: require('kafkajs/package.json').version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
    },
    targets: TARGETS,
    cases,
  };
  report(result);
  const out = writeBenchResult(NAME, result);
  process.stdout.write(`result: ${path.relative(process.cwd(), out)}\n`);
}

function report(result) {
  const number = (n) => n.toLocaleString('en-US');
  const rows = [
    [
      'case',
      'report MB',
      'msg B',
      'findings',
      'seconds',
      'findings/s',
      'CPU s',
      'RSS MB',
      'kafkajs/s',
      'kafkajs RSS',
      'ratio',
    ],
    ...result.cases.map((c) => [
      c.case,
      c.reportMb.toFixed(1),
      number(c.messageBytes.value),
      number(c.findings),
      c.seconds.toFixed(2),
      number(c.findingsPerSecond),
      c.cpuSeconds.toFixed(2),
      String(c.peakRssMb),
      number(c.baseline.messagesPerSecond),
      String(c.baseline.peakRssMb),
      c.ratio.toFixed(2),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const { environment } = result;
  process.stdout.write(
    `${NAME}: parse + transactional publish vs raw kafkajs, same run (kafkajs ${environment.kafkajs}, ` +
      `Node ${environment.node}, ${environment.cpus} CPUs, load ${environment.loadAverage1m.before.toFixed(1)}` +
      ` -> ${environment.loadAverage1m.after.toFixed(1)}); targets >= 20,000 findings/s, <= 300 MB RSS\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${NAME} failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
